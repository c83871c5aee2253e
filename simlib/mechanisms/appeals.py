"""Appeals: employees rated well below their own assessment may contest the rating.

After a review, an employee whose final rating falls short of their self-assessment by
more than ``behaviour.appeals.threshold_sd`` appeals with a probability that rises with the
gap (``propensity_per_sd`` per SD above the threshold, capped at ``max_share``). Each appeal
is a case that waits for one of the policy's HR/committee panels (a SimPy ``Resource``),
is heard for ``weeks_per_case``, and is overturned with probability ``overturn_share``: the
grade rises one step (and a bottom grade no longer counts toward consecutive-bottom exits).
The outcome moves the employee's perceived fairness: up when upheld in their favour, down
when rejected. Appeals are few, so one SimPy process per case is cheap.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.scenario.rater_behaviour import AppealBehaviour
from simlib.state.simulation_state import Review, SimState


def appeal_probability(gap: np.ndarray, beh: AppealBehaviour) -> np.ndarray:
    """Probability of appealing given self-assessment minus final rating (SD units)."""
    excess = np.maximum(gap - beh.threshold_sd, 0.0)
    return np.where(
        gap > beh.threshold_sd, np.minimum(beh.propensity_per_sd * excess, beh.max_share), 0.0
    )


def file_appeals(
    sim: SimState,
    rows: np.ndarray,
    final_scores: np.ndarray,
    self_scores: np.ndarray,
    people: np.ndarray | None = None,
) -> int:
    """Decide who appeals among the rated ``rows`` and start their cases; return how many.

    ``people`` (the rated employees' ``hired_week``) makes sure that someone who has left
    since the rating, and whose position was refilled at once, does not appeal through
    their successor. One uniform per position is drawn from the ``appeals`` stream at every
    review, whether or not appeals are allowed, to keep the stream aligned across policies.
    """
    rng = sim.streams["appeals"]
    draws = rng.random(sim.workforce.size)
    rule = sim.policy.rating.appeals
    if not rule.enabled or len(rows) == 0:
        return 0
    beh = sim.scenario.behaviour.appeals
    p = appeal_probability(self_scores - final_scores, beh)
    still_here = sim.workforce.active[rows]
    if people is not None:
        still_here &= sim.workforce.hired_week[rows] == people
    appealing = rows[(draws[rows] < p) & still_here]
    sim.counts.appeals += len(appealing)
    sim.log("appeal", len(appealing))
    for row in appealing.tolist():
        sim.env.process(appeal_case(sim, row))
    return len(appealing)


def appeal_case(sim: SimState, row: int) -> Generator[Any, Any, None]:
    """One appeal: wait for a panel, hear the case, decide, and tell the employee."""
    wf = sim.workforce
    rule = sim.policy.rating.appeals
    beh = sim.scenario.behaviour.appeals
    person = wf.hired_week[row]
    with sim.appeal_panels.request() as request:
        yield request
        yield sim.env.timeout(rule.weeks_per_case)
    sim.counts.manager_hours += rule.hours_per_case
    overturned = bool(sim.streams["appeal_outcomes"].random() < rule.overturn_share)
    if not (wf.active[row] and wf.hired_week[row] == person):
        return  # the employee has left: the case lapses
    if overturned:
        sim.counts.appeals_overturned += 1
        sim.log("appeal_overturned")
        bottom = len(sim.policy.rating.grades) - 1
        if wf.last_grade[row] == bottom:
            wf.bottom_streak[row] = 0
        wf.last_grade[row] = max(int(wf.last_grade[row]) - 1, 0)
        wf.fairness_belief[row] = min(1.0, wf.fairness_belief[row] + beh.fairness_gain_overturned)
    else:
        wf.fairness_belief[row] = max(0.0, wf.fairness_belief[row] - beh.fairness_loss_upheld)


def appeal_after_review(sim: SimState, review: Review) -> None:
    if review.self_assessment is None:
        return
    rated = review.rated
    review.appeals = file_appeals(
        sim,
        rated,
        review.scores[rated],
        review.self_assessment[rated],
        review.rated_people,
    )


MECHANISM = Mechanism(
    "appeals",
    steps=(Step("review", appeal_after_review, after=("consequences",)),),
    summary="employees rated well below their self-assessment contest it before a panel",
)
