"""Interruptions: Ctrl-C (SIGINT) or a kill (SIGKILL) in the middle of a long command.

Whatever the moment, no file under a final output name is partial, and running the command
again completes. Each test runs the real command in its own process group, the way a
terminal delivers Ctrl-C to the command and its worker processes. ``batch`` and ``sweep``
have their own tests of the other signal (tests/integration/test_batch.py: SIGINT;
test_sweep_cli.py: SIGKILL then resume); here each command gets the signal not tested there.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from simlib.analysis.results import Results
from simlib.storage.store import finished_tasks, load_records, read_manifest
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and groups")

FINAL_COMPARE_FILES = ("results.parquet", "summary.csv", "manifest.json")


class Command:
    """A ``simlib`` subprocess in its own process group, its stderr read as it comes."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "simlib.cli.main", *args],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.err = bytearray()
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self) -> None:
        while chunk := self.proc.stderr.read1(4096):
            self.err.extend(chunk)

    def wait_for(self, condition, what: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.proc.poll() is None, f"ended before {what}: {self.err.decode()[-2000:]}"
            assert time.monotonic() < deadline, f"never {what}"
            time.sleep(0.02)

    def signal(self, sig: int) -> tuple[int, str]:
        assert self.proc.poll() is None, "the command finished before it could be interrupted"
        os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=120)
        self.reader.join(30)
        return self.proc.returncode, self.err.decode(errors="replace")


def leftovers(out: Path) -> list[Path]:
    """Temporary or staging files left under ``out``."""
    return [
        p
        for p in out.rglob("*")
        if p.name.endswith(".tmp") or ".staging" in p.parts or p.name.startswith(".")
    ]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simlib.cli.main", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def scenario_file(tmp_path, tiny) -> Path:
    scenario = dict(tiny)
    scenario["organization"] = {**tiny["organization"], "headcount": 40}
    scenario["environment"] = {**tiny["environment"], "years": 2}
    scenario["behaviour"] = {"performance_noise_sd": 1.0, "voluntary_quit_rate": 0.1}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(scenario))
    return path


def compare_args(scenario: Path, out: Path, reps: int, seed: int = 1) -> list[str]:
    return ["compare", str(scenario), "--reps", str(reps), "--seed", str(seed), "--out", str(out)]


def test_compare_ctrl_c_leaves_no_results_then_rerun_completes(tmp_path, scenario_file):
    out = tmp_path / "out"
    cmd = Command(*compare_args(scenario_file, out, reps=5_000), "--jobs", "2")
    cmd.wait_for(lambda: b"simulating" in cmd.err, "started simulating")
    time.sleep(1.0)
    code, err = cmd.signal(signal.SIGINT)
    assert code == 130, err
    assert "simlib: interrupted; no partial result files were left" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not any((out / name).exists() for name in FINAL_COMPARE_FILES)
    assert not out.exists() or leftovers(out) == []

    again = run(*compare_args(scenario_file, out, reps=3), "--quiet")
    assert again.returncode == 0, again.stderr
    results = Results.load(out)
    assert results.manifest["reps"] == 3 and len(results.frame) > 0
    assert leftovers(out) == []


@pytest.mark.slow
def test_compare_killed_keeps_the_previous_results_whole(tmp_path, scenario_file):
    out = tmp_path / "out"
    first = run(*compare_args(scenario_file, out, reps=2, seed=1), "--quiet")
    assert first.returncode == 0, first.stderr
    before = {name: (out / name).read_bytes() for name in FINAL_COMPARE_FILES}

    cmd = Command(*compare_args(scenario_file, out, reps=5_000, seed=2))
    cmd.wait_for(lambda: b"simulating" in cmd.err, "started simulating")
    time.sleep(1.0)
    code, _ = cmd.signal(signal.SIGKILL)
    assert code == -signal.SIGKILL
    # The killed run wrote nothing: the first run's files are there, whole and unchanged.
    assert {name: (out / name).read_bytes() for name in FINAL_COMPARE_FILES} == before
    assert Results.load(out).manifest["seed"] == 1
    assert leftovers(out) == []

    again = run(*compare_args(scenario_file, out, reps=2, seed=2), "--quiet")
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2


def sweep_args(scenario: Path, out: Path) -> list[str]:
    return [
        "sweep",
        str(scenario),
        "--vary",
        "behaviour.voluntary_quit_rate=0.05:0.3",
        "--samples",
        "24",
        "--reps",
        "2",
        "--out",
        str(out),
        "--quiet",
    ]


def test_sweep_ctrl_c_keeps_whole_task_files_then_resume_completes(tmp_path, scenario_file):
    out = tmp_path / "sweep"
    cmd = Command(*sweep_args(scenario_file, out), "--jobs", "2")
    cmd.wait_for(lambda: len(finished_tasks(out)) >= 2, "finished two tasks")
    code, err = cmd.signal(signal.SIGINT)
    assert code == 130, err
    assert "Traceback" not in err
    done = finished_tasks(out)
    assert 2 <= len(done) < 48
    # A Ctrl-C landing between creating a temporary file and its cleanup may leave it, under
    # a hidden temporary name only; the rerun removes it. Final names are always whole.
    for temp in (out / "parts").glob(".*"):
        assert temp.name.endswith(".tmp"), temp
    for part in sorted((out / "parts").glob("*.parquet")):
        pd.read_parquet(part)  # every file under a final name is whole
    assert read_manifest(out)["status"] == "running"

    again = run(*sweep_args(scenario_file, out), "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert f"({len(done)} already done)" in again.stdout or "already done" in again.stdout
    assert read_manifest(out)["status"] == "complete"
    assert not list((out / "parts").glob(".*")), "the rerun left a temporary file"
    records = load_records(out)
    assert records[["variant", "rep"]].drop_duplicates().shape[0] == 48
    assert not records.duplicated(["variant", "policy", "rep", "week", "metric"]).any()


BATCH_SCENARIO = """\
name: killed batch
organization: {headcount: 40, span_of_control: 6}
environment: {years: 2}
policies:
  absolute: {preset: absolute}
  forced_distribution: {preset: forced_distribution}
experiment: {reps: 2, seed: 3, baseline: absolute}
"""


@pytest.mark.slow
def test_batch_killed_leaves_no_half_report_then_resume_completes(tmp_path):
    scenario = tmp_path / "in" / "one.yaml"
    scenario.parent.mkdir()
    scenario.write_text(BATCH_SCENARIO)
    out = tmp_path / "out"
    args = ["batch", str(scenario), "--out", str(out), "--param", "reps=2", "--no-ensemble"]
    cmd = Command(*args)
    staging = out / ".staging"
    cmd.wait_for(lambda: staging.exists() and any(staging.iterdir()), "started a scenario")
    time.sleep(1.0)  # the kernel is starting or running cells
    code, _ = cmd.signal(signal.SIGKILL)
    assert code == -signal.SIGKILL
    finals = [p for p in out.iterdir() if p.name != ".staging"] if out.exists() else []
    assert [p.name for p in finals if p.is_dir()] == []  # no scenario folder half there
    for index in out.glob("index.html"):
        assert index.read_text().rstrip().endswith("</html>")

    again = run(*args, "--resume", "--quiet")
    assert again.returncode == 0, again.stderr
    (folder,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert (folder / "report.html").read_text().rstrip().endswith("</html>")
    assert json.loads((folder / "batch.json").read_text())["status"] == "ok"
    assert not (out / ".staging").exists() or not any((out / ".staging").iterdir())
