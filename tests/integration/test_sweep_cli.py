"""``simlib sweep``, ``sensitivity`` and ``robustness`` from the command line.

The kill test runs the real command in a subprocess, SIGKILLs it (with its worker
processes) midway, and resumes it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from simlib.cli.main import main
from simlib.storage.store import finished_tasks, load_records, read_manifest
from tests.conftest import ROOT


@pytest.fixture
def scenario_file(tmp_path, tiny) -> Path:
    scenario = dict(tiny)
    scenario["organization"] = {**tiny["organization"], "headcount": 40}
    scenario["behaviour"] = {"performance_noise_sd": 1.0, "voluntary_quit_rate": 0.1}
    scenario["environment"] = {**tiny["environment"], "years": 2}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(scenario))
    return path


def sweep_args(scenario: Path, out: Path, samples: int = 6, *extra: str) -> list[str]:
    return [
        "sweep",
        str(scenario),
        "--vary",
        "behaviour.voluntary_quit_rate=0.05:0.3",
        "--vary",
        "behaviour.raters.reliability=0.3:0.9",
        "--samples",
        str(samples),
        "--reps",
        "2",
        "--out",
        str(out),
        "--quiet",
        *extra,
    ]


def test_sigkill_midway_then_resume_completes_without_recomputing(tmp_path, scenario_file):
    out = tmp_path / "killed"
    args = sweep_args(scenario_file, out, 20, "--jobs", "2")  # 40 tasks
    proc = subprocess.Popen(
        [sys.executable, "-m", "simlib.cli.main", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes the workers too
    )
    deadline = time.monotonic() + 120
    try:
        while len(finished_tasks(out)) < 4:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "the sweep never got going"
            time.sleep(0.005)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "parts").glob("t*")}
    done = finished_tasks(out)
    assert 4 <= len(done) < 40
    assert read_manifest(out)["status"] == "running"

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "simlib.cli.main",
            *sweep_args(scenario_file, out, 20, "--jobs", "1"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    counts = re.search(r"40 tasks \((\d+) computed, (\d+) already done\)", result.stdout)
    assert counts, result.stdout
    assert int(counts[2]) == len(done) and int(counts[1]) == 40 - len(done)
    for name, stamp in before.items():  # finished files were kept, not rewritten
        path = out / "parts" / name
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == stamp
    assert not list((out / "parts").glob(".*"))  # no temporary leftovers
    assert read_manifest(out)["status"] == "complete"

    resumed = load_records(out)
    key = ["variant", "policy", "rep", "week", "metric"]
    assert not resumed.duplicated(key).any()
    assert resumed[["variant", "rep"]].drop_duplicates().shape[0] == 40
    # identical to a sweep that was never interrupted
    clean = tmp_path / "clean"
    assert main(sweep_args(scenario_file, clean, 20, "--jobs", "1")) == 0
    pd.testing.assert_frame_equal(resumed, load_records(clean))


def test_sweep_sensitivity_robustness_end_to_end(tmp_path, scenario_file, capsys):
    out = tmp_path / "sw"
    args = sweep_args(scenario_file, out, 4, "--method", "morris", "--jobs", "1")
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "12 variants (morris) x 2 policies x 2 reps" in printed
    assert "24 tasks (24 computed)" in printed
    assert main(args) == 0  # the same command again: nothing left to do
    assert "24 tasks (0 computed, 24 already done)" in capsys.readouterr().out

    csv = tmp_path / "indices.csv"
    assert main(["sensitivity", str(out), "--out", str(csv)]) == 0
    printed = capsys.readouterr().out
    assert "index mu_star" in printed and "behaviour.voluntary_quit_rate" in printed
    table = pd.read_csv(csv)
    assert set(table["index"]) == {"mu_star", "mu", "sigma"}
    assert set(table["policy"]) == {"fire_bottom", "keep_all"}
    assert {"voluntary_attrition", "payroll_growth"} <= set(table["metric"])
    # voluntary attrition responds to the quit rate more than to rating reliability
    va = table[(table["metric"] == "voluntary_attrition") & (table["index"] == "mu_star")]
    by_factor = va.groupby("factor")["value"].mean()
    assert by_factor["behaviour.voluntary_quit_rate"] > by_factor["behaviour.raters.reliability"]

    assert (
        main(
            [
                "robustness",
                str(out),
                "--objective",
                "workforce_potential",
                "--objective",
                "voluntary_attrition=min",
                "--satisfice",
                "voluntary_attrition < 0.12 and payroll_growth < 0.04",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "Regret against the best policy" in printed
    assert "Satisficing: share of variants where voluntary_attrition < 0.12" in printed
    assert "the robust choice is" in printed


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--vary", "organization.headcount=10:20"], "only the uncertain assumptions"),
        (["--vary", "behaviour.voluntary_quit_rate=0.1:2"], "allowed 0 to 1"),
        (["--vary", "behaviour.voluntary_quit_rat=0.1:0.2"], "did you mean"),
        (["--vary", "behaviour.voluntary_quit_rate=0.1"], "path=low:high"),
        (["--vary", "environment.years=1:3", "--method", "sobol", "--samples", "10"], "power"),
        (["--vary", "environment.years=1:3", "--method", "sobl"], "invalid choice"),
        (["--vary", "environment.years=1:3", "--policies", "nope"], "unknown policies"),
        (["--vary", "environment.years=1:3", "--dask", "somewhere"], "allowed 'local'"),
    ],
)
def test_bad_sweep_input_exits_2_with_one_line(tmp_path, scenario_file, capsys, argv, message):
    args = ["sweep", str(scenario_file), "--out", str(tmp_path / "o"), "--quiet", *argv]
    try:
        code = main(args)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if "error" in line]) == 1


def test_bad_analysis_input_exits_2(tmp_path, scenario_file, capsys):
    assert main(["sensitivity", str(tmp_path / "missing")]) == 2
    assert "not an experiment folder" in capsys.readouterr().err
    out = tmp_path / "sw"
    assert main(sweep_args(scenario_file, out, 3, "--jobs", "1")) == 0
    capsys.readouterr()
    other = sweep_args(scenario_file, out, 4, "--jobs", "1")
    assert main(other) == 2
    assert "holds a different experiment" in capsys.readouterr().err
    assert main(["sensitivity", str(out), "--metrics", "voluntary_atrition"]) == 2
    assert "is not in this sweep" in capsys.readouterr().err
    bad = ["robustness", str(out), "--objective", "workforce_potential"]
    assert main([*bad, "--satisfice", "__import__('os').system('true')"]) == 2
    assert "function call is not allowed" in capsys.readouterr().err
    assert main(["robustness", str(out), "--objective", "headcount"]) == 2
    assert "no default direction" in capsys.readouterr().err
    (out / "parts" / "task-000001.parquet").unlink()
    assert main(["sensitivity", str(out)]) == 2
    assert "incomplete" in capsys.readouterr().err


@pytest.mark.slow
def test_dask_local_cluster_from_the_command_line(tmp_path, scenario_file):
    pool = tmp_path / "pool"
    dask = tmp_path / "dask"
    assert main(sweep_args(scenario_file, pool, 4, "--jobs", "2")) == 0
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "simlib.cli.main",
            *sweep_args(scenario_file, dask, 4, "--dask", "local", "--jobs", "2"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(load_records(pool), load_records(dask))


@pytest.mark.slow
def test_existing_dask_scheduler_from_the_command_line(tmp_path, scenario_file):
    from distributed import LocalCluster

    pool = tmp_path / "pool"
    remote = tmp_path / "remote"
    assert main(sweep_args(scenario_file, pool, 4, "--jobs", "2")) == 0
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        dashboard_address=None,
    ) as cluster:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "simlib.cli.main",
                *sweep_args(scenario_file, remote, 4, "--dask", cluster.scheduler_address),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(load_records(pool), load_records(remote))
