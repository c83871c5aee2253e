"""Outcome metrics: named reporters recorded into a tidy ledger (DESIGN §5, a contract).

State metrics describe the organization at an instant (week 0 and every review); cycle
metrics describe what happened during a review cycle and are recorded at its end. Rates of
leaving are yearly shares of the average headcount over the cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simlib.mechanisms.grading import bottom_grades
from simlib.scenario.definition import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from simlib.engine.simulation import Simulation

METRIC_UNITS: dict[str, str] = {
    "workforce_potential": "SD units",
    "output_per_head": "index per head-week (full-speed average hire = 100)",
    "rating_accuracy": "rank correlation (-1 to 1)",
    "misclassification": "share of true top 20% in bottom grades",
    "voluntary_attrition": "share of headcount per year",
    "involuntary_exits": "share of headcount per year",
    "headcount": "people",
    "payroll": "currency per year",
    "group_rating_gap": "rating SD units: first listed group minus the others at equal true "
    "performance",
    "manager_hours": "hours per rater (team manager or department head) per year: reviews, "
    "calibration meetings, appeals, check-ins",
    "appeals": "appeals filed per 100 rated employees per review",
    "business_value": "index per head-week (full-speed average hire, no gaming, aligned = 100)",
    "kpi_attainment": "OKR-style grade 0-1: progress of measured output toward target",
    "engagement": "mean engagement of those employed (share 0-1)",
    "perceived_fairness": "mean belief that evaluation is fair (share 0-1)",
    "cooperation": "mean share of time helping teammates (0-1)",
    "gaming": "mean share of unmeasured work moved to measured tasks (0-1)",
    "regretted_attrition": "quits of the top 20% by current performance, share of them per year",
    "pay_performance_corr": "correlation of merit raise with true cycle performance (-1 to 1)",
}

# Which way is better, for marking the best policy per metric: "higher", "lower", or
# "nearest_zero" (a signed gap). Metrics not listed (headcount) have no better direction.
METRIC_DIRECTION: dict[str, str] = {
    "workforce_potential": "higher",
    "output_per_head": "higher",
    "business_value": "higher",
    "kpi_attainment": "higher",
    "rating_accuracy": "higher",
    "misclassification": "lower",
    "engagement": "higher",
    "perceived_fairness": "higher",
    "cooperation": "higher",
    "gaming": "lower",
    "voluntary_attrition": "lower",
    "regretted_attrition": "lower",
    "involuntary_exits": "lower",
    "payroll": "lower",
    "pay_performance_corr": "higher",
    "group_rating_gap": "nearest_zero",
    "manager_hours": "lower",
}


@dataclass
class ReviewOutcome:
    """What one review saw and decided, for the cycle reporters."""

    rated: np.ndarray  # rows rated this cycle
    true_performance: np.ndarray  # true cycle performance of the rated (SD units)
    scores: np.ndarray  # their rating scores
    grades: np.ndarray  # their grade indices, 0 = best
    n_grades: int
    perf_sum: float  # integral of performance over the cycle, all who worked (SD x weeks)
    fte_weeks: float  # weeks worked by all, summed
    cycle_weeks: float
    quits: int
    exits: int
    groups: np.ndarray | None = None  # group index of the rated
    appeals: int = 0  # appeals filed after this review


def _ranks(x: np.ndarray) -> np.ndarray:
    r = np.empty(len(x))
    r[np.argsort(x)] = np.arange(len(x))
    return r


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 3:
        return None
    rx, ry = _ranks(x), _ranks(y)
    rx -= rx.mean()
    ry -= ry.mean()
    denom = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    return float((rx * ry).sum() / denom) if denom > 0 else None


# --- state metrics ----------------------------------------------------------------------


def workforce_potential(sim: Simulation) -> float | None:
    wf = sim.workforce
    return float(wf.potential[wf.active].mean()) if wf.headcount else None


def headcount(sim: Simulation) -> float:
    return float(sim.workforce.headcount)


def payroll(sim: Simulation) -> float:
    return sim.pay.payroll()


STATE_METRICS: dict[str, Callable[[Simulation], float | None]] = {
    "workforce_potential": workforce_potential,
    "headcount": headcount,
    "payroll": payroll,
}


# --- cycle metrics ----------------------------------------------------------------------


def output_per_head(sim: Simulation, o: ReviewOutcome) -> float | None:
    if o.fte_weeks <= 0:
        return None
    return 100.0 * (1.0 + sim.scenario.behaviour.output_per_sd * o.perf_sum / o.fte_weeks)


def rating_accuracy(sim: Simulation, o: ReviewOutcome) -> float | None:
    return spearman(o.scores, o.true_performance)


def misclassification(sim: Simulation, o: ReviewOutcome) -> float | None:
    if len(o.rated) < 5:
        return None
    top = o.true_performance >= np.quantile(o.true_performance, 0.8)
    return float(np.isin(o.grades[top], bottom_grades(o.n_grades)).mean())


def _yearly_share(count: int, o: ReviewOutcome) -> float | None:
    if o.fte_weeks <= 0:
        return None
    mean_headcount = o.fte_weeks / o.cycle_weeks
    return count / mean_headcount * (WEEKS_PER_YEAR / o.cycle_weeks)


def voluntary_attrition(sim: Simulation, o: ReviewOutcome) -> float | None:
    return _yearly_share(o.quits, o)


def involuntary_exits(sim: Simulation, o: ReviewOutcome) -> float | None:
    return _yearly_share(o.exits, o)


def group_rating_gap(sim: Simulation, o: ReviewOutcome) -> float | None:
    """Rating of the first listed group minus the others at equal true performance.

    The coefficient of a first-group indicator in a least-squares regression of the rating
    score (divided by its SD) on true cycle performance and that indicator; SD units.
    """
    if o.groups is None or len(o.rated) < 5:
        return None
    first = (o.groups == 0).astype(float)
    if first.min() == first.max():
        return None
    sd = float(o.scores.std())
    if sd <= 0:
        return None
    x = np.column_stack([np.ones(len(first)), o.true_performance, first])
    coef, *_ = np.linalg.lstsq(x, o.scores / sd, rcond=None)
    return float(coef[2])


def manager_hours(sim: Simulation, o: ReviewOutcome) -> float | None:
    """Manager hours spent on performance management this cycle, per rater per year."""
    if o.cycle_weeks <= 0:
        return None
    hours = sim.counters["manager_hours"] - sim.cycle_counters.get("manager_hours", 0)
    raters = len(sim.workforce.chart.team_manager)
    return hours / raters * (WEEKS_PER_YEAR / o.cycle_weeks)


def appeals(sim: Simulation, o: ReviewOutcome) -> float | None:
    if len(o.rated) == 0:
        return None
    return 100.0 * o.appeals / len(o.rated)


def business_value(sim: Simulation, o: ReviewOutcome) -> float | None:
    """Output weighted by what it is worth: less for gamed or misaligned work."""
    if o.fte_weeks <= 0:
        return None
    return 100.0 * sim.cycle_value_sum / o.fte_weeks


def kpi_attainment(sim: Simulation, o: ReviewOutcome) -> float | None:
    return sim.cycle_outcome.get("kpi_attainment")


def pay_performance_corr(sim: Simulation, o: ReviewOutcome) -> float | None:
    return sim.cycle_outcome.get("pay_performance_corr")


def _mean_active(values: np.ndarray, sim: Simulation) -> float | None:
    active = sim.workforce.active
    return float(values[active].mean()) if active.any() else None


def engagement(sim: Simulation, o: ReviewOutcome) -> float | None:
    return _mean_active(sim.workforce.engagement, sim)


def perceived_fairness(sim: Simulation, o: ReviewOutcome) -> float | None:
    return _mean_active(sim.workforce.fairness_belief, sim)


def cooperation(sim: Simulation, o: ReviewOutcome) -> float | None:
    return _mean_active(sim.workforce.helping, sim)


def gaming(sim: Simulation, o: ReviewOutcome) -> float | None:
    return _mean_active(sim.workforce.gaming, sim)


def regretted_attrition(sim: Simulation, o: ReviewOutcome) -> float | None:
    quits = sim.counters["regretted_quits"] - sim.cycle_counters.get("regretted_quits", 0)
    share = _yearly_share(quits, o)
    return None if share is None else share / 0.2


CYCLE_METRICS: dict[str, Callable[[Simulation, ReviewOutcome], float | None]] = {
    "business_value": business_value,
    "kpi_attainment": kpi_attainment,
    "engagement": engagement,
    "perceived_fairness": perceived_fairness,
    "cooperation": cooperation,
    "gaming": gaming,
    "regretted_attrition": regretted_attrition,
    "pay_performance_corr": pay_performance_corr,
    "output_per_head": output_per_head,
    "rating_accuracy": rating_accuracy,
    "misclassification": misclassification,
    "voluntary_attrition": voluntary_attrition,
    "involuntary_exits": involuntary_exits,
    "group_rating_gap": group_rating_gap,
    "manager_hours": manager_hours,
    "appeals": appeals,
}


class Ledger:
    """Tidy records ``(week, metric, value)`` of one simulation."""

    def __init__(self) -> None:
        self.weeks: list[float] = []
        self.metrics: list[str] = []
        self.values: list[float] = []

    def record(self, week: float, metric: str, value: float | None) -> None:
        if value is None or not np.isfinite(value):
            return
        self.weeks.append(week)
        self.metrics.append(metric)
        self.values.append(float(value))

    def record_state(self, sim: Simulation) -> None:
        for name, reporter in STATE_METRICS.items():
            self.record(sim.now, name, reporter(sim))

    def record_cycle(self, sim: Simulation, outcome: ReviewOutcome) -> None:
        for name, reporter in CYCLE_METRICS.items():
            self.record(sim.now, name, reporter(sim, outcome))
