"""Pay: salary bands that drift with the labour market, starting salaries and raises.

Bands are in the scenario's currency per year. The market moves every band by
``environment.pay_drift`` a year; compa-ratio is salary over the current band midpoint.
Merit raises come from the policy's pay matrix (grade x compa-ratio band), scaled so that
they spend the merit budget (a share of the rated employees' payroll); bonuses are a target
share of salary times the grade's multiplier.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.scenario.policy import Policy
from simlib.state.moments import correlation, mean_sd
from simlib.state.pilot_arms import acting_as
from simlib.state.simulation_state import Review, SimState


def default_multipliers(n_grades: int) -> np.ndarray:
    """A typical merit grid: best grade 1.6x the middle raise, the bottom grade none."""
    if n_grades == 5:
        return np.array([1.6, 1.3, 1.0, 0.5, 0.0])
    return np.linspace(1.6, 0.0, n_grades)


def merit_raises(sim: SimState, rows: np.ndarray, grades: np.ndarray, years: float) -> np.ndarray:
    """Merit raise (share of salary) of each of ``rows`` with ``grades``, over ``years``.

    ``flat`` gives everyone the budget. ``matrix`` looks up grade x compa-ratio band and,
    when ``scale_to_budget``, scales the table so the raises spend exactly the budget.
    """
    pay = sim.policy.pay
    budget_year = pay.merit_budget
    if budget_year is None:
        budget_year = sim.scenario.environment.pay_drift
    budget = (1.0 + budget_year) ** years - 1.0
    if len(rows) == 0:
        return np.zeros(0)
    if pay.scheme == "flat":
        return np.full(len(rows), budget)
    n_grades = len(sim.policy.rating.grades)
    if pay.matrix is None:
        table = default_multipliers(n_grades)[:, None] * budget
        band = np.zeros(len(rows), dtype=np.int64)
    else:
        table = np.array([pay.matrix[g] for g in sim.policy.rating.grades]) * years
        compa = sim.pay.compa_ratio()[rows]
        band = np.searchsorted(np.asarray(pay.compa_bands), compa, side="right")
    raises = table[grades, band]
    if pay.scale_to_budget:
        salary = sim.workforce.salary[rows]
        spent = float((raises * salary).sum())
        if spent > 0:
            raises = raises * (budget * float(salary.sum()) / spent)
    return raises


def bonus_shares(policy: Policy, grades: np.ndarray, n_grades: int) -> np.ndarray:
    """Bonus (share of yearly salary) for each grade index in ``grades``."""
    pay = policy.pay
    if pay.bonus_target == 0:
        return np.zeros(len(grades))
    if pay.bonus_multipliers is None:
        mult = np.ones(n_grades)
    else:
        mult = np.array([pay.bonus_multipliers[g] for g in policy.rating.grades])
    return pay.bonus_target * mult[grades]


def pay_review(sim: SimState, grades: np.ndarray, cycle_weeks: float) -> np.ndarray:
    """Raises and bonuses after a review; returns each position's raise (share, 0 if none).

    The rated get merit raises from the matrix; employed people not rated this cycle (too
    new) follow the market. Bonuses are added to ``counts.bonus_paid`` (currency).
    """
    wf = sim.workforce
    years = cycle_weeks / WEEKS_PER_YEAR
    rated = np.flatnonzero(grades >= 0)
    raises = np.zeros(wf.size)
    unrated = wf.active & (grades < 0)
    raises[unrated] = (1.0 + sim.pay.drift) ** years - 1.0
    arms = sim.pilot_arms
    if arms is None or not (arms.differ("pay") or arms.differ("rating")):
        raises[rated] = merit_raises(sim, rated, grades[rated], years)
        bonus = bonus_shares(sim.policy, grades[rated], len(sim.policy.rating.grades))
        sim.counts.bonus_paid += float((bonus * wf.salary[rated]).sum() * years)
    else:  # a pilot: each arm's matrix and budget (ring-fenced: its own payroll), bonuses
        for policy, flags in arms.each():
            mine = rated[flags[rated]]
            with acting_as(sim, policy):
                raises[mine] = merit_raises(sim, mine, grades[mine], years)
            bonus = bonus_shares(policy, grades[mine], len(policy.rating.grades))
            sim.counts.bonus_paid += float((bonus * wf.salary[mine]).sum() * years)
    np.multiply(wf.salary, 1.0 + raises, out=wf.salary, where=wf.active)
    growth = (1.0 + raises) ** (1.0 / max(years, 1e-9)) - 1.0
    np.copyto(wf.pay_growth, growth, where=wf.active)
    return raises


def review_pay(sim: SimState, review: Review) -> None:
    """Raises and bonuses for this review; how closely raises followed true performance."""
    raises = pay_review(sim, review.grades, review.cycle_weeks)
    review.raises = raises
    rated, perf = review.rated, review.true_performance
    if len(rated) >= 3:
        given, earned = raises[rated], perf[rated]
        if mean_sd(given)[1] > 0 and mean_sd(earned)[1] > 0:
            sim.cycle_results.pay_performance_corr = float(correlation(given, earned))


MECHANISM = Mechanism(
    "pay",
    steps=(Step("after_review", review_pay),),
    summary="merit matrix or flat raises on a budget, bonuses by grade, market-drifting bands",
)
