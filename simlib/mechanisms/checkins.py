"""Check-ins: regular one-to-ones between reviews, and the early warning they make possible.

A check-in costs its manager ``minutes`` per employee; its coaching grows skill in
proportion to feedback quality (structured feedback such as SBI does more than a nod), and
the conversation lifts engagement's set point (see :mod:`simlib.mechanisms.engagement`). The early
warning flags anyone whose measured weekly output has been below their baseline for
``early_warning_weeks`` weeks running and gets them a coaching session.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms import engagement, incentives
from simlib.mechanisms.base import Mechanism
from simlib.mechanisms.engagement import checkin_intensity
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.state.simulation_state import SimState

SKILL_CEILING_SD = 1.0  # coaching gains shrink to nothing as skill approaches this


def coach(sim: SimState, rows: np.ndarray, gain_sd: float | np.ndarray) -> None:
    """Skill gain from coaching, shrinking as skill approaches its ceiling."""
    wf = sim.workforce
    room = np.maximum(SKILL_CEILING_SD - wf.skill[rows], 0.0)
    wf.skill[rows] += gain_sd * room / SKILL_CEILING_SD


def checkin(sim: SimState) -> None:
    """One round of check-ins with everyone employed."""
    policy = sim.policy.checkins
    interval = policy.interval_weeks
    if interval is None:
        return
    sim.catch_up()
    wf = sim.workforce
    rows = np.flatnonzero(wf.active)
    sim.counts.checkins += len(rows)
    sim.log("checkin", len(rows))
    sim.counts.manager_hours += len(rows) * policy.minutes / 60.0
    eb = sim.scenario.behaviour.engagement
    if eb is not None:
        engagement.advance(sim)
        per_checkin = eb.coaching_skill_sd * policy.feedback_quality * checkin_intensity(sim)
        coach(sim, rows, per_checkin * interval / WEEKS_PER_YEAR)
    incentives.update(sim)


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
            coach(sim, flagged, eb.warning_coaching_sd * policy.feedback_quality / 0.5)
    return flagged


MECHANISM = Mechanism(
    "checkins",
    summary="one-to-ones between reviews: coaching, and an early warning on weekly output",
)
