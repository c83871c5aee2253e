"""Promotion: a more demanding, better paid and more visible job; bounded development."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine.review import rate_and_grade
from simlib.engine.simulation import Simulation
from simlib.mechanisms.checkins import SKILL_CEILING_SD
from simlib.mechanisms.exits import performance_z
from simlib.mechanisms.promotion import level_demands, promote

PROMOTION = {"pool_grades": 2, "share_promoted": 0.5, "raise_share": 0.10, "development_sd": 0.3}


def started(promotion: dict | None = PROMOTION, **careers) -> Simulation:
    s = load_scenario(
        {
            "organization": {"headcount": 100, "span_of_control": 10},
            "environment": {"years": 2},
            "behaviour": {"careers": careers},
            "policies": {"p": {"pay": {"promotion": promotion}}},
        }
    )
    sim = Simulation(s, "p", seed=4, neutral_quit_rate=0.1)
    sim.start()
    return sim


def test_the_promoted_move_up_a_level_with_a_raise_and_learn_what_a_promotion_signals():
    sim = started()
    wf = sim.workforce
    grades = np.full(wf.size, 2)
    grades[:10] = 0  # the pool: ten people in the best grade
    scores = -np.arange(wf.size, dtype=float)  # the first rows rated best
    salary = wf.salary.copy()
    promoted = promote(sim, grades, scores)
    assert sorted(promoted) == [0, 1, 2, 3, 4]  # half the pool, the best-rated
    assert np.all(wf.level[promoted] == 1) and wf.level[5:].sum() == 0
    assert np.allclose(wf.salary[promoted], salary[promoted] * 1.10)
    assert np.allclose(wf.salary[5:], salary[5:])
    # what outside employers read into a promotion: the standing of those promoted
    assert sim.turnover.promotion_signal_sd == pytest.approx(
        float(performance_z(sim)[promoted].mean())
    )
    assert sim.turnover.promoted_so_far == 5


def test_the_promoted_are_rated_against_the_higher_level():
    demand = 0.7
    runs = []
    for promoted in (False, True):
        sim = started(level_demand_sd=demand)
        sim.env.run(until=sim.scenario.environment.weeks_per_cycle - 1)
        if promoted:
            sim.workforce.level[:10] = 1
        runs.append(rate_and_grade(sim))
    before, after = runs
    gap = before.true_performance - after.true_performance
    assert np.allclose(gap[:10], demand) and np.allclose(gap[10:], 0.0)
    # the raters see the same shift: the promoted rate lower, everyone else as before
    assert np.all(after.scores[:10] < before.scores[:10])


def test_level_demands_are_nil_without_promotions():
    sim = started(promotion=None, level_demand_sd=1.0)
    sim.workforce.level[:] = 3
    assert level_demands(sim) == 0.0
    sim = started(level_demand_sd=1.0)
    sim.workforce.level[:2] = [1, 2]
    assert np.array_equal(level_demands(sim)[:3], [1.0, 2.0, 0.0])


def test_development_has_diminishing_returns_and_a_ceiling():
    sim = started()
    wf = sim.workforce
    grades = np.full(wf.size, 2)
    grades[:10] = 0
    scores = np.zeros(wf.size)
    gains = []
    for _ in range(40):
        before = wf.skill[0]
        promote(sim, grades, scores)
        gains.append(wf.skill[0] - before)
    assert gains[0] == pytest.approx(0.3)  # from no skill: the full gain
    assert all(b < a for a, b in zip(gains, gains[1:], strict=False))
    assert wf.skill[:10].max() <= SKILL_CEILING_SD
    assert wf.skill[:10].max() > 0.99 * SKILL_CEILING_SD
    assert np.all(wf.skill[10:] == 0.0)  # outside the pool: no programme
