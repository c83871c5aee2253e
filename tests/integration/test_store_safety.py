"""One writer per folder, saves that are whole, and one line for every refused output folder.

These reproduce the attack trial's storage cases with real processes: two sweeps racing
into one folder at several start offsets, a comparison killed at random moments while it
saves, a full disk, an ``--out`` that is a file or a sweep, and ``show`` on a damaged
folder.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simlib
from simlib.analysis.outcomes import load_outcomes
from simlib.analysis.results import Results
from simlib.cli.main import main
from simlib.storage import store as store_module
from simlib.storage.lock import FolderBusyError, folder_lock
from simlib.storage.store import ExperimentError, read_manifest
from tests.conftest import ROOT, lock_held_elsewhere

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks and signals")

WRITER = textwrap.dedent(
    """
    import sys, time
    from simlib.experiments.model import FunctionModel
    from simlib.experiments.sampling import make_design
    from simlib.experiments.sweep import run_sweep
    from simlib.storage.design import Factor

    def slow(x, policy, rep):
        time.sleep(0.01)
        return {"gain": x + (policy == "bold") * 0.1}

    design = make_design([Factor("x", 0.0, 1.0)], 12, "lhs", seed=int(sys.argv[2]))
    try:
        run_sweep(FunctionModel(slow, policies=["steady", "bold"]), design, sys.argv[1], reps=2)
    except Exception as exc:
        print(type(exc).__name__ + ": " + str(exc))
        sys.exit(2)
    print("done")
    """
)


def start_writer(script: Path, out: Path, seed: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(script), str(out), str(seed)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.parametrize("offset", [0.0, 0.3, 1.0, None])
def test_two_sweeps_into_one_folder_never_mix(tmp_path, offset):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    out = tmp_path / "sweep"
    first = start_writer(script, out, seed=1)
    if offset is None:  # the second starts after the first finished
        first.wait(timeout=120)
    else:
        time.sleep(offset)
    second = start_writer(script, out, seed=2)
    outputs = [p.communicate(timeout=120)[0] for p in (first, second)]
    codes = [first.returncode, second.returncode]
    assert sorted(codes) == [0, 2], outputs
    loser = outputs[codes.index(2)]
    assert (
        "FolderBusyError" in loser and "another simlib command is writing here (pid " in loser
    ) or "holds a different experiment" in loser, loser
    # the folder holds the winner's experiment alone, and it verifies
    winner_seed = 1 if codes[0] == 0 else 2
    assert read_manifest(out)["sweep"]["seed"] == winner_seed
    outcomes = load_outcomes(out)
    assert len(outcomes) == 12 * 2 * 2


def test_a_second_writer_is_refused_at_once_naming_the_holder(tmp_path):
    out = tmp_path / "cmp"
    with lock_held_elsewhere(out, "simlib compare x.yaml") as holder:
        started = time.monotonic()
        with pytest.raises(FolderBusyError, match=rf"pid {holder.pid}, started .*simlib compare"):
            with folder_lock(out):
                pass
        assert time.monotonic() - started < 1.0
    # the holder was killed (SIGKILL): the operating system released the lock
    with folder_lock(out):  # free again, no stale lock
        pass


def small_results(seed: int, rows: int = 20_000) -> Results:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "policy": rng.choice(["absolute", "forced"], rows),
            "rep": rng.integers(0, 5, rows),
            "week": rng.integers(0, 52, rows).astype(float),
            "metric": "engagement",
            "value": rng.normal(size=rows),
        }
    )
    manifest = {"policies": ["absolute", "forced"], "baseline": "absolute", "seed": seed}
    return Results(frame, manifest)


SAVER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[2])
    from tests.integration.test_store_safety import small_results
    print("ready", flush=True)
    for i in range(10_000):
        small_results(2 + i % 2).save(sys.argv[1])
    """
)


def test_a_save_killed_at_any_moment_leaves_the_old_or_the_new_set_whole(tmp_path):
    out = tmp_path / "cmp"
    small_results(1).save(out)
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(12):
        saver = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(out), str(ROOT)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            text=True,
        )
        assert saver.stdout.readline().strip() == "ready"
        time.sleep(float(rng.uniform(0.0, 0.6)))
        saver.send_signal(signal.SIGKILL)
        saver.wait()
        loaded = Results.load(out)  # whole and verified, every time
        seen.add(loaded.manifest["seed"])
        pd.testing.assert_frame_equal(loaded.frame, small_results(loaded.manifest["seed"]).frame)
    assert seen - {1}  # some kills came after a save had completed


def test_a_full_disk_keeps_the_old_set_and_says_so_in_one_line(tmp_path, monkeypatch):
    out = tmp_path / "cmp"
    small_results(1).save(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "atomic_write_bytes", full)
    with pytest.raises(ExperimentError, match=r"could not save the results \(No space left"):
        small_results(2).save(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cmp.lock", "cmp"]


@pytest.fixture
def scenario_file(tmp_path, tiny) -> Path:
    import yaml

    scenario = {**tiny, "environment": {**tiny["environment"], "years": 1}}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(scenario))
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and err.count("\n") == 0, err
    return code, err


def test_compare_out_that_is_a_file_or_a_sweep_is_refused_before_simulating(
    tmp_path, scenario_file, capsys
):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    code, err = run_cli(capsys, "compare", str(scenario_file), "--reps", "2", "--out", str(a_file))
    assert code == 2 and "exists and is not a folder" in err
    assert a_file.read_text() == "mine"

    sweep = tmp_path / "sweep"
    simlib.run_sweep(scenario_file, ["behaviour.voluntary_quit_rate=0.0:0.1"], sweep, samples=2)
    before = sorted(p.name for p in sweep.rglob("*"))
    code, err = run_cli(capsys, "compare", str(scenario_file), "--reps", "2", "--out", str(sweep))
    assert code == 2 and "holds a sweep, not a comparison" in err
    assert sorted(p.name for p in sweep.rglob("*")) == before
    load_outcomes(sweep)  # not orphaned: still whole


def test_show_refuses_a_damaged_comparison_with_one_line(tmp_path, capsys):
    out = tmp_path / "cmp"
    small_results(1).save(out)
    data = bytearray((out / "results.parquet").read_bytes())
    data[300] ^= 0x04
    (out / "results.parquet").write_bytes(bytes(data))
    code, err = run_cli(capsys, "show", str(out))
    assert code == 2 and "cmp/results.parquet: damaged" in err
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["seed"] = 9
    (out / "manifest.json").write_text(json.dumps(manifest))
    code, err = run_cli(capsys, "show", str(out))
    assert code == 2 and "manifest.json: damaged" in err
