"""Consequences of grades: exits for the bottom grade, consecutive low grades, and PIPs.

A policy's exit rule names who must go after a review. With a PIP rule, those people first
get a performance improvement plan: coaching that lifts their skill, then a rating of their
performance over the plan; only those who score below the pass mark leave.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.engagement import pip_started
from simlib.mechanisms.exits import leave
from simlib.mechanisms.rater_judgement import reliability_scores
from simlib.scenario.policy import PipRule
from simlib.state.simulation_state import Review, SimState


def apply_consequences(sim: SimState, grades: np.ndarray) -> None:
    """Update grade history from this review's ``grades`` (-1 = not rated) and act on it."""
    wf = sim.workforce
    rule = sim.policy.consequences
    bottom_grade = len(sim.policy.rating.grades) - 1
    rated = grades >= 0
    bottom = grades == bottom_grade
    wf.bottom_streak[rated & bottom] += 1
    wf.bottom_streak[rated & ~bottom] = 0
    wf.last_grade[rated] = grades[rated]

    due = np.zeros(wf.size, dtype=bool)
    if rule.terminate_bottom_grade:
        due |= bottom
    if rule.consecutive_bottom_to_exit is not None:
        due |= rated & (wf.bottom_streak >= rule.consecutive_bottom_to_exit)
    rows = np.flatnonzero(due & wf.active & ~wf.on_pip)
    if rule.pip is None:
        leave(sim, rows, voluntary=False)
    elif len(rows):
        sim.env.process(improvement_plan(sim, rows, rule.pip))


def improvement_plan(sim: SimState, rows: np.ndarray, rule: PipRule) -> Generator[Any, Any, None]:
    """A PIP for everyone in ``rows`` (started together): coach, wait, rate, decide."""
    wf = sim.workforce
    sim.catch_up()
    wf.on_pip[rows] = True
    wf.skill[rows] += rule.improvement_sd
    pip_started(sim, rows)
    hired = wf.hired_week[rows].copy()  # identifies the person, not just the position
    perf0, weeks0 = wf.perf_cum[rows].copy(), wf.weeks_cum[rows].copy()
    sim.counts.pips += len(rows)
    sim.log("pip", len(rows))
    yield sim.env.timeout(rule.weeks)
    sim.catch_up()
    same = wf.active[rows] & (wf.hired_week[rows] == hired) & wf.on_pip[rows]
    rows, perf0, weeks0 = rows[same], perf0[same], weeks0[same]
    wf.on_pip[rows] = False
    if len(rows) == 0:
        return
    weeks = np.maximum(wf.weeks_cum[rows] - weeks0, 1e-9)
    noise_sd = sim.scenario.behaviour.performance_noise_sd
    rng = sim.streams["pip"]
    true = (wf.perf_cum[rows] - perf0) / weeks + noise_sd * rng.standard_normal(
        len(rows)
    ) / np.sqrt(np.maximum(weeks, 1.0))
    scores = reliability_scores(true, sim.scenario.behaviour.raters.reliability, rng)
    failed = rows[scores < rule.pass_score]
    sim.counts.pips_failed += len(failed)
    leave(sim, failed, voluntary=False)


def act_on_grades(sim: SimState, review: Review) -> None:
    apply_consequences(sim, review.grades)


MECHANISM = Mechanism(
    "consequences",
    steps=(Step("review", act_on_grades, after=("raters",)),),
    summary="exits for the bottom grade or consecutive low grades; performance improvement plans",
)
