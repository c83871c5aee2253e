"""Check-ins: regular one-to-ones between reviews, the feedback given in them, and the early
warning they make possible.

Feedback follows the form of feedback intervention theory (Kluger & DeNisi 1996): feedback
helps when it holds attention on the task and on the gap between what was done and the
standard, and can hurt when it moves attention to the self. The policy's
``feedback_quality`` is the share of the feedback aimed at the task (structured feedback
such as SBI) rather than at the person (verdicts, praise, comparisons with teammates).
At every check-in each person's response is set afresh, and it lasts until the next one:

* **task motivation**: feedback on the task lifts performance by ``feedback_task_sd``
  (feedback added to goals, Itzchakov & Latham 2020; goals need feedback on progress,
  Locke & Latham 2002);
* **the self**: feedback on the person compares them with their teammates, as their
  manager sees them (recent performance, luck included): those below the team's mean lose
  ``feedback_threat_sd``, those above gain ``feedback_praise_sd``;
* both scale with the cadence (:func:`simlib.mechanisms.engagement.checkin_intensity`:
  weekly 1, biweekly ~0.71, monthly 0.5; more frequent feedback raised output more, Kang,
  Oah & Dickinson 2005).

So feedback that is mostly about the person lowers the performance of those told they fall
short by more than its little task content adds. Feedback on the task also coaches skill
(task learning, in proportion to quality), and the conversation lifts engagement's set point
and perceived fairness (see :mod:`simlib.mechanisms.engagement`). None of the sizes was set
from Kluger & DeNisi's numbers, which the model predicts as held-out findings.

The early warning flags anyone whose measured weekly output has been below their baseline
for ``early_warning_weeks`` weeks running and gets them a coaching session.
"""

from __future__ import annotations

import math

import numpy as np

from simlib.mechanisms import engagement, incentives
from simlib.mechanisms.base import Mechanism
from simlib.mechanisms.engagement import checkin_intensity
from simlib.scenario.behaviour import EngagementBehaviour, IncentiveBehaviour
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.state.compiled import KERNELS, compiled_for
from simlib.state.simulation_state import SimState

SKILL_CEILING_SD = 1.0  # coaching gains shrink to nothing as skill approaches this


def coach(sim: SimState, who: np.ndarray, gain_sd: float | np.ndarray) -> None:
    """Skill gain from coaching, shrinking as skill approaches its ceiling.

    ``who`` is the coached positions, or a mask over every position.
    """
    wf = sim.workforce
    compiled = compiled_for(wf.size) and SKILL_CEILING_SD == 1.0
    if who.dtype == bool and compiled and not isinstance(gain_sd, np.ndarray):
        KERNELS.coach(wf.skill, who, gain_sd)
        return
    if who.dtype == bool:
        gain = np.subtract(SKILL_CEILING_SD, wf.skill)
        np.maximum(gain, 0.0, out=gain)  # the room left
        gain *= gain_sd
        if SKILL_CEILING_SD != 1.0:  # (dividing by 1 changes nothing)
            gain /= SKILL_CEILING_SD
        np.add(wf.skill, gain, out=wf.skill, where=who)
        return
    room = np.maximum(SKILL_CEILING_SD - wf.skill[who], 0.0)
    wf.skill[who] += gain_sd * room / SKILL_CEILING_SD


def checkin(sim: SimState) -> None:
    """One round of check-ins with everyone employed."""
    policy = sim.policy.checkins
    interval = policy.interval_weeks
    if interval is None:
        return
    sim.catch_up()
    wf = sim.workforce
    arms = sim.pilot_arms  # in a pilot, only the arm that holds check-ins meets
    employed = wf.headcount if arms is None else int(np.count_nonzero(wf.active & arms.checked_in))
    sim.counts.checkins += employed
    sim.log("checkin", employed)
    sim.counts.manager_hours += employed * policy.minutes / 60.0
    eb = sim.scenario.behaviour.engagement
    inc = sim.scenario.behaviour.incentives
    if eb is not None and inc is not None and arms is None and compiled_for(wf.size):
        _checkin_compiled(sim, eb, inc, interval)
        return
    if eb is not None:
        engagement.advance(sim)
        per_checkin = (
            eb.coaching_skill_sd * engagement.feedback_quality(sim) * checkin_intensity(sim)
        )
        coach(sim, wf.active, per_checkin * interval / WEEKS_PER_YEAR)
        respond_to_feedback(sim)
    incentives.update(sim)


def _checkin_compiled(
    sim: SimState, eb: EngagementBehaviour, inc: IncentiveBehaviour, interval: int
) -> None:
    """The rest of :func:`checkin` in one compiled call, the same steps in the same order:
    engagement drifts (:func:`engagement.advance`), coaching, the response to feedback,
    then effort, helping and the drive (:func:`incentives.update`)."""
    assert KERNELS is not None and SKILL_CEILING_SD == 1.0
    wf = sim.workforce
    last, now = sim.engagement_clock, sim.now
    sim.engagement_clock = now
    drifts = now > last
    pull = 1.0 - np.exp(-(now - last) / eb.adjust_weeks) if drifts else 0.0
    target = engagement.set_point(sim) if drifts else wf.engagement
    quality, intensity = engagement.feedback_quality(sim), checkin_intensity(sim)
    assert not isinstance(quality, np.ndarray) and not isinstance(intensity, np.ndarray)
    gain_sd = eb.coaching_skill_sd * quality * intensity * interval / WEEKS_PER_YEAR
    luck = sim.streams["feedback"].standard_normal(wf.size)
    luck *= sim.scenario.behaviour.performance_noise_sd / math.sqrt(interval)
    task = quality * eb.feedback_task_sd
    told_below = intensity * (task + (1.0 - quality) * -eb.feedback_threat_sd)
    told_above = intensity * (task + (1.0 - quality) * eb.feedback_praise_sd)
    relative = 1.0 if incentives.is_relative(sim) else 0.0
    scalars, sabotages = incentives.compiled_inputs(sim, inc, sim.beliefs.stake, relative)
    mates = wf.teammates()
    KERNELS.checkin(
        wf.engagement, target, wf.active, pull, drifts, wf.skill, gain_sd,
        wf.feedback_effect, luck, wf.potential, wf.drive, wf.chart.team, mates.team_divisor,
        told_below, told_above, wf.effort, wf.helping, wf.fairness_belief, wf.goal_effect,
        wf.sabotage, mates.any, mates.divisor, scalars, sabotages,
    )  # fmt: skip


def respond_to_feedback(sim: SimState) -> None:
    """Everyone's performance response to this round of feedback (SD units, in the drive
    from now until the next check-in).

    The manager sees each person's recent performance rate with the luck of the weeks
    since the last check-in; feedback on the person compares it with the team's mean.
    Draws one normal per position (the ``feedback`` stream, used by nothing else).
    """
    wf = sim.workforce
    eb = sim.scenario.behaviour.engagement
    policy = sim.policy.checkins
    assert eb is not None and policy.interval_weeks is not None
    luck = sim.streams["feedback"].standard_normal(wf.size)
    luck *= sim.scenario.behaviour.performance_noise_sd / math.sqrt(policy.interval_weeks)
    quality = engagement.feedback_quality(sim)
    intensity = checkin_intensity(sim)
    if compiled_for(wf.size) and not isinstance(quality * intensity, np.ndarray):
        task = quality * eb.feedback_task_sd
        KERNELS.feedback(
            wf.feedback_effect,
            luck,
            wf.potential,
            wf.skill,
            wf.drive,
            wf.chart.team,
            wf.active,
            wf.teammates().team_divisor,
            intensity * (task + (1.0 - quality) * -eb.feedback_threat_sd),
            intensity * (task + (1.0 - quality) * eb.feedback_praise_sd),
        )
        return
    seen = wf.potential + wf.skill
    seen += wf.drive
    seen += luck
    below = seen < wf.teammates().team_mean(seen, wf.chart.team, wf.active)
    quality = engagement.feedback_quality(sim)
    task, intensity = quality * eb.feedback_task_sd, checkin_intensity(sim)
    told_below = intensity * (task + (1.0 - quality) * -eb.feedback_threat_sd)
    told_above = intensity * (task + (1.0 - quality) * eb.feedback_praise_sd)
    response = np.where(below, told_below, told_above)
    wf.feedback_effect[:] = np.where(wf.active, response, 0.0)


def early_warning(sim: SimState, weekly_output_sd: np.ndarray) -> np.ndarray:
    """Update below-baseline streaks from this week's measured output; coach the flagged.

    Parameters
    ----------
    weekly_output_sd
        Each position's measured output this week (SD units, market included).

    Returns
    -------
    The positions coached this week.
    """
    policy = sim.policy.checkins
    weeks = policy.early_warning_weeks
    wf = sim.workforce
    if weeks is None:
        return np.zeros(0, dtype=np.int64)
    margin = sim.scenario.behaviour.performance_noise_sd * policy.warning_margin_sd
    below = (
        wf.active & np.isfinite(wf.goal_baseline) & (weekly_output_sd < wf.goal_baseline - margin)
    )
    wf.low_weeks[:] = np.where(below, wf.low_weeks + 1, 0)
    flagged = np.flatnonzero(wf.low_weeks >= weeks)
    if len(flagged):
        wf.low_weeks[flagged] = 0
        sim.counts.early_warnings += len(flagged)
        sim.log("early_warning", len(flagged))
        sim.counts.manager_hours += len(flagged) * policy.coaching_hours
        eb = sim.scenario.behaviour.engagement
        if eb is not None:
            quality = engagement.feedback_quality(sim)
            if isinstance(quality, np.ndarray):
                quality = quality[flagged]
            coach(sim, flagged, eb.warning_coaching_sd * quality / 0.5)
    return flagged


MECHANISM = Mechanism(
    "checkins",
    summary="one-to-ones between reviews: coaching, and an early warning on weekly output",
)
