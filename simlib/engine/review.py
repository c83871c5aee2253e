"""The review cycle: rate everyone who worked enough of the cycle, grade, act, record.

At the end of each cycle the true cycle performance of each employee is their mean
performance rate over the weeks they worked plus the mean of their weekly luck. That mean
of weekly noise is drawn once (its SD shrinks with the square root of the weeks worked), so
a scenario without weekly mechanisms needs one event per cycle, not one per week.

A review rates (raters), calibrates (calibration) and grades (grading); then the registered
mechanisms act on the grades (``review`` steps), take what the review brings
(``after_review``) and prepare the next cycle (``new_cycle``); then the metrics are recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import numpy as np

from simlib.mechanisms.calibration import calibrate
from simlib.mechanisms.goals import measured_bias
from simlib.mechanisms.grading import grade_review
from simlib.mechanisms.promotion import level_demands
from simlib.mechanisms.raters import rate_employees
from simlib.state.pilot_arms import acting_as
from simlib.state.simulation_state import Review, SimState


def calibrate_and_cost(
    sim: SimState, rated: np.ndarray, scores: np.ndarray, records: np.ndarray | None = None
) -> np.ndarray:
    """Calibrate the rated employees' scores if the policy says so (against the performance
    ``records`` when the rater model keeps them); count manager hours for writing the
    reviews and sitting in calibration meetings."""
    rating = sim.policy.rating
    beh = sim.scenario.behaviour.raters
    per_review = beh.review_hours + (
        beh.multi_source_review_hours if rating.sources.multi_source else 0.0
    )
    sim.counts.manager_hours += per_review * len(rated)
    arms = sim.pilot_arms
    if arms is not None and arms.differ("rating", "calibration"):  # each arm's own committee
        for policy, flags in arms.each():
            with acting_as(sim, policy):
                scores = calibrate_scores(sim, rated[flags[rated]], scores, records)
        return scores
    return calibrate_scores(sim, rated, scores, records)


def calibrate_scores(
    sim: SimState, rated: np.ndarray, scores: np.ndarray, records: np.ndarray | None
) -> np.ndarray:
    """The ``rated`` rows' scores calibrated under the policy's rule (and its hours)."""
    rating = sim.policy.rating
    if rating.calibration.strength <= 0 or len(rated) == 0:
        return scores
    chart = sim.workforce.chart
    calibrated, season = calibrate(
        scores[rated],
        chart.team[rated],
        chart.team_department,
        rating.calibration,
        None if records is None else records[rated],
    )
    sim.counts.manager_hours += season.manager_hours
    out = scores.copy()
    out[rated] = calibrated
    return out


def rate_and_grade(sim: SimState) -> Review:
    """One performance review of the whole organization at ``sim.now``: scores and grades."""
    sim.catch_up()
    wf = sim.workforce
    behaviour = sim.scenario.behaviour
    rating = sim.policy.rating
    mean_rate, weeks = wf.cycle_performance()
    if behaviour.performance_noise_sd > 0:
        luck = sim.streams["performance_noise"].standard_normal(wf.size)
        luck_mean = behaviour.performance_noise_sd * luck / np.sqrt(np.maximum(weeks, 1.0))
    else:
        luck_mean = np.zeros(wf.size)  # true performance is the performance rate itself
    # Performance is judged against the demands of each person's career level.
    judged_rate = mean_rate - level_demands(sim)
    true_perf = judged_rate + luck_mean
    # Raters see measured KPIs in proportion to their weight: gaming flatters the measured.
    seen_rate = judged_rate + measured_bias(sim, mean_rate, weeks)
    ratings = rate_employees(sim, seen_rate, weeks, luck_mean)
    rated = np.flatnonzero(wf.active & (weeks >= rating.min_weeks_rated))
    scores = calibrate_and_cost(sim, rated, ratings.final, ratings.records)
    grades = np.full(wf.size, -1, dtype=np.int64)
    grades[rated] = grade_review(sim, rated, scores[rated])
    return Review(
        rated=rated,
        true_performance=true_perf,
        scores=scores,
        grades=grades,
        self_assessment=ratings.self_assessment,
        cycle_weeks=sim.now - sim.cycle.started,
        n_grades=len(rating.grades),
        rated_people=wf.hired_week[rated].copy(),  # who was rated, should a row be refilled
        groups=wf.group[rated].copy(),
        luck=luck_mean,
    )


def review_cycle(sim: SimState, conduct: Callable[[], None]) -> Generator[Any, Any, None]:
    """Reviews every ``weeks_per_cycle`` weeks until the horizon; ``conduct`` holds one."""
    weeks = sim.scenario.environment.weeks_per_cycle
    while True:
        yield sim.env.timeout(weeks)
        conduct()
