"""Work between reviews: the weekly rhythm of check-ins and the early warning.

With no weekly mechanism (no check-ins, no early warning) nothing is scheduled between
reviews: performance accrues exactly between events and a cycle is one review event.
With one, ``work_weeks`` ticks once a week for the whole workforce at once: it measures
each person's weekly output (for the early warning) and runs the check-ins when due.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from simlib.mechanisms import checkins, goals, incentives
from simlib.mechanisms.base import Mechanism
from simlib.state.simulation_state import SimState


def needs_weekly(sim: SimState) -> bool:
    """Whether any mechanism acts every week (or every few weeks) between reviews."""
    policy = sim.policy.checkins
    return policy.interval_weeks is not None or policy.early_warning_weeks is not None


def work_weeks(sim: SimState) -> Generator[Any, Any, None]:
    """Every week: measure weekly output for the early warning; check-ins when due.

    Without an early warning it ticks only when check-ins are due.
    """
    interval = sim.policy.checkins.interval_weeks
    warning = sim.policy.checkins.early_warning_weeks is not None
    step = 1 if warning or interval is None else interval
    noise_sd = sim.scenario.behaviour.performance_noise_sd
    rng = sim.streams["work"]
    wf = sim.workforce
    week = 0
    while True:
        yield sim.env.timeout(step)
        week += step
        if warning:
            luck = rng.standard_normal(wf.size)
            sim.catch_up()
            rate = wf.potential + wf.skill + wf.drive + sim.market_level + noise_sd * luck
            k = sim.scenario.behaviour.output_per_sd
            # The week's output as the KPIs count it, back in SD units (gaming inflates it).
            counted = (1.0 + k * rate) * goals.kpi_factor(sim)
            measured = (counted - 1.0) / k if k > 0 else rate
            if len(checkins.early_warning(sim, measured)):
                incentives.update(sim)
        if interval is not None and week % interval == 0:
            checkins.checkin(sim)


def weekly_work(sim: SimState) -> list[Generator[Any, Any, None]]:
    return [work_weeks(sim)] if needs_weekly(sim) else []


MECHANISM = Mechanism(
    "work",
    before_reviews=(weekly_work,),
    summary="the weekly rhythm: check-ins when due, weekly output for the early warning",
)
