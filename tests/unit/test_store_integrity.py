"""Integrity of results folders: damaged, foreign, swapped or duplicated files are never read.

Each test damages a finished sweep the way the attack trial did, then checks that analysis
refuses the folder with one line naming the file, and that running the same sweep again
repairs it to exactly the records of an undamaged run.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from simlib.analysis.outcomes import load_outcomes
from simlib.cli.main import main
from simlib.experiments.model import FunctionModel
from simlib.experiments.sampling import make_design
from simlib.experiments.sweep import run_sweep
from simlib.storage.checksums import index_line
from simlib.storage.design import Factor
from simlib.storage.store import (
    DESIGN,
    MANIFEST,
    ExperimentError,
    finished_tasks,
    load_records,
    part_path,
    read_design,
    read_manifest,
)


def payoff(x: float, y: float, policy: str, rep: int) -> dict:
    """Two policies whose gain depends on x and y (known, smooth)."""
    tilt = 1.0 if policy == "bold" else 0.2
    return {"gain": tilt * x - 0.5 * y + 0.01 * rep, "cost": 0.1 * y}


MODEL = FunctionModel(payoff, policies=["steady", "bold"])
DESIGN_8 = make_design([Factor("x", 0.0, 1.0), Factor("y", 0.0, 1.0)], 8, "lhs", seed=3)


def sweep(out):
    return run_sweep(MODEL, DESIGN_8, out, reps=2, task_size=2)


@pytest.fixture
def finished(tmp_path):
    out = tmp_path / "sweep"
    summary = sweep(out)
    assert summary.tasks == 8
    return out, load_records(out)


def flip_bit(path, position: int) -> None:
    data = bytearray(path.read_bytes())
    data[position // 8] ^= 1 << (position % 8)
    path.write_bytes(bytes(data))


def refused(out, match: str) -> None:
    with pytest.raises(ExperimentError, match=match):
        load_outcomes(out)


def test_a_foreign_part_is_refused_then_removed_by_resume(finished):
    out, records = finished
    shutil.copy(part_path(out, 3), out / "parts" / "task-999999.parquet")
    refused(out, r"sweep/parts/task-999999.parquet: not a part of this experiment \(8 tasks\)")
    again = sweep(out)  # was "49 already done" of 48: the foreign file counted as a task
    assert (again.already_done, again.computed) == (8, 0)
    assert not (out / "parts" / "task-999999.parquet").exists()
    pd.testing.assert_frame_equal(load_records(out), records)


def test_swapped_parts_are_refused_then_recomputed(finished):
    out, records = finished
    a, b = part_path(out, 1), part_path(out, 2)
    tmp = a.with_name("swap")
    a.rename(tmp)
    b.rename(a)
    tmp.rename(b)
    refused(out, r"sweep/parts/task-00000[12].parquet: damaged")
    again = sweep(out)
    assert (again.already_done, again.computed) == (6, 2)
    pd.testing.assert_frame_equal(load_records(out), records)


def test_a_duplicated_part_is_refused_even_with_its_checksum_recorded(finished):
    out, records = finished
    # the copy of task 0 under task 5's name, and task 0's checksum recorded for task 5
    shutil.copy(part_path(out, 0), part_path(out, 5))
    index = (out / "tasks.jsonl").read_text().splitlines()
    line0 = next(line for line in index if '"task": 0' in line)
    entry = json.loads(line0)
    with open(out / "tasks.jsonl", "a") as handle:
        handle.write(index_line(5, entry["sha256"], entry["rows"]) + "\n")
    refused(out, r"task-000005.parquet: holds other variants or replications than task 5")
    again = sweep(out)
    assert again.computed == 1
    pd.testing.assert_frame_equal(load_records(out), records)


@pytest.mark.parametrize("cut", [0, 10, 100, -8])
def test_a_truncated_part_is_refused_then_recomputed(finished, cut):
    out, records = finished
    path = part_path(out, 4)
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut >= 0 else data[:-1] + b"\x00")
    refused(out, r"sweep/parts/task-000004.parquet: damaged")
    assert 4 not in finished_tasks(out)
    assert sweep(out).computed == 1
    pd.testing.assert_frame_equal(load_records(out), records)


def test_every_bit_flip_in_one_part_is_detected(finished):
    out, records = finished
    path = part_path(out, 6)
    original = path.read_bytes()
    rng = np.random.default_rng(7)
    positions = rng.choice(len(original) * 8, size=60, replace=False)
    messages = []
    for position in positions:
        flip_bit(path, int(position))
        assert path.read_bytes() != original  # the part really is damaged
        with pytest.raises(ExperimentError) as refusal:
            load_outcomes(out)
        messages.append(str(refusal.value))
        path.write_bytes(original)
    assert len(messages) == len(positions)  # every flip refused...
    assert all("task-000006.parquet: damaged" in m for m in messages)  # ...naming the part
    pd.testing.assert_frame_equal(load_records(out), records)  # whole again, same records


def test_a_damaged_design_is_refused_then_rewritten_by_resume(finished):
    out, records = finished
    flip_bit(out / DESIGN, 8 * 200 + 3)
    with pytest.raises(ExperimentError, match=r"sweep/design.parquet: damaged"):
        read_design(out)
    refused(out, "design.parquet: damaged")
    again = sweep(out)
    assert again.computed == 0
    pd.testing.assert_frame_equal(read_design(out), DESIGN_8.variants.reset_index(drop=True))
    pd.testing.assert_frame_equal(load_records(out), records)


def test_a_changed_manifest_value_is_refused(finished):
    out, _ = finished
    text = (out / MANIFEST).read_text()
    assert '"high": 1.0' in text
    (out / MANIFEST).write_text(text.replace('"high": 1.0', '"high": 3.0', 1))
    with pytest.raises(ExperimentError, match="manifest.json: damaged"):
        read_manifest(out)


def test_a_damaged_task_index_line_vouches_for_nothing(finished):
    out, records = finished
    lines = (out / "tasks.jsonl").read_text().splitlines()
    lines[2] = lines[2].replace('"task": 2', '"task": 3')
    (out / "tasks.jsonl").write_text("\n".join(lines) + "\n")
    refused(out, r"task-000002.parquet: no checksum recorded")
    assert sweep(out).computed == 1
    pd.testing.assert_frame_equal(load_records(out), records)


@pytest.mark.parametrize("command", [["sensitivity"], ["robustness", "--objective", "gain=max"]])
def test_analysis_commands_refuse_a_damaged_folder_with_one_line(finished, command, capsys):
    out, _ = finished
    flip_bit(part_path(out, 2), 8 * 50)
    code = main([*command, str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0 and "Traceback" not in err
    assert "sweep/parts/task-000002.parquet: damaged" in err
