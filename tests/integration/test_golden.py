"""Results are bit-identical to a recorded reference (a guard for refactoring).

The reference holds the tidy frames of every shipped scenario and of a small scenario with
every mechanism switched on (``tests/golden/every_mechanism.yaml``), two replications each
at a fixed seed, and the counts each simulation keeps (hires, quits, manager hours, ...).
A change of behaviour is not a refactoring: it belongs in its own change, which records a
new reference with ``python tests/integration/test_golden.py --record`` and says why.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

import simlib
from simlib.engine.simulation import Simulation

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
SEED = 20261201
REPS = 2
CASES = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml")) + ["every_mechanism"]


def scenario_path(name: str) -> Path:
    shipped = ROOT / "scenarios" / f"{name}.yaml"
    return shipped if shipped.exists() else GOLDEN / f"{name}.yaml"


def run(name: str) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """The tidy frame of every policy and replication, and each simulation's final counts."""
    scenario = simlib.load_scenario(scenario_path(name))
    frame = simlib.compare(scenario, reps=REPS, seed=SEED).frame
    counts = {}
    for policy in scenario.policy_names:
        for rep in range(REPS):
            counts[f"{policy}/{rep}"] = final_counts(scenario, policy, rep)
    return frame, counts


def final_counts(scenario: simlib.Scenario, policy: str, rep: int) -> dict[str, float]:
    sim = Simulation(scenario, policy, SEED, rep)
    sim.run()
    return sim.counts.as_dict()


@pytest.mark.parametrize("name", CASES)
def test_results_match_the_recorded_reference(name: str) -> None:
    frame, counts = run(name)
    expected = pd.read_parquet(GOLDEN / f"{name}.parquet")
    # Tidy records are a set: compared in one canonical order, every value bit for bit.
    pd.testing.assert_frame_equal(canonical(frame), canonical(expected), check_exact=True)
    assert counts == json.loads((GOLDEN / f"{name}.counts.json").read_text())


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["policy", "rep", "week", "metric"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def record() -> None:
    for name in CASES:
        frame, counts = run(name)
        frame.to_parquet(GOLDEN / f"{name}.parquet", index=False)
        (GOLDEN / f"{name}.counts.json").write_text(json.dumps(counts, indent=1) + "\n")
        print(f"{name}: {len(frame)} records")


if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        record()
    else:
        sys.exit("usage: python tests/integration/test_golden.py --record")
