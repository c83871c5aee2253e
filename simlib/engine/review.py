"""The review cycle: rate everyone who worked enough of the cycle, grade, act, record.

At the end of each cycle the true cycle performance of each employee is their mean
performance rate over the weeks they worked plus the mean of their weekly luck. That mean
of weekly noise is drawn once (its SD shrinks with the square root of the weeks worked), so
a scenario without weekly mechanisms needs one event per cycle, not one per week.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np

from simlib.engine.invariants import check_review
from simlib.mechanisms.appeals import file_appeals
from simlib.mechanisms.calibration import calibrate
from simlib.mechanisms.consequences import apply_consequences
from simlib.mechanisms.goals import measured_bias
from simlib.mechanisms.grading import assign_grades
from simlib.mechanisms.raters import rate_employees, rater_panel, recency_snapshots
from simlib.mechanisms.work import after_review
from simlib.metrics.catalogue import ReviewOutcome

if TYPE_CHECKING:
    from simlib.engine.simulation import Simulation


def ranking_units(sim: Simulation) -> np.ndarray:
    chart = sim.workforce.chart
    unit = sim.policy.rating.ranking_unit
    if unit == "team":
        return chart.team
    if unit == "department":
        return chart.department
    return np.zeros(chart.positions, dtype=np.int64)


def calibrate_and_cost(sim: Simulation, rated: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Calibrate the rated employees' scores if the policy says so; count manager hours
    for writing the reviews and sitting in calibration meetings."""
    rating = sim.policy.rating
    beh = sim.scenario.behaviour.raters
    per_review = beh.review_hours + (
        beh.multi_source_review_hours if rating.sources.multi_source else 0.0
    )
    sim.counters["manager_hours"] += per_review * len(rated)
    if rating.calibration.strength <= 0 or len(rated) == 0:
        return scores
    chart = sim.workforce.chart
    calibrated, season = calibrate(
        scores[rated], chart.team[rated], chart.team_department, rating.calibration
    )
    sim.counters["manager_hours"] += season.manager_hours
    out = scores.copy()
    out[rated] = calibrated
    return out


def review(sim: Simulation) -> None:
    """One performance review of the whole organization, at ``sim.now``."""
    sim.catch_up()
    wf = sim.workforce
    behaviour = sim.scenario.behaviour
    rating = sim.policy.rating
    mean_rate, weeks = wf.cycle_performance()
    luck = sim.streams["performance_noise"].standard_normal(wf.size)
    luck_mean = behaviour.performance_noise_sd * luck / np.sqrt(np.maximum(weeks, 1.0))
    true_perf = mean_rate + luck_mean
    # Raters see measured KPIs in proportion to their weight: gaming flatters the measured.
    seen_rate = mean_rate + measured_bias(sim, mean_rate, weeks)
    ratings = rate_employees(sim, seen_rate, weeks, luck_mean)
    scores = ratings.final
    rated = np.flatnonzero(wf.active & (weeks >= rating.min_weeks_rated))
    scores = calibrate_and_cost(sim, rated, scores)
    grades = np.full(wf.size, -1, dtype=np.int64)
    grades[rated] = assign_grades(scores[rated], ranking_units(sim)[rated], rating)

    cycle_weeks = sim.now - sim.cycle_started
    outcome = ReviewOutcome(
        rated=rated,
        true_performance=true_perf[rated],
        scores=scores[rated],
        grades=grades[rated],
        n_grades=len(rating.grades),
        perf_sum=sim.cycle_perf_sum,
        fte_weeks=sim.cycle_fte_weeks,
        cycle_weeks=cycle_weeks,
        quits=sim.counters["quits"] - sim.cycle_counters.get("quits", 0),
        exits=0,
        groups=wf.group[rated].copy(),
    )
    rated_people = wf.hired_week[rated].copy()  # who was rated, should a row be refilled
    if ratings.self_assessment is not None:
        rater_panel(sim).remember(wf, rated, scores[rated])
    apply_consequences(sim, grades)
    outcome.exits = sim.counters["exits"] - sim.cycle_counters.get("exits", 0)
    if ratings.self_assessment is not None:
        outcome.appeals = file_appeals(
            sim, rated, scores[rated], ratings.self_assessment[rated], rated_people
        )
    # Pay, careers, attitudes (disappointment measured against the self-rating if there is one).
    after_review(sim, grades, true_perf, scores, cycle_weeks, ratings.self_assessment)
    sim.ledger.record_cycle(sim, outcome)
    sim.ledger.record_state(sim)
    if sim.check_invariants:
        check_review(sim, scores[rated], ranking_units(sim)[rated], grades[rated])
    sim.start_cycle()


def review_cycle(sim: Simulation) -> Generator[Any, Any, None]:
    """Reviews every ``weeks_per_cycle`` weeks until the horizon."""
    weeks = sim.scenario.environment.weeks_per_cycle
    sim.env.process(recency_snapshots(sim))
    while True:
        yield sim.env.timeout(weeks)
        review(sim)
