"""Exit checks: quits, layoffs and discharges in one calendar event, searches started once."""

from __future__ import annotations

import numpy as np

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.registry import MECHANISMS
from simlib.state.simulation_state import SimState


def scenario(quit_rate: float = 0.3, layoff_rate: float = 0.05) -> dict:
    return {
        "organization": {"headcount": 200, "span_of_control": 8},
        "environment": {"years": 1, "exit_check_weeks": 4},
        "hiring": {"time_to_fill_weeks": 6, "recruiters": None},
        "behaviour": {
            "voluntary_quit_rate": quit_rate,
            "exits": {"layoff_rate": layoff_rate, "discharge_rate": 0.02},
        },
        "policies": {"absolute": {"preset": "absolute"}},
    }


def run_with_spy(spec: dict, when=None) -> tuple[Simulation, list[tuple[float, int, int]]]:
    """Run with a last exit-check step that sees the queue before searches start."""
    seen: list[tuple[float, int, int]] = []

    def spy(sim: SimState) -> None:
        seen.append((sim.now, len(sim.requisitions.waiting), sim.counts.quits + sim.counts.exits))

    spy_mechanism = Mechanism("spy", steps=(Step("exit_check", spy, ("exits", "layoffs"), when),))
    sim = Simulation(
        load_scenario(spec),
        "absolute",
        seed=5,
        mechanisms=(*MECHANISMS, spy_mechanism),
        trace=True,
        neutral_quit_rate=0.3,
    )
    sim.run()
    return sim, seen


def test_a_check_every_interval_whose_leavers_wait_until_its_end():
    sim, seen = run_with_spy(scenario())
    assert [week for week, _, _ in seen] == [4.0 * k for k in range(1, 14)]
    left = np.diff([0] + [n for _, _, n in seen])
    # Every leaver of a check waits in the queue until the check is done (nobody else does:
    # recruiters are unlimited), and they all leave at the check's week.
    assert [waiting for _, waiting, _ in seen] == list(left[: len(seen)])
    assert left.sum() > 10
    assert len(sim.requisitions.waiting) == 0
    leavers = [(w, e) for w, e, _ in sim.trace if e in ("quit", "layoff", "discharge")]
    assert {w for w, _ in leavers} <= {week for week, _, _ in seen}


def test_a_step_that_does_not_act_is_left_off_and_no_idle_check_is_scheduled():
    _, seen = run_with_spy(scenario(), when=lambda sim: False)
    assert seen == []
    sim, seen = run_with_spy(scenario(quit_rate=0.0, layoff_rate=0.0), when=lambda sim: False)
    assert seen == [] and sim.counts.quits == 0 and sim.counts.exits == sim.counts.discharges
