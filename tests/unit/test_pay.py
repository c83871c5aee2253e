"""Merit pay: the matrix, the budget, bonuses, promotions, and their validation."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.errors import ScenarioError
from simlib.mechanisms.pay import bonus_shares, default_multipliers, merit_raises, pay_review
from simlib.mechanisms.promotion import promote


def scenario(policy: dict, **environment) -> dict:
    return {
        "organization": {"headcount": 300, "span_of_control": 8},
        "environment": {"years": 1, **environment},
        "policies": {"p": policy},
    }


def started(policy: dict, **environment) -> Simulation:
    sim = Simulation(load_scenario(scenario(policy, **environment)), "p", seed=4)
    sim.start()
    return sim


def grades_for(sim: Simulation) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.choice(5, size=sim.workforce.size, p=[0.05, 0.2, 0.6, 0.1, 0.05])


def test_matrix_spends_exactly_the_budget_and_keeps_its_proportions():
    sim = started({"preset": "pay_matrix"})
    rows = np.flatnonzero(sim.workforce.active)
    grades = grades_for(sim)[rows]
    raises = merit_raises(sim, rows, grades, 1.0)
    salary = sim.workforce.salary[rows]
    assert (raises * salary).sum() == pytest.approx(0.035 * salary.sum())
    compa = sim.pay.compa_ratio()[rows]
    band = np.searchsorted([0.9, 1.1], compa, side="right")
    for b in range(3):
        s = raises[(grades == 0) & (band == b)]
        a = raises[(grades == 1) & (band == b)]
        if len(s) and len(a):
            assert s[0] == pytest.approx(1.5 * a[0])  # S gets 1.5x A
    assert np.all(raises[grades >= 3] == 0)  # no raise at C and below
    # Lower in the range, bigger raise, for the same grade.
    mid = grades == 2
    assert raises[mid & (band == 0)].min() > raises[mid & (band == 2)].max()


def test_flat_and_default_grid():
    flat = started({"pay": {"scheme": "flat", "merit_budget": 0.04}})
    rows = np.flatnonzero(flat.workforce.active)
    assert np.allclose(merit_raises(flat, rows, grades_for(flat)[rows], 1.0), 0.04)
    grid = started({}, pay_drift=0.03)  # default: a merit grid on the market's drift
    rows = np.flatnonzero(grid.workforce.active)
    grades = grades_for(grid)[rows]
    raises = merit_raises(grid, rows, grades, 1.0)
    salary = grid.workforce.salary[rows]
    assert (raises * salary).sum() == pytest.approx(0.03 * salary.sum())
    by_grade = [raises[grades == g][0] for g in range(5)]
    assert np.allclose(np.array(by_grade) / by_grade[2], default_multipliers(5))


def test_bonus_multipliers():
    sim = started({"preset": "pay_matrix"})
    bonus = bonus_shares(sim.policy, np.array([0, 1, 2, 3, 4]), 5)
    assert np.allclose(bonus, [0.12, 0.11, 0.10, 0.05, 0.0])
    assert np.all(bonus_shares(started({}).policy, np.array([0, 4]), 5) == 0)


def test_pay_review_raises_salaries_and_records_growth_and_bonus():
    sim = started({"preset": "pay_matrix"})
    wf = sim.workforce
    before = wf.salary.copy()
    grades = np.where(wf.active, grades_for(sim), -1)
    grades[:5] = -1  # not rated: they follow the market
    raises = pay_review(sim, grades, 52.0)
    a = wf.active
    assert np.allclose(wf.salary[a], before[a] * (1 + raises[a]))
    assert np.allclose(raises[:5][a[:5]], 0.03)
    assert np.allclose(wf.pay_growth[a], raises[a])
    assert sim.counts.bonus_paid > 0


def test_promotion_from_the_high_potential_pool():
    sim = started({"preset": "pay_matrix"})
    wf = sim.workforce
    grades = np.where(wf.active, grades_for(sim), -1)
    scores = -grades + np.linspace(0, 0.5, wf.size)
    skill0, salary0 = wf.skill.copy(), wf.salary.copy()
    promoted = promote(sim, grades, scores)
    pool = np.flatnonzero(wf.active & (grades >= 0) & (grades < 2))
    assert abs(len(promoted) - 0.25 * len(pool)) <= 0.5
    assert set(promoted) <= set(pool)
    assert np.allclose(wf.skill[pool] - skill0[pool], 0.1)  # development programme
    assert np.allclose(wf.salary[promoted], salary0[promoted] * 1.10)
    assert np.all(wf.level[promoted] == 1)
    # The best-rated of the pool are promoted.
    rest = np.setdiff1d(pool, promoted)
    assert scores[promoted].min() >= scores[rest].max()


@pytest.mark.parametrize(
    "pay, expected",
    [
        ({"matrix": {"S": [0.1]}}, "pay.matrix: keys must be the rating grades"),
        (
            {"compa_bands": [0.9, 1.1], "matrix": {g: [0.1] for g in "SABCD"}},
            "matrix row 'S' has 1 raises; 2 compa_bands make 3 bands",
        ),
        ({"compa_bands": [1.1, 0.9]}, "compa_bands must be strictly ascending"),
        ({"merit_budget": 0.9}, "merit_budget"),
        ({"bonus_multipliers": {"S": 1.2}}, "pay.bonus_multipliers: keys"),
        ({"sheme": "flat"}, "did you mean 'scheme'"),
    ],
)
def test_bad_pay_policies_are_refused_with_the_field_named(pay, expected):
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenario({"pay": pay}))
    assert expected in str(err.value)


def test_pay_performance_correlation_is_reported_and_positive_under_merit_pay():
    s = load_scenario(scenario({"preset": "pay_matrix"}))
    frame = Simulation(s, "p", seed=1).run()
    corr = frame[frame.metric == "pay_performance_corr"].value
    payroll = frame[frame.metric == "payroll"].value
    assert len(corr) == 1 and 0.1 < corr.iloc[0] < 0.9
    assert payroll.iloc[-1] > payroll.iloc[0]


def test_bottom_grades_get_capability_training():
    from simlib.mechanisms.development import train_bottom_grades

    sim = started({"development": {"bottom_grades": 2, "skill_gain_sd": 0.2, "hours": 8}})
    wf = sim.workforce
    grades = np.where(wf.active, grades_for(sim), -1)
    skill0 = wf.skill.copy()
    trained = train_bottom_grades(sim, grades)
    assert set(trained) == set(np.flatnonzero(wf.active & (grades >= 3)))
    assert np.allclose(wf.skill[trained] - skill0[trained], 0.2 * (1 - skill0[trained]))
    others = np.setdiff1d(np.arange(wf.size), trained)
    assert np.array_equal(wf.skill[others], skill0[others])
    assert sim.counts.training_hours == 8 * len(trained)
    with pytest.raises(ScenarioError, match="development.bottom_grades"):
        load_scenario(scenario({"development": {"bottom_grades": 5}}))
