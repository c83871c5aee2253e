"""A Dask cluster failing under a sweep: its workers all gone, or its scheduler killed.

Both run a real cluster. Before the watch, a sweep whose workers had all gone waited
silently for ever, and a killed scheduler ended in a ``CancelledError`` traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from simlib.cli.main import main
from simlib.storage.store import finished_tasks, load_records, read_manifest
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

SCENARIO = """\
name: cluster
organization: {headcount: 200, span_of_control: 6}
environment: {years: 2}
policies:
  absolute: {preset: absolute}
experiment: {reps: 1, seed: 4}
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    return path


def sweep_args(scenario: Path, out: Path, samples: int, *extra: str) -> list[str]:
    return [
        "sweep", str(scenario), "--vary", "behaviour.voluntary_quit_rate=0.05:0.3",
        "--samples", str(samples), "--out", str(out), "--quiet", *extra,
    ]  # fmt: skip


def wait_until(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.02)


def test_a_cluster_whose_workers_all_left_stops_the_sweep_in_one_line(
    tmp_path, scenario, capsys, monkeypatch
):
    from distributed import LocalCluster

    import simlib.experiments.executors as executors

    monkeypatch.setattr(executors, "NO_WORKERS_SECONDS", 2.0, raising=False)
    out = tmp_path / "sw"
    ended: dict[str, object] = {}
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        # A scheduler the client did not start: no no-workers-timeout of its own.
        assert not cluster.scheduler.no_workers_timeout

        def sweep() -> None:
            args = sweep_args(scenario, out, 200, "--dask", cluster.scheduler_address)
            ended["code"] = main(args)
            ended["at"] = time.monotonic()

        running = threading.Thread(target=sweep, daemon=True)
        running.start()
        wait_until(lambda: len(finished_tasks(out)) >= 2, "finished two tasks")
        cluster.scale(0)
        closed = time.monotonic()
        running.join(60)
        assert not running.is_alive(), "the sweep waits for ever on a cluster with no workers"
    done = len(finished_tasks(out))
    err = capsys.readouterr().err
    assert ended["code"] == 1, err
    assert err.strip().splitlines() == [
        "simlib: error: the Dask cluster has had no workers for 2 s; "
        f"{done} of 200 tasks done; rerun the same command to resume"
    ]
    assert 2 <= done < 200
    assert 2.0 <= float(ended["at"]) - closed < 30  # type: ignore[arg-type]
    assert read_manifest(out)["status"] == "running"


SCHEDULER = """\
import time
from distributed import LocalCluster
cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://",
    dashboard_address=None,
)
print(cluster.scheduler_address, flush=True)
time.sleep(3600)
"""


class Scheduler:
    """A Dask scheduler with two workers in a process of its own, to be killed."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SCHEDULER], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        self.address = self.proc.stdout.readline().strip()
        assert self.address.startswith("tcp://"), "the scheduler did not start"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)


@pytest.mark.slow
def test_a_killed_scheduler_is_one_line_exit_1_and_the_rerun_completes_identically(
    tmp_path, scenario
):
    out = tmp_path / "killed"
    scheduler = Scheduler()
    try:
        sweep = subprocess.Popen(
            [sys.executable, "-m", "simlib.cli.main",
             *sweep_args(scenario, out, 40, "--dask", scheduler.address)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            wait_until(
                lambda: len(finished_tasks(out)) >= 2 or sweep.poll() is not None,
                "finished two tasks",
            )
            assert sweep.poll() is None, "the sweep ended before the scheduler was killed"
            scheduler.kill()
            _, err = sweep.communicate(timeout=120)
        finally:
            if sweep.poll() is None:
                sweep.kill()
    finally:
        scheduler.kill()
    done = len(finished_tasks(out))
    assert sweep.returncode == 1, err
    assert err.strip().splitlines() == [
        f"simlib: error: lost the Dask scheduler; {done} of 40 tasks done; "
        "rerun the same command to resume"
    ]
    assert 2 <= done < 40

    again = Scheduler()
    try:
        rerun = subprocess.run(
            [sys.executable, "-m", "simlib.cli.main",
             *sweep_args(scenario, out, 40, "--dask", again.address)],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        again.kill()
    assert rerun.returncode == 0, rerun.stderr
    assert f"{done} already done" in rerun.stdout
    assert read_manifest(out)["status"] == "complete"
    whole = tmp_path / "whole"
    assert main(sweep_args(scenario, whole, 40)) == 0
    pd.testing.assert_frame_equal(load_records(out), load_records(whole))
