"""`simlib batch`: papermill over scenarios, reports, index, failures, resume, interruption."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from simlib.cli.main import main
from tests.conftest import ROOT

GOOD = """\
name: ../../escape_attempt
organization: {headcount: 40, span_of_control: 6}
environment: {years: 2}
policies:
  absolute: {preset: absolute}
  forced_distribution: {preset: forced_distribution}
experiment: {reps: 2, seed: 3, baseline: absolute}
"""

BROKEN = """\
name: broken
organization: {headcount: 40, span_of_controll: 6}
policies:
  absolute: {preset: absolute}
"""


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def batch(capsys, monkeypatch):
    """``simlib batch ARGS`` in this process (the notebooks still run in their own kernels)."""
    monkeypatch.chdir(ROOT)

    def run(*args: str) -> Outcome:
        capsys.readouterr()
        code = main(["batch", *args])
        out, err = capsys.readouterr()
        return Outcome(code, out, err)

    return run


def no_partial_files(out: Path) -> list[Path]:
    """Anything under ``out`` that is a staging folder or a temporary file."""
    return [p for p in out.rglob("*") if ".staging" in p.parts or p.name.endswith(".tmp")]


@pytest.fixture
def scenarios(tmp_path: Path) -> tuple[Path, Path]:
    good = tmp_path / "in" / "good.yaml"
    broken = tmp_path / "in" / "broken.yaml"
    good.parent.mkdir()
    good.write_text(GOOD)
    broken.write_text(BROKEN)
    return good, broken


def test_good_and_broken_scenario_then_resume(tmp_path, scenarios, batch):
    good, broken = scenarios
    out = tmp_path / "deep" / "out"
    result = batch(
        str(good),
        str(broken),
        "--out",
        str(out),
        "--jobs",
        "2",
        "--param",
        "reps=2",
        "--no-ensemble",
    )

    assert result.returncode == 1, result.stderr
    assert "1 of 2 scenarios failed: broken" in result.stdout
    # It ends with the index's path and a short summary, not tables.
    lines = result.stdout.splitlines()
    after_index = lines[[i for i, line in enumerate(lines) if line.startswith("Index: ")][0] :]
    assert len(after_index) <= 1 + 5 + 1  # the index, the summary, the failure count
    assert after_index[1].startswith("2 scenarios: 1 run now, 0 up to date, 1 failed")
    assert any(line.startswith("broken: FAILED: ") for line in after_index)
    assert any(
        line.startswith("escape_attempt, net value per position vs absolute: ")
        for line in after_index
    )
    assert "Traceback" not in result.stdout

    # The scenario's own name '../../escape_attempt' is sanitized: nothing escapes --out.
    folder = out / "escape_attempt"
    assert not (tmp_path / "escape_attempt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "in"]
    for name in (
        "compare.ipynb",
        "report.html",
        "report.pdf",
        "results.parquet",
        "summary.csv",
        "manifest.json",
        "batch.json",
    ):
        assert (folder / name).is_file(), name
    report = (folder / "report.html").read_text()
    assert "simlib-executive-summary" in report
    assert "<title>../../escape_attempt</title>" in report  # the scenario's name, escaped
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "was not run for this report" in report  # --no-ensemble
    # No code: neither the parameters cell nor any call shows in the client report.
    assert "load_scenario(" not in report and "output_dir =" not in report
    assert "hl-ipython3" not in report  # no highlighted code input at all
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["reps"] == 2 and manifest["policies"] == ["absolute", "forced_distribution"]

    # The broken scenario keeps its executed notebook, with the readable error in it.
    failed = json.loads((out / "broken" / "batch.json").read_text())
    assert failed["status"] == "failed"
    assert "span_of_controll: unknown key; did you mean 'span_of_control'?" in failed["error"]
    executed = json.loads((out / "broken" / "compare.ipynb").read_text())
    assert executed["metadata"]["papermill"]["exception"] is True
    assert not (out / "broken" / "results.parquet").exists()

    index = (out / "index.html").read_text()
    assert "class='status-failed'" in index and "FAILED" in index
    assert "class='status-ok'" in index
    assert "href='escape_attempt/report.html'" in index
    assert no_partial_files(out) == []
    # Reports are readable like any new file (not private temp-file permissions).
    umask = os.umask(0)
    os.umask(umask)
    for path in [out / "index.html", *folder.iterdir()]:
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path

    # Second run with --resume: the good scenario is skipped, the broken one tried again.
    stamp = (folder / "report.html").stat().st_mtime_ns
    again = batch(
        str(good),
        str(broken),
        "--out",
        str(out),
        "--param",
        "reps=2",
        "--resume",
        "--no-ensemble",
    )
    assert again.returncode == 1
    assert "skipped escape_attempt: up to date" in again.stdout
    assert "2 scenarios: 0 run now, 1 up to date, 1 failed" in again.stdout
    assert "FAILED  broken" in again.stdout
    assert (folder / "report.html").stat().st_mtime_ns == stamp
    assert "class='status-skipped'" in (out / "index.html").read_text()


def test_resume_reruns_when_parameters_change(tmp_path, scenarios, monkeypatch):
    from simlib.present import batch_plan
    from simlib.present.batch_plan import plan, resume_key

    good, _ = scenarios
    notebook = ROOT / "notebooks" / "compare.ipynb"
    assert resume_key(good, notebook, {"reps": 2}) == resume_key(good, notebook, {"reps": 2})
    assert resume_key(good, notebook, {"reps": 2}) != resume_key(good, notebook, {"reps": 3})
    edited = tmp_path / "edited.yaml"
    edited.write_text(GOOD.replace("headcount: 40", "headcount: 41"))
    assert resume_key(good, notebook, {}) != resume_key(edited, notebook, {})
    # A change of simlib's own code makes every scenario out of date.
    before = resume_key(good, notebook, {})
    monkeypatch.setattr(batch_plan, "code_fingerprint", lambda: "another version of the code")
    assert resume_key(good, notebook, {}) != before
    # Two files with the same scenario name get distinct folders.
    [(_, a), (_, b)] = plan([good, edited], notebook, {})
    assert (a.name, b.name) == ("escape_attempt", "escape_attempt-2")


def test_bad_batch_input_exits_2(tmp_path, scenarios, batch):
    good, _ = scenarios
    missing = batch(str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o"))
    assert missing.returncode == 2
    assert "nope.yaml: scenario file not found" in missing.stderr
    unknown = batch(str(good), "--out", str(tmp_path / "o"), "--param", "rep=2")
    assert unknown.returncode == 2
    assert "--param rep: not a parameter of compare.ipynb; did you mean 'reps'?" in unknown.stderr
    reserved = batch(str(good), "--out", str(tmp_path / "o"), "--param", "output_dir=/tmp")
    assert reserved.returncode == 2 and "set by the batch itself" in reserved.stderr
    for result in (missing, unknown, reserved):
        assert "Traceback" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
def test_interrupting_leaves_no_half_written_files(tmp_path, scenarios):
    good, _ = scenarios
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simlib.cli.main",
            "batch",
            str(good),
            "--out",
            str(out),
            "--param",
            "reps=2",
            "--no-ensemble",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Ctrl-C reaches the batch, its workers and kernels
    )
    deadline = time.monotonic() + 120
    staging = out / ".staging"
    while time.monotonic() < deadline and not (staging.exists() and any(staging.iterdir())):
        time.sleep(0.05)
    assert staging.exists(), "the batch never started a scenario"
    time.sleep(1.0)  # the kernel is starting or running cells
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert no_partial_files(out) == []
    assert not (out / "escape_attempt").exists()  # never half there
    assert "not run (batch interrupted)" in (out / "index.html").read_text()


@pytest.mark.slow
def test_cell_timeout_marks_the_scenario_failed_with_a_custom_notebook(tmp_path, scenarios, batch):
    # papermill does not wrap nbclient's CellTimeoutError and leaves the notebook's
    # exception flag unset: the batch must judge by the exception, not the metadata.
    import nbformat

    good, _ = scenarios
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_code_cell(
            'scenario: str = ""  # scenario file\noutput_dir: str = ""  # output folder',
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell("import time\ntime.sleep(60)"),
    ]
    path = tmp_path / "sleepy.ipynb"
    nbformat.write(notebook, str(path))
    out = tmp_path / "out"
    result = batch(str(good), "--out", str(out), "--notebook", str(path), "--timeout", "2")
    assert result.returncode == 1
    record = json.loads((out / "escape_attempt" / "batch.json").read_text())
    assert record["status"] == "failed" and "Timeout" in record["error"]
    assert (out / "escape_attempt" / "sleepy.ipynb").is_file()
    assert no_partial_files(out) == []
