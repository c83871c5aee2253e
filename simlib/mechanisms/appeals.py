"""Appeals: employees rated well below their own assessment may contest the rating.

After a review, an employee whose final rating falls short of their self-assessment by
more than ``behaviour.appeals.threshold_sd`` appeals with a probability that rises with the
gap (``propensity_per_sd`` per SD above the threshold, capped at ``max_share``). Each appeal
is a case that waits for one of the policy's HR/committee panels (first come, first served)
and is heard for ``weeks_per_case``.

The panel re-reads the case: its reading of how far the rating falls below the
employee's true standing is the real error plus noise, with ``evidence_reliability`` the
share of the reading's variance that is real. It overturns when the reading passes the bar
that, with evidence that says nothing, would uphold ``overturn_share`` of appeals; so it
overturns wrong ratings more often than right ones, and equally often when the evidence
carries no information. An overturned grade rises one step (and a bottom grade no longer
counts toward consecutive-bottom exits). The outcome moves the employee's perceived
fairness: up when upheld in their favour, down when rejected.

The queue is served on the calendar as a SimPy ``Resource`` with one process per case would
serve it, event for event (a case asks for a panel as soon as it is filed, before anything
else due then; a panel freed by a decision is offered to the first case in line once the
other events then due have happened), with three small calendar entries per case instead
of a process.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtri

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.grading import absolute_grades
from simlib.scenario.rater_behaviour import AppealBehaviour
from simlib.scenario.rating import AppealRule, RatingPolicy
from simlib.state.moments import mean_sd
from simlib.state.simulation_state import Review, SimState


def appeal_probability(gap: np.ndarray, beh: AppealBehaviour) -> np.ndarray:
    """Probability of appealing given self-assessment minus final rating (SD units)."""
    excess = np.maximum(gap - beh.threshold_sd, 0.0)
    return np.where(
        gap > beh.threshold_sd, np.minimum(beh.propensity_per_sd * excess, beh.max_share), 0.0
    )


def standing(values: np.ndarray) -> np.ndarray:
    """Values standardized over the group (mean 0, SD 1; all 0 without spread)."""
    if not len(values):
        return np.zeros(0)
    centre, sd = mean_sd(values)
    return (values - centre) / sd if sd > 0 else np.zeros(len(values))


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
        centre, sd = mean_sd(scores)
        on_scale = centre + sd * true_z
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
    cases = list(
        zip(
            appealing.tolist(),
            case_errors[chosen].tolist(),
            case_wrong[chosen].tolist(),
            strict=True,
        )
    )
    if cases:
        sim.env.process(ask_for_panels(sim, cases))
    return len(appealing)


@dataclass(frozen=True)
class AppealCase:
    """One appeal on its way through the panels."""

    row: int  # the appellant's position
    person: float  # who they are (their ``hired_week``), to tell if they have left
    error: float  # how far the rating falls below their true standing (SD units)
    wrong: bool  # the grade is worse than their true performance earns


def ask_for_panels(
    sim: SimState, cases: list[tuple[int, float, bool]]
) -> Generator[Any, Any, None]:
    """The cases of one review join the queue at once, in order, each taking a free panel."""
    hired_week = sim.workforce.hired_week
    panels = sim.appeal_panels
    for row, error, wrong in cases:
        panels.waiting.append(AppealCase(row, float(hired_week[row]), error, wrong))
        offer_panel(sim)
    return
    yield  # a process that ends at its first step


def offer_panel(sim: SimState) -> None:
    """A free panel takes the first case in line (one offer per occasion); the hearing
    starts once the other events due now have happened."""
    panels = sim.appeal_panels
    if panels.waiting and panels.hearing < panels.capacity:
        case = panels.waiting.popleft()
        panels.hearing += 1
        sim.env.timeout(0).callbacks.append(lambda _: hear(sim, case))


def hear(sim: SimState, case: AppealCase) -> None:
    weeks = sim.policy.rating.appeals.weeks_per_case
    sim.env.timeout(weeks).callbacks.append(lambda _: decide(sim, case))


def decide(sim: SimState, case: AppealCase) -> None:
    """The panel decides and tells the employee; it is offered the next case."""
    sim.appeal_panels.hearing -= 1
    sim.env.timeout(0).callbacks.append(lambda _: offer_panel(sim))
    wf = sim.workforce
    rule = sim.policy.rating.appeals
    beh = sim.scenario.behaviour.appeals
    row = case.row
    sim.counts.manager_hours += rule.hours_per_case
    draw = sim.streams["appeal_outcomes"].standard_normal()
    overturned = bool(panel_overturns(case.error, rule, draw))
    if not (wf.active[row] and wf.hired_week[row] == case.person):
        return  # the employee has left: the case lapses
    sim.counts.appeals_heard += 1
    sim.counts.appeals_heard_wrong += int(case.wrong)
    if overturned:
        sim.counts.appeals_overturned += 1
        sim.counts.appeals_wrong_overturned += int(case.wrong)
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
    arms = sim.pilot_arms
    if arms is not None:  # a pilot: what each earns under their arm's scale
        mine = arms.in_pilot[rated]
        deserved = np.where(mine, deserved_grades(arms.pilot.rating, true_perf, scores), deserved)
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
