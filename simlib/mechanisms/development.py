"""Development: capability training for the policy's bottom grades after each review.

Training raises a trainee's skill by ``development.skill_gain_sd`` (SD units), as coaching
does, and costs ``development.hours`` of training per trainee.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.checkins import coach
from simlib.state.pilot_arms import acting_as
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
    arms = sim.pilot_arms
    if arms is None:
        train_bottom_grades(sim, review.grades)
        return
    for policy, flags in arms.each():  # a pilot: each arm trains its own bottom grades
        with acting_as(sim, policy):
            train_bottom_grades(sim, np.where(flags, review.grades, -1))


MECHANISM = Mechanism(
    "development",
    steps=(Step("after_review", train_after_review),),
    summary="capability training for the bottom grades",
)
