"""Exits: voluntary quits as a hazard, and involuntary exits decided by a policy.

Quits are drawn every ``environment.exit_check_weeks`` for everyone employed, from a yearly
rate turned into the probability of leaving within the interval. One uniform draw per
position per check keeps the quits stream aligned across policies.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np

from simlib.hiring import open_vacancies
from simlib.scenario import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from simlib.simulation import Simulation


def quit_probability(yearly_rate: float | np.ndarray, weeks: float) -> np.ndarray:
    """Probability of quitting within ``weeks`` at a constant yearly turnover rate."""
    rate = np.clip(yearly_rate, 0.0, 1.0 - 1e-12)
    return 1.0 - (1.0 - rate) ** (weeks / WEEKS_PER_YEAR)


def leave(sim: Simulation, rows: np.ndarray, reason: str) -> None:
    """People in ``rows`` leave now; their positions become vacancies."""
    if len(rows) == 0:
        return
    sim.catch_up()
    sim.workforce.vacate(rows)
    sim.counters[reason] += len(rows)
    open_vacancies(sim, rows)


def voluntary_quits(sim: Simulation) -> Generator[Any, Any, None]:
    """Every ``exit_check_weeks``, each employee quits with the hazard's probability."""
    weeks = sim.scenario.environment.exit_check_weeks
    rate = sim.scenario.behaviour.voluntary_quit_rate
    rng = sim.streams["quits"]
    while True:
        yield sim.env.timeout(weeks)
        draws = rng.random(sim.workforce.size)
        quits = sim.workforce.active & (draws < quit_probability(rate, weeks))
        leave(sim, np.flatnonzero(quits), "quits")
