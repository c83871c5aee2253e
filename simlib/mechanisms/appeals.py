"""Appeals: employees rated well below their own assessment may contest the rating.

After a review, an employee whose final rating falls short of their self-assessment by
more than ``behaviour.appeals.threshold_sd`` appeals with a probability that rises with the
gap (``propensity_per_sd`` per SD above the threshold, capped at ``max_share``). Each appeal
is a case that waits for one of the policy's HR/committee panels (a SimPy ``Resource``) and
is heard for ``weeks_per_case``.

The panel re-reads the case: its reading of how far the rating falls below the
employee's true standing is the real error plus noise, with ``evidence_reliability`` the
share of the reading's variance that is real. It overturns when the reading passes the bar
that, with evidence that says nothing, would uphold ``overturn_share`` of appeals; so it
overturns wrong ratings more often than right ones, and equally often when the evidence
carries no information. An overturned grade rises one step (and a bottom grade no longer
counts toward consecutive-bottom exits). The outcome moves the employee's perceived
fairness: up when upheld in their favour, down when rejected. Appeals are few, so one
SimPy process per case is cheap.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
from scipy.special import ndtri

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.grading import absolute_grades
from simlib.scenario.rater_behaviour import AppealBehaviour
from simlib.scenario.rating import AppealRule, RatingPolicy
from simlib.state.simulation_state import Review, SimState


def appeal_probability(gap: np.ndarray, beh: AppealBehaviour) -> np.ndarray:
    """Probability of appealing given self-assessment minus final rating (SD units)."""
    excess = np.maximum(gap - beh.threshold_sd, 0.0)
    return np.where(
        gap > beh.threshold_sd, np.minimum(beh.propensity_per_sd * excess, beh.max_share), 0.0
    )


def standing(values: np.ndarray) -> np.ndarray:
    """Values standardized over the group (mean 0, SD 1; all 0 without spread)."""
    sd = float(values.std()) if len(values) else 0.0
    return (values - values.mean()) / sd if sd > 0 else np.zeros(len(values))


def rating_errors(true_performance: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """How far each rating's standing falls below the true standing (SD units).

    Both are standings among the rated, so a general leniency is no error; positive means
    the rating undersells the person.
    """
    return standing(true_performance) - standing(scores)


def deserved_grades(
    rating: RatingPolicy, true_performance: np.ndarray, scores: np.ndarray
) -> np.ndarray:
    """The grade (0 = best) each rated person's true performance earns under ``rating``.

    Absolute thresholds: the true standing put on the ratings' own scale (their mean and
    spread). Forced distribution: the grade whose share holds the true standing's quantile.
    """
    true_z = standing(true_performance)
    if rating.scheme == "absolute":
        on_scale = scores.mean() + scores.std() * true_z
        return absolute_grades(on_scale, rating.grade_thresholds())
    upper = np.cumsum(rating.grade_shares())[:-1]
    return absolute_grades(true_z, list(ndtri(1.0 - upper)))


def panel_overturns(
    error: np.ndarray | float, rule: AppealRule, draws: np.ndarray | float
) -> np.ndarray:
    """Whether a panel overturns ratings with ``error`` (SD units), given its noise ``draws``.

    The reading is ``sqrt(rel) * error + sqrt(1 - rel) * draw``; the bar is the quantile
    that a reading without information passes with probability ``overturn_share``.
    """
    rel = rule.evidence_reliability
    reading = np.sqrt(rel) * np.asarray(error) + np.sqrt(1.0 - rel) * np.asarray(draws)
    return np.asarray(reading > ndtri(1.0 - rule.overturn_share))


def file_appeals(
    sim: SimState,
    rows: np.ndarray,
    final_scores: np.ndarray,
    self_scores: np.ndarray,
    people: np.ndarray | None = None,
    errors: np.ndarray | None = None,
    wrong: np.ndarray | None = None,
) -> int:
    """Decide who appeals among the rated ``rows`` and start their cases; return how many.

    ``people`` (the rated employees' ``hired_week``) makes sure that someone who has left
    since the rating, and whose position was refilled at once, does not appeal through
    their successor. ``errors`` are the ratings' errors (see
    :func:`rating_errors`; default 0) and ``wrong`` whether each grade is worse than true
    performance earns (default False). One uniform per position is drawn from the
    ``appeals`` stream at every review, whether or not appeals are allowed, to keep the
    stream aligned across policies.
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
    chosen = (draws[rows] < p) & still_here
    appealing = rows[chosen]
    case_errors = np.zeros(len(rows)) if errors is None else errors
    case_wrong = np.zeros(len(rows), dtype=bool) if wrong is None else wrong
    sim.counts.appeals += len(appealing)
    sim.log("appeal", len(appealing))
    for row, error, is_wrong in zip(
        appealing.tolist(),
        case_errors[chosen].tolist(),
        case_wrong[chosen].tolist(),
        strict=True,
    ):
        sim.env.process(appeal_case(sim, row, error, is_wrong))
    return len(appealing)


def appeal_case(
    sim: SimState, row: int, error: float = 0.0, wrong: bool = False
) -> Generator[Any, Any, None]:
    """One appeal: wait for a panel, hear the case, decide, and tell the employee."""
    wf = sim.workforce
    rule = sim.policy.rating.appeals
    beh = sim.scenario.behaviour.appeals
    person = wf.hired_week[row]
    with sim.appeal_panels.request() as request:
        yield request
        yield sim.env.timeout(rule.weeks_per_case)
    sim.counts.manager_hours += rule.hours_per_case
    draw = sim.streams["appeal_outcomes"].standard_normal()
    overturned = bool(panel_overturns(error, rule, draw))
    if not (wf.active[row] and wf.hired_week[row] == person):
        return  # the employee has left: the case lapses
    sim.counts.appeals_heard += 1
    sim.counts.appeals_heard_wrong += int(wrong)
    if overturned:
        sim.counts.appeals_overturned += 1
        sim.counts.appeals_wrong_overturned += int(wrong)
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
    true_perf, scores = review.true_performance[rated], review.scores[rated]
    deserved = deserved_grades(sim.policy.rating, true_perf, scores)
    review.appeals = file_appeals(
        sim,
        rated,
        scores,
        review.self_assessment[rated],
        review.rated_people,
        errors=rating_errors(true_perf, scores),
        wrong=review.grades[rated] > deserved,
    )


MECHANISM = Mechanism(
    "appeals",
    steps=(Step("review", appeal_after_review, after=("consequences",)),),
    summary="employees rated well below their self-assessment contest it before a panel that "
    "re-reads the evidence",
)
