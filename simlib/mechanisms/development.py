"""Development: capability training for the policy's bottom grades after each review.

Training raises a trainee's skill by ``development.skill_gain_sd`` (SD units), as coaching
does, and costs ``development.hours`` of training per trainee.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.checkins import coach
from simlib.state.simulation_state import Review, SimState


def train_bottom_grades(sim: SimState, grades: np.ndarray) -> np.ndarray:
    """Capability training for the policy's bottom grades; returns the trainees."""
    rule = sim.policy.development
    if rule.bottom_grades == 0:
        return np.zeros(0, dtype=np.int64)
    first = len(sim.policy.rating.grades) - rule.bottom_grades
    rows = np.flatnonzero(sim.workforce.active & (grades >= first))
    coach(sim, rows, rule.skill_gain_sd)
    sim.counts.trainees += len(rows)
    sim.counts.training_hours += len(rows) * rule.hours
    return rows


def train_after_review(sim: SimState, review: Review) -> None:
    train_bottom_grades(sim, review.grades)


MECHANISM = Mechanism(
    "development",
    steps=(Step("after_review", train_after_review),),
    summary="capability training for the bottom grades",
)
