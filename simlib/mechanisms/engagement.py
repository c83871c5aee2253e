"""Engagement and perceived fairness (both shares 0–1), and what moves them.

Engagement drifts toward a personal set point with a time constant of ``adjust_weeks``.
The set point rises with frequent check-ins of good quality (Gallup's finding that
regular manager conversations are the strongest driver), and falls under forced ranking
(stress and perceived unfairness, Schleicher et al. 2009) and for anyone whose goal looks
hopeless. Events move it at once: a grade below one's own self-assessment, entering a
PIP, a promotion. Perceived fairness is updated at every review from what people saw:
feedback quality and frequency raise it, disappointment and forced ranking lower it.

People differ: each person's set point sits ``disposition + swing`` from the common one.
The disposition is stable (dispositional affect, Staw & Ross 1985; Judge & Larsen 2001),
drawn at hire; the swing is redrawn every review cycle. Their sizes give engagement a
between-person SD of ``between_person_sd`` at reviews, of which ``disposition_share`` is
stable (Dormann & Zapf 2001), see :func:`personal_sds`. Both come from their own streams
(``dispositions`` at hire, in hire order; ``engagement_swings`` per position and cycle),
so no other mechanism's draws move. With ``between_person_sd`` 0 everyone is alike again.

What reads engagement reads it against the population's common set point, not one's own:
the effort term (Riketta 2008) and the quit hazard (Griffeth, Hom & Gaertner 2000) take
their sizes from differences between people, so someone engaged by disposition works a
little harder and quits less, as in those studies. Helping scales with engagement's level.
"""

from __future__ import annotations

import math

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.grading import absolute_grades
from simlib.mechanisms.incentives import ranked
from simlib.scenario.behaviour import EngagementBehaviour
from simlib.state.compiled import KERNELS, compiled_for
from simlib.state.moments import clip
from simlib.state.simulation_state import Review, SimState

NEUTRAL_FAIRNESS = 0.6  # the new-hire level


def checkin_intensity(sim: SimState) -> float | np.ndarray:
    """How much check-ins do for people: 1 weekly, ~0.71 biweekly, 0.5 monthly, 0 none.

    Returns diminish with frequency (square root of check-ins per week). In a pilot's
    mixed run, one value per position (its arm's).
    """
    if sim.pilot_arms is not None:
        return sim.pilot_arms.checkin_intensity
    interval = sim.policy.checkins.interval_weeks
    return 0.0 if interval is None else 1.0 / math.sqrt(interval)


def feedback_quality(sim: SimState) -> float | np.ndarray:
    """The check-ins' feedback quality (0–1); in a pilot's mixed run, each position's arm's."""
    if sim.pilot_arms is not None:
        return sim.pilot_arms.feedback_quality
    return sim.policy.checkins.feedback_quality


def personal_sds(eb: EngagementBehaviour, cycle_weeks: float) -> tuple[float, float]:
    """SDs of the disposition and of the per-cycle swing (0-1 units).

    The disposition carries ``disposition_share`` of the variance ``between_person_sd^2``.
    Engagement closes only ``1 - a`` of the gap to a new swing by the next review
    (``a = exp(-cycle / adjust_weeks)``), so at reviews it carries ``(1 - a) / (1 + a)`` of
    the swing's variance; the swing is drawn wider by the inverse, so that the SD at
    reviews is ``between_person_sd``.
    """
    variance = eb.between_person_sd**2
    a = math.exp(-cycle_weeks / eb.adjust_weeks)
    swing_variance = (1.0 - eb.disposition_share) * variance * (1.0 + a) / (1.0 - a)
    return math.sqrt(eb.disposition_share * variance), math.sqrt(swing_variance)


def newcomers_joined(sim: SimState, rows: np.ndarray) -> None:
    """Newcomers' disposition and first swing; they start that far from the new-hire level.

    Two draws per newcomer from the ``dispositions`` stream, in hire order: the k-th hire
    of a replication is alike under every policy. New hires keep the lift the model gives
    them over the common set point (``NEW_HIRE_ENGAGEMENT``).
    """
    eb = sim.scenario.behaviour.engagement
    if eb is None or eb.between_person_sd == 0 or len(rows) == 0:
        return
    wf = sim.workforce
    disposition_sd, swing_sd = personal_sds(eb, sim.scenario.environment.weeks_per_cycle)
    z = sim.streams["dispositions"].standard_normal((len(rows), 2))
    disposition, swing = disposition_sd * z[:, 0], swing_sd * z[:, 1]
    wf.disposition[rows] = disposition
    wf.engagement_swing[rows] = swing
    wf.inputs_revision += 1
    start = wf.NEW_HIRE_ENGAGEMENT + disposition
    start += swing
    wf.engagement[rows] = clip(start, 0.0, 1.0, out=start)


def start(sim: SimState) -> None:
    """Today's staff differ from the start, as newcomers do."""
    newcomers_joined(sim, sim.workforce.rows(sim.workforce.active))


def new_swings(sim: SimState) -> None:
    """Everyone's swing for the cycle ahead, one draw per position."""
    eb = sim.scenario.behaviour.engagement
    if eb is None or eb.between_person_sd == 0:
        return
    wf = sim.workforce
    _, swing_sd = personal_sds(eb, sim.scenario.environment.weeks_per_cycle)
    swing = sim.streams["engagement_swings"].standard_normal(wf.size)
    swing *= swing_sd
    np.copyto(wf.engagement_swing, swing, where=wf.active)
    wf.inputs_revision += 1


def set_point(sim: SimState) -> np.ndarray:
    """Engagement each person drifts toward under today's conditions (share 0–1).

    Read-only: kept until someone joins, the policy or what it reads changes (see
    ``Workforce.inputs_revision``). A leaver changes nothing it reads: each position's set
    point reads only that position's own values, and a vacant one's is never used.
    """
    wf = sim.workforce
    key = (wf.fills, wf.inputs_revision, id(sim.policy))
    if wf.set_point_key != key:
        wf.set_point_kept = _set_point(sim)
        wf.set_point_kept.setflags(write=False)
        wf.set_point_key = key
    return wf.set_point_kept


def _set_point(sim: SimState) -> np.ndarray:
    eb = sim.scenario.behaviour.engagement
    wf = sim.workforce
    assert eb is not None
    quality = feedback_quality(sim)
    level = eb.set_point + eb.checkin_gain * checkin_intensity(sim) * quality
    level -= eb.ranking_stress * ranked(sim)
    if compiled_for(wf.size) and not isinstance(level, np.ndarray):
        point = np.empty(wf.size)
        KERNELS.set_point(
            point,
            wf.goal_acceptance,
            wf.disposition,
            wf.engagement_swing,
            level,
            eb.hopeless_penalty,
            bool(eb.between_person_sd),
        )
        return point
    point = np.subtract(1.0, wf.goal_acceptance)
    point *= eb.hopeless_penalty
    np.subtract(level, point, out=point)
    if eb.between_person_sd:
        point += wf.disposition
        point += wf.engagement_swing
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
    if compiled_for(wf.size):
        KERNELS.drift(wf.engagement, set_point(sim), wf.active, pull)
        return
    moved = np.subtract(set_point(sim), wf.engagement)
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
    arms = sim.pilot_arms
    if arms is not None:  # a pilot: the grade each expects under their arm's scale
        mine = absolute_grades(self_score, arms.pilot.rating.grade_thresholds())
        expected = np.where(arms.in_pilot, mine, expected)
    rated = grades >= 0
    short = np.where(rated, np.maximum(grades - expected, 0), 0)
    wf.engagement[:] -= eb.disappointment_penalty * short
    wf.engagement[promoted] += eb.promotion_boost
    quality = feedback_quality(sim) * checkin_intensity(sim)
    signal = (
        NEUTRAL_FAIRNESS
        + eb.fairness_feedback_gain * quality
        - eb.fairness_gap_penalty * short
        - eb.fairness_ranking_penalty * ranked(sim)
    )
    u = eb.fairness_update
    wf.fairness_belief[:] = np.where(
        rated, (1.0 - u) * wf.fairness_belief + u * np.clip(signal, 0.0, 1.0), wf.fairness_belief
    )
    np.clip(wf.engagement, 0.0, 1.0, out=wf.engagement)
    new_swings(sim)
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
        Step("start", start),
        Step("after_review", review_attitudes, after=("promotion",)),
        Step("market_change", market_moved),
    ),
    summary="engagement and perceived fairness: check-ins, disappointment, PIPs, ranking stress",
)
