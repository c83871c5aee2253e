"""Engagement and perceived fairness (both shares 0–1), and what moves them.

Engagement drifts toward a personal set point with a time constant of ``adjust_weeks``.
The set point rises with frequent check-ins of good quality (Gallup's finding that
regular manager conversations are the strongest driver), and falls under forced ranking
(stress and perceived unfairness, Schleicher et al. 2009) and for anyone whose goal looks
hopeless. Events move it at once: a grade below one's own self-assessment, entering a
PIP, a promotion. Perceived fairness is updated at every review from what people saw:
feedback quality and frequency raise it, disappointment and forced ranking lower it.
"""

from __future__ import annotations

import math

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.grading import absolute_grades
from simlib.mechanisms.incentives import is_relative
from simlib.state.simulation_state import Review, SimState

NEUTRAL_FAIRNESS = 0.6  # the new-hire level


def checkin_intensity(sim: SimState) -> float:
    """How much check-ins do for people: 1 weekly, ~0.71 biweekly, 0.5 monthly, 0 none.

    Returns diminish with frequency (square root of check-ins per week).
    """
    interval = sim.policy.checkins.interval_weeks
    return 0.0 if interval is None else 1.0 / math.sqrt(interval)


def set_point(sim: SimState) -> np.ndarray:
    """Engagement each person drifts toward under today's conditions (share 0–1)."""
    eb = sim.scenario.behaviour.engagement
    wf = sim.workforce
    assert eb is not None
    quality = sim.policy.checkins.feedback_quality
    level = eb.set_point + eb.checkin_gain * checkin_intensity(sim) * quality
    level -= eb.ranking_stress * (1.0 if is_relative(sim) else 0.0)
    point = np.subtract(1.0, wf.goal_acceptance)
    point *= eb.hopeless_penalty
    np.subtract(level, point, out=point)
    np.maximum(point, 0.0, out=point)
    return np.minimum(point, 1.0, out=point)


def advance(sim: SimState) -> None:
    """Let engagement drift toward its set point from the last update until now."""
    eb = sim.scenario.behaviour.engagement
    last = sim.engagement_clock
    sim.engagement_clock = sim.now
    if eb is None or sim.now <= last:
        return
    wf = sim.workforce
    pull = 1.0 - np.exp(-(sim.now - last) / eb.adjust_weeks)
    moved = set_point(sim)
    moved -= wf.engagement
    moved *= pull
    np.add(wf.engagement, moved, out=moved)
    np.copyto(wf.engagement, moved, where=wf.active)


def after_review(
    sim: SimState,
    grades: np.ndarray,
    true_performance: np.ndarray,
    promoted: np.ndarray,
    self_assessment: np.ndarray | None = None,
) -> np.ndarray:
    """Engagement and fairness after a review; returns grades short of self-assessment.

    Self-assessments are the rater model's self-ratings when it makes them, else lenient
    (``self_leniency_sd``) and only partly accurate views of true performance; a grade
    below the one people gave themselves costs engagement and fairness per grade short.
    """
    eb = sim.scenario.behaviour.engagement
    wf = sim.workforce
    if eb is None:
        return np.zeros(wf.size)  # the engagement stream is not used at all
    noise = sim.streams["engagement"].standard_normal(wf.size)
    advance(sim)
    rating = sim.policy.rating
    if self_assessment is not None:
        self_score = np.where(np.isnan(self_assessment), 0.0, self_assessment)
    else:
        self_score = np.sqrt(0.5) * true_performance + np.sqrt(0.5) * noise + eb.self_leniency_sd
    expected = absolute_grades(self_score, rating.grade_thresholds())
    rated = grades >= 0
    short = np.where(rated, np.maximum(grades - expected, 0), 0)
    wf.engagement[:] -= eb.disappointment_penalty * short
    wf.engagement[promoted] += eb.promotion_boost
    quality = sim.policy.checkins.feedback_quality * checkin_intensity(sim)
    signal = (
        NEUTRAL_FAIRNESS
        + eb.fairness_feedback_gain * quality
        - eb.fairness_gap_penalty * short
        - eb.fairness_ranking_penalty * (1.0 if is_relative(sim) else 0.0)
    )
    u = eb.fairness_update
    wf.fairness_belief[:] = np.where(
        rated, (1.0 - u) * wf.fairness_belief + u * np.clip(signal, 0.0, 1.0), wf.fairness_belief
    )
    np.clip(wf.engagement, 0.0, 1.0, out=wf.engagement)
    return short


def pip_started(sim: SimState, rows: np.ndarray) -> None:
    """Entering a performance improvement plan costs engagement."""
    eb = sim.scenario.behaviour.engagement
    if eb is None or len(rows) == 0:
        return
    wf = sim.workforce
    wf.engagement[rows] = np.maximum(wf.engagement[rows] - eb.pip_penalty, 0.0)


def review_attitudes(sim: SimState, review: Review) -> None:
    after_review(
        sim, review.grades, review.true_performance, review.promoted, review.self_assessment
    )


def market_moved(sim: SimState, old: float, new: float) -> None:
    """Attitudes catch up to the moment demand moved (before goals are re-weighed)."""
    advance(sim)


MECHANISM = Mechanism(
    "engagement",
    steps=(
        Step("after_review", review_attitudes, after=("promotion",)),
        Step("market_change", market_moved),
    ),
    summary="engagement and perceived fairness: check-ins, disappointment, PIPs, ranking stress",
)
