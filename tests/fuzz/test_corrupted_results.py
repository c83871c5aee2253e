"""Corrupted results folders: every damage is detected by the analysis or repaired by resume.

A finished sweep is damaged at random, one case at a time, from a pristine copy: single-bit
flips anywhere in any of its files (manifest, design, task index, parts), truncations,
foreign parts, duplicated and swapped parts. After each, ``sensitivity`` must either refuse
the folder (ExperimentError, one line naming the file) or give exactly the undamaged answer,
and running the same sweep again must repair it to the undamaged records, or refuse it
(a damaged manifest cannot say which experiment the folder held). A silent change is a
failure. ``make test`` runs 200 flips, repeatably; ``make fuzz`` runs ``SIMLIB_FUZZ_FLIPS``
(2,000 there) fresh ones.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simlib.analysis.sensitivity import sensitivity
from simlib.experiments.model import FunctionModel
from simlib.experiments.sampling import make_design
from simlib.experiments.sweep import run_sweep
from simlib.storage.design import Factor
from simlib.storage.store import ExperimentError, load_records, part_path, read_design
from tests.fuzz.settings import EXPLORE, TALLY

FLIPS = int(os.environ.get("SIMLIB_FUZZ_FLIPS", 200))
RESAMPLES = 10  # SALib's bootstrap: the answer compared, not its precision
SEED = int.from_bytes(os.urandom(4), "little") if EXPLORE else 2411


def payoff(x: float, y: float, policy: str, rep: int) -> dict:
    """Gain rises with x under 'bold', falls with y; cost rises with y."""
    tilt = 1.0 if policy == "bold" else 0.2
    return {"gain": tilt * x - 0.5 * y + 0.01 * rep, "cost": 0.1 * y + 0.001 * x}


MODEL = FunctionModel(payoff, policies=["steady", "bold"])
DESIGN = make_design([Factor("x", 0.0, 1.0), Factor("y", 0.0, 1.0)], 12, "lhs", seed=5)


def sweep(out: Path):
    return run_sweep(MODEL, DESIGN, out, reps=2, task_size=3)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    out = tmp_path_factory.mktemp("corrupt") / "pristine"
    sweep(out)
    return out, sensitivity(out, num_resamples=RESAMPLES), load_records(out)


def files_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def judge(work: Path, reference: pd.DataFrame, records: pd.DataFrame) -> str:
    """'detected', 'harmless' or 'SILENT' for the analysis; then check resume's repair."""
    try:
        answer = sensitivity(work, num_resamples=RESAMPLES)
    except ExperimentError:
        outcome = "detected"
    else:
        same = answer.equals(reference) and answer.attrs == reference.attrs
        outcome = "harmless" if same else "SILENT"
    if outcome == "detected":
        try:
            sweep(work)
        except ExperimentError as exc:
            assert "manifest.json" in str(exc), exc  # only a damaged manifest is refused
            return "detected, resume refused"
        pd.testing.assert_frame_equal(load_records(work), records)
        pd.testing.assert_frame_equal(read_design(work), DESIGN.variants)
        return "detected, repaired by resume"
    return outcome


def test_random_bit_flips_are_each_detected_or_repaired(pristine, tmp_path):
    source, reference, records = pristine
    files = files_of(source)
    sizes = np.array([p.stat().st_size for p in files])
    rng = np.random.default_rng(SEED)
    work = tmp_path / "work"
    tally: Counter[str] = Counter()
    for _ in range(FLIPS):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(source, work)
        # a bit anywhere in the folder, every byte equally likely
        byte = int(rng.integers(sizes.sum()))
        which = int(np.searchsorted(np.cumsum(sizes), byte, side="right"))
        offset = byte - int(np.cumsum(sizes)[which - 1] if which else 0)
        target = work / files[which].relative_to(source)
        data = bytearray(target.read_bytes())
        data[offset] ^= 1 << int(rng.integers(8))
        target.write_bytes(bytes(data))
        verdict = judge(work, reference, records)
        assert verdict != "SILENT", f"flip in {target.name} at byte {offset} changed the answer"
        tally[verdict] += 1
    TALLY.update({f"tried:bit flips {k}": v for k, v in tally.items()})
    assert sum(tally.values()) == FLIPS and tally["detected, repaired by resume"] > 0


def test_truncated_foreign_duplicated_and_swapped_parts(pristine, tmp_path):
    source, reference, records = pristine
    rng = np.random.default_rng(SEED + 1)
    work = tmp_path / "work"
    n_tasks = len(list((source / "parts").iterdir()))
    cases = Counter()
    for _ in range(25):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(source, work)
        a, b = (int(i) for i in rng.choice(n_tasks, 2, replace=False))
        kind = ["truncate", "foreign", "duplicate", "swap", "drop-index"][int(rng.integers(5))]
        if kind == "truncate":
            path = part_path(work, a)
            path.write_bytes(path.read_bytes()[: int(rng.integers(path.stat().st_size))])
        elif kind == "foreign":
            shutil.copy(part_path(work, a), work / "parts" / f"task-{999_000 + a:06d}.parquet")
        elif kind == "duplicate":
            shutil.copy(part_path(work, a), part_path(work, b))
        elif kind == "swap":
            pa_, pb = part_path(work, a), part_path(work, b)
            tmp = pa_.with_suffix(".swap")
            pa_.rename(tmp), pb.rename(pa_), tmp.rename(pb)
        else:
            lines = (work / "tasks.jsonl").read_text().splitlines()
            del lines[a]
            (work / "tasks.jsonl").write_text("\n".join(lines) + "\n")
        assert judge(work, reference, records) == "detected, repaired by resume", kind
        cases[kind] += 1
    TALLY.update({f"tried:damaged parts ({k})": v for k, v in cases.items()})


@pytest.mark.parametrize("kind", ["foreign", "duplicate", "swap"])
def test_robustness_refuses_damaged_parts_and_resume_counts_only_real_tasks(
    pristine, tmp_path, capsys, kind
):
    """The trial's foreign, duplicated and swapped parts were read by ``robustness`` too,
    which exited 0 with changed answers; resume called a folder with a foreign part done
    ("49 already done" of 48)."""
    from simlib.analysis.robustness import SweepTable
    from simlib.cli.main import main

    source, _, records = pristine
    work = tmp_path / "work"
    shutil.copytree(source, work)
    if kind == "foreign":
        shutil.copy(part_path(work, 1), work / "parts" / "task-999999.parquet")
    elif kind == "duplicate":
        shutil.copy(part_path(work, 1), part_path(work, 2))
    else:
        a, b = part_path(work, 1), part_path(work, 2)
        a.rename(work / "swap"), b.rename(a), (work / "swap").rename(b)
    with pytest.raises(ExperimentError):
        SweepTable.load(work)
    assert main(["robustness", str(work), "--objective", "gain=max"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "parts" in err, err
    summary = sweep(work)
    assert summary.already_done + summary.computed == summary.tasks
    assert summary.already_done < summary.tasks or kind == "foreign"
    pd.testing.assert_frame_equal(load_records(work), records)
    SweepTable.load(work)  # repaired
