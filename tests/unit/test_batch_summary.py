"""The five-line summary of a batch, and the code fingerprint in the resume key."""

from __future__ import annotations

import simlib
from simlib.present.batch_plan import ScenarioRun, files_fingerprint
from simlib.present.batch_summary import LINES, summary_lines


def _saved(tiny, out, name):
    results = simlib.compare(simlib.load_scenario(tiny), reps=3)
    results.save(out / name)
    return results


def test_summary_counts_and_gives_each_scenario_its_headline(tiny, tmp_path):
    results = _saved(tiny, tmp_path, "tiny")
    diff = results.paired_diff(metrics=["net_value_per_head"]).set_index("policy")
    runs = [
        ScenarioRun(source="tiny.yaml", name="tiny", key="k", status="ok"),
        ScenarioRun(source="bad.yaml", name="bad", key="k", status="failed", error="x: bad\nmore"),
    ]
    lines = summary_lines(tmp_path, runs, 12.34)
    assert lines[0].startswith("2 scenarios: 1 run now, 0 up to date, 1 failed (12.3 s)")
    assert lines[1].startswith("tiny, net value per position vs keep_all: fire_bottom ")
    mean = float(diff.loc["fire_bottom", "mean"])
    assert lines[1].split("fire_bottom ")[1][0] == ("+" if mean > 0 else "\N{MINUS SIGN}")
    sure = diff.loc["fire_bottom", "ci_low"] > 0 or diff.loc["fire_bottom", "ci_high"] < 0
    assert lines[1].endswith("*") == bool(sure)
    assert lines[2] == "bad: FAILED: x: bad"


def test_summary_never_passes_five_lines(tiny, tmp_path):
    _saved(tiny, tmp_path, "tiny")
    runs = [ScenarioRun(source="t", name="tiny", key="k", status="skipped") for _ in range(9)]
    lines = summary_lines(tmp_path, runs, 1.0)
    assert len(lines) == LINES
    assert lines[0].startswith("9 scenarios: 0 run now, 9 up to date, 0 failed")
    assert lines[-1] == "... and 6 more scenarios: see the index"


def test_files_fingerprint_follows_content_and_names(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("ignored")
    first = files_fingerprint(tmp_path)
    (tmp_path / "notes.txt").write_text("still ignored")
    assert files_fingerprint(tmp_path) == first
    (tmp_path / "a.py").write_text("x = 2\n")
    second = files_fingerprint(tmp_path)
    assert second != first
    (tmp_path / "a.py").rename(tmp_path / "b.py")
    assert files_fingerprint(tmp_path) != second
