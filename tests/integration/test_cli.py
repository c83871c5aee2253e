from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from tests.conftest import ROOT, SCENARIOS


def run(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simlib.cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_good_scenario():
    result = run("check", str(SCENARIOS / "baseline.yaml"))
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout and "hash" in result.stdout


def test_check_misspelled_key_exits_2_with_suggestion(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (SCENARIOS / "baseline.yaml").read_text().replace("span_of_control", "span_of_controll")
    )
    result = run("check", str(bad))
    assert result.returncode == 2
    assert (
        "organization.span_of_controll: unknown key; did you mean 'span_of_control'?"
        in result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_check_out_of_range_override():
    result = run("check", str(SCENARIOS / "baseline.yaml"), "--set", "hiring.selection_validity=2")
    assert result.returncode == 2
    assert "hiring.selection_validity: 2 is out of range; allowed 0 to 1" in result.stderr


def test_check_garbage_and_missing_files(tmp_path):
    garbage = tmp_path / "garbage.yaml"
    garbage.write_bytes(bytes(range(256)) * 4)
    for path in (garbage, tmp_path / "missing.yaml"):
        result = run("check", str(path))
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_bad_cli_argument_exits_2():
    result = run("compare", str(SCENARIOS / "baseline.yaml"), "--reps", "zero")
    assert result.returncode == 2 and "not a whole number" in result.stderr


def test_compare_writes_three_files_with_manifest(tmp_path):
    out = tmp_path / "out"
    result = run(
        "compare",
        str(SCENARIOS / "baseline.yaml"),
        "--reps",
        "3",
        "--years",
        "2",
        "--seed",
        "5",
        "--set",
        "organization.headcount=120",
        "--out",
        str(out),
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert "Paired differences against absolute" in result.stdout
    assert "workforce_potential" in result.stdout
    frame = pd.read_parquet(out / "results.parquet")
    assert list(frame.columns) == ["policy", "rep", "week", "metric", "value"]
    assert set(frame.policy) == {"absolute", "forced_distribution"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["reps"] == 3
    assert manifest["parameters"]["organization"]["headcount"] == 120
    assert manifest["parameters"]["environment"]["years"] == 2
    assert len(manifest["scenario_hash"]) == 16 and manifest["simlib_version"]
    summary = pd.read_csv(out / "summary.csv")
    assert {"policy", "metric", "mean", "ci_low", "ci_high"} <= set(summary.columns)
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*"))


def test_compare_unknown_policy_exits_2():
    result = run(
        "compare", str(SCENARIOS / "baseline.yaml"), "--policies", "absolute,okr", "--quiet"
    )
    assert result.returncode == 2 and "unknown policies ['okr']" in result.stderr


def test_check_explain_lists_every_parameter_with_its_origin():
    result = run(
        "check",
        str(SCENARIOS / "baseline.yaml"),
        "--explain",
        "--set",
        "hiring.time_to_fill_weeks=6",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("organization.headcount = 500  [scenario]") for line in lines)
    assert any(
        line.startswith("hiring.time_to_fill_weeks = 6") and "[override]" in line for line in lines
    )
    assert any(
        line.startswith("hiring.ramp_up_weeks = 12  [default]") and "weeks" in line
        for line in lines
    )


def test_show_prints_a_saved_comparison_and_refuses_other_folders(tmp_path):
    out = tmp_path / "out"
    made = run(
        "compare",
        str(SCENARIOS / "baseline.yaml"),
        "--reps",
        "2",
        "--years",
        "1",
        "--set",
        "organization.headcount=60",
        "--out",
        str(out),
        "--quiet",
    )
    assert made.returncode == 0, made.stderr
    shown = run("show", str(out))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == made.stdout.split("\nWrote ")[0].strip()
    empty = run("show", str(tmp_path))
    assert empty.returncode == 2 and "no saved comparison here" in empty.stderr
    assert "Traceback" not in empty.stderr
