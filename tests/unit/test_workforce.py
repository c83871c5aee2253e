from __future__ import annotations

import numpy as np

from simlib.mechanisms.hiring import select_hires
from simlib.scenario.organization import Organization
from simlib.state.workforce import OrgChart, Workforce


def test_org_chart_with_managers():
    org = Organization(
        headcount=100,
        span_of_control=8,
        departments=[{"name": "A", "share": 0.5}, {"name": "B", "share": 0.5}],
    )
    chart = OrgChart.build(org)
    assert chart.positions == 100
    working = ~chart.team_is_management
    n_teams = int(working.sum())
    assert n_teams == 12  # ceil(100 / 9)
    assert chart.is_manager.sum() == n_teams
    # Every working team's manager sits in the management team of the same department.
    for team in np.flatnonzero(working):
        manager = chart.team_manager[team]
        assert chart.is_manager[manager]
        assert chart.team_is_management[chart.team[manager]]
        assert chart.department[manager] == chart.team_department[team]
    sizes = np.bincount(chart.team[~chart.is_manager])
    assert sizes.max() - sizes[sizes > 0].min() <= 1


def test_org_chart_ratees_only():
    chart = OrgChart.build(Organization(headcount=100, span_of_control=10, include_managers=False))
    assert np.bincount(chart.team).tolist() == [10] * 10
    assert not chart.is_manager.any()


def test_accrual_is_exact_integral_of_ramp_up():
    chart = OrgChart.build(Organization(headcount=2, span_of_control=2, include_managers=False))
    wf = Workforce(chart)
    wf.fill(np.arange(2), 0.0, np.array([0.0, 1.0]), np.zeros(2, int), np.ones(2))
    # Accrue in uneven steps across the end of a 10-week ramp with deficit 2.
    t = 0.0
    for step in [3.0, 4.5, 5.0, 7.5]:
        wf.accrue(t, t + step, level=0.5, ramp_weeks=10.0, ramp_deficit=2.0)
        t += step
    grid = np.linspace(0, t, 200_001)
    deficit = 2.0 * np.clip(1 - grid / 10.0, 0, None)
    for row, potential in enumerate([0.0, 1.0]):
        expected = np.trapezoid(potential + 0.5 - deficit, grid)
        assert abs(wf.perf_cum[row] - expected) < 1e-6
    assert wf.weeks_cum.tolist() == [t, t]


def test_hires_drawn_in_batch_equal_hires_drawn_one_by_one():
    org = Organization(groups={"a": 0.5, "b": 0.5})
    batch = select_hires(np.random.default_rng(3), 5, 10, 0.3, org)
    rng = np.random.default_rng(3)
    singles = [select_hires(rng, 1, 10, 0.3, org) for _ in range(5)]
    for i in range(3):
        assert np.array_equal(batch[i], np.concatenate([s[i] for s in singles]))


def test_selection_raises_hire_potential_as_theory_says():
    # Best of 10 at validity .3: E[potential] = .3 * E[max of 10 N(0,1)] = .3 * 1.5388.
    potential, _, _ = select_hires(np.random.default_rng(0), 200_000, 10, 0.3, Organization())
    assert abs(potential.mean() - 0.3 * 1.5388) < 0.01
    random_hires, _, _ = select_hires(np.random.default_rng(0), 200_000, 10, 0.0, Organization())
    assert abs(random_hires.mean()) < 0.01


def test_pareto_potential_is_standardized_and_skewed():
    org = Organization(potential_distribution="pareto", pareto_shape=4.0)
    p, _, _ = select_hires(np.random.default_rng(1), 400_000, 1, 0.0, org)
    assert abs(p.mean()) < 0.02 and abs(p.std() - 1) < 0.1
    assert np.mean(p > 3) > 0.005 > np.mean(p < -3)


def test_teammates_follow_every_join_and_leave():
    chart = OrgChart.build(Organization(headcount=6, span_of_control=3, include_managers=False))
    wf = Workforce(chart)  # teams: 0 0 0 1 1 1
    ones = np.ones(6)
    wf.fill(np.arange(6), 0.0, ones * 0, ones.astype(np.int64) * 0, ones)
    assert wf.teammates().others.tolist() == [2, 2, 2, 2, 2, 2]
    wf.vacate(np.array([0, 1]))
    # A vacant position's teammates are everyone active in its team.
    assert wf.teammates().others.tolist() == [1, 1, 0, 2, 2, 2]
    assert wf.teammates().any.tolist() == [True, True, False, True, True, True]
    wf.fill(np.array([1]), 1.0, ones[:1], ones[:1].astype(np.int64), ones[:1])
    assert wf.teammates().others.tolist() == [2, 1, 1, 2, 2, 2]
    assert wf.teammates().divisor.tolist() == [2, 1, 1, 2, 2, 2]
