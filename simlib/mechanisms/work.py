"""The work process: what happens between reviews, and the start and close of a cycle.

With no weekly mechanism (no check-ins, no early warning) nothing is scheduled between
reviews: performance accrues exactly between events and a cycle is one review event.
With one, ``work_weeks`` ticks once a week for the whole workforce at once: it measures
each person's weekly output (for the early warning) and runs the check-ins when due.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np

from simlib.mechanisms import checkins, engagement, goals, incentives, promotion
from simlib.mechanisms.pay import pay_review
from simlib.scenario.definition import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from simlib.engine.simulation import Simulation


def needs_weekly(sim: Simulation) -> bool:
    """Whether any mechanism acts every week (or every few weeks) between reviews."""
    policy = sim.policy.checkins
    return policy.interval_weeks is not None or policy.early_warning_weeks is not None


def start_work(sim: Simulation) -> None:
    """At week 0: traits, first goals, first beliefs about the policy, weekly process."""
    incentives.start(sim)
    goals.set_targets(sim)
    incentives.update(sim)
    sim.market_listeners.append(market_moved)
    if needs_weekly(sim):
        sim.env.process(work_weeks(sim))


def market_moved(sim: Simulation, old: float, new: float) -> None:
    """Demand moved (after catch-up): attitudes catch up, goals re-weighed, effort reset."""
    engagement.advance(sim)
    goals.on_market_change(sim, old, new)
    incentives.update(sim)


def work_weeks(sim: Simulation) -> Generator[Any, Any, None]:
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
            # Measured output of the week, back in SD units (gaming inflates it).
            measured = ((1.0 + k * rate) * wf.measured_factor - 1.0) / k if k > 0 else rate
            if len(checkins.early_warning(sim, measured)):
                incentives.update(sim)
        if interval is not None and week % interval == 0:
            checkins.checkin(sim)


def after_review(
    sim: Simulation,
    grades: np.ndarray,
    true_performance: np.ndarray,
    scores: np.ndarray,
    cycle_weeks: float,
    self_assessment: np.ndarray | None = None,
) -> None:
    """Consequences of a review for pay, careers, attitudes and beliefs; next cycle's goals.

    Parameters
    ----------
    grades
        Grade of each position (-1 = not rated), 0 = best.
    true_performance, scores
        True cycle performance and rating score of each position (SD units).
    cycle_weeks
        Length of the cycle that just ended (weeks).
    self_assessment
        Each position's self-rating (SD units) when the rater model produces one.
    """
    rated = np.flatnonzero(grades >= 0)
    outcome: dict[str, float] = {}
    if sim.policy.goals.regime != "none":
        attained = goals.attainment(sim, rated)
        if np.isfinite(attained).any():
            outcome["kpi_attainment"] = float(np.nanmean(attained))
    raises = pay_review(sim, grades, cycle_weeks)
    if len(rated) >= 3 and np.std(raises[rated]) > 0 and np.std(true_performance[rated]) > 0:
        outcome["pay_performance_corr"] = float(
            np.corrcoef(raises[rated], true_performance[rated])[0, 1]
        )
    years = cycle_weeks / WEEKS_PER_YEAR
    yearly = (1.0 + raises[rated]) ** (1.0 / max(years, 1e-9)) - 1.0
    incentives.learn_stake(sim, rated, grades[rated], yearly, true_performance[rated])
    promoted = promotion.promote(sim, grades, scores)
    train_bottom_grades(sim, grades)
    engagement.after_review(sim, grades, true_performance, promoted, self_assessment)
    sim.cycle_outcome = outcome
    incentives.draw_traits(sim)
    goals.set_targets(sim)
    incentives.update(sim)


def train_bottom_grades(sim: Simulation, grades: np.ndarray) -> np.ndarray:
    """Capability training for the policy's bottom grades; returns the trainees."""
    rule = sim.policy.development
    if rule.bottom_grades == 0:
        return np.zeros(0, dtype=np.int64)
    first = len(sim.policy.rating.grades) - rule.bottom_grades
    rows = np.flatnonzero(sim.workforce.active & (grades >= first))
    checkins.coach(sim, rows, rule.skill_gain_sd)
    sim.counters["trainees"] += len(rows)
    sim.counters["training_hours"] += len(rows) * rule.hours
    return rows
