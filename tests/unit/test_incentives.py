"""Incentive responses: effort, gaming, helping, sabotage and the stake people perceive."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms import incentives
from simlib.mechanisms.incentives import (
    ATTITUDE_SD,
    attitude_effect,
    complement_factors,
    effort_level,
    team_others_mean,
    usual_attitudes,
)
from simlib.scenario.behaviour import IncentiveBehaviour


def scenario(**behaviour) -> dict:
    return {
        "organization": {"headcount": 300, "span_of_control": 8},
        "environment": {"years": 1},
        "behaviour": behaviour,
        "policies": {
            "absolute": {"preset": "absolute"},
            "forced": {"preset": "forced_distribution"},
            "kpi_pay": {"goals": {"regime": "kpi", "kpi_weight": 1.0}},
            "kpi_half": {"goals": {"regime": "kpi", "kpi_weight": 0.5}},
            "okr": {"preset": "okr"},
            "flat": {"pay": {"scheme": "flat"}},
        },
    }


def started(policy: str, **behaviour) -> Simulation:
    sim = Simulation(load_scenario(scenario(**behaviour)), policy, seed=2)
    sim.start()
    return sim


def test_complements_gaming_lifts_measured_output_and_costs_business_value():
    g = np.array([0.0, 0.1, 0.3, 0.6, 1.0])
    measured, value = complement_factors(g, 0.5)
    assert measured[0] == 1.0 and value[0] == 1.0
    assert np.all(np.diff(measured) > 0)
    assert np.all(np.diff(value) < 0)
    assert value[-1] == 0.0  # no unmeasured work left: nothing of value
    # The loss is second order at first, then grows ever faster.
    losses = 1 - value
    assert losses[1] < 0.01 and np.all(np.diff(losses, 2) > 0)


def test_effort_rises_with_the_stake_with_diminishing_returns():
    inc = IncentiveBehaviour()
    assert effort_level(0.0, 1.0, inc) == 0.0
    assert effort_level(-5.0, 1.0, inc) == 0.0
    stakes = [1.0, 2.0, 4.0, 8.0]
    e = np.array([effort_level(s, 1.0, inc) for s in stakes])
    slopes = np.diff(e) / np.diff(stakes)
    assert np.all(slopes > 0) and np.all(np.diff(slopes) < 0)  # diminishing returns
    assert effort_level(inc.effort_cost, 1.0, inc) == pytest.approx(
        inc.effort_max_sd * (1 - np.exp(-1))
    )
    assert effort_level(4.0, 2.0, inc) == effort_level(8.0, 1.0, inc)  # line of sight


def test_attitudes_add_their_sourced_effect_per_sd_around_the_usual_levels():
    inc = IncentiveBehaviour()
    usual = (0.65, 0.6)
    engagement = np.array([0.65, 0.65 + ATTITUDE_SD, 0.65 - 2 * ATTITUDE_SD, 0.65])
    fairness = np.array([0.6, 0.6, 0.6, 0.6 - ATTITUDE_SD])
    out = attitude_effect(engagement, fairness, usual, inc)
    assert out == pytest.approx(
        [
            0.0,
            inc.engagement_performance_sd,
            -2 * inc.engagement_performance_sd,
            -inc.fairness_performance_sd,
        ]
    )
    off = inc.model_copy(update={"engagement_performance_sd": 0.0, "fairness_performance_sd": 0.0})
    assert np.all(attitude_effect(engagement, fairness, usual, off) == 0.0)


def test_attitudes_do_not_scale_what_the_stake_draws():
    """Lower fairness costs the same effort whatever the stake: it is not a multiplier
    (whether performance pays is already the stake's learned link)."""
    drops = {}
    for policy in ("flat", "absolute", "forced"):
        sim = started(policy)
        wf = sim.workforce
        before = wf.effort.copy()
        wf.fairness_belief[wf.active] -= 0.2
        incentives.update(sim)
        drops[policy] = (before - wf.effort)[wf.active]
    inc = IncentiveBehaviour()
    expected = inc.fairness_performance_sd * 0.2 / ATTITUDE_SD
    for drop in drops.values():
        assert drop == pytest.approx(np.full(len(drop), expected))


def test_team_others_mean_excludes_self_and_vacancies():
    values = np.array([1.0, 2.0, 3.0, 10.0, 5.0])
    team = np.array([0, 0, 0, 1, 1])
    active = np.array([True, True, True, False, True])
    out = team_others_mean(values, team, active)
    assert np.allclose(out, [2.5, 2.0, 1.5, 5.0, 0.0])


def test_forced_ranking_raises_stake_and_effort_cuts_helping_and_breeds_sabotage():
    absolute, forced = started("absolute"), started("forced")
    a, f = absolute.workforce, forced.workforce
    assert forced.beliefs.stake > absolute.beliefs.stake + 1.0
    assert f.effort[f.active].mean() > a.effort[a.active].mean()
    assert f.helping[f.active].mean() < a.helping[a.active].mean()
    assert a.sabotage.max() == 0.0 and f.sabotage[f.active].mean() > 0.02
    no_sabotage = started("forced", incentives={"sabotage_propensity": 0.0})
    assert no_sabotage.workforce.sabotage.max() == 0.0
    assert no_sabotage.workforce.drive[f.active].mean() > f.drive[f.active].mean()


def test_flat_pay_promises_no_stake():
    flat = started("flat")
    wf = flat.workforce
    assert flat.beliefs.stake == pytest.approx(0.0, abs=1e-9)
    inc = IncentiveBehaviour()
    # Only the attitudes move effort: new hires start a little above the usual engagement.
    attitudes = attitude_effect(wf.engagement, wf.fairness_belief, usual_attitudes(flat), inc)
    assert np.allclose(wf.effort[wf.active], attitudes[wf.active])


def test_gaming_rises_with_pay_weight_on_measured_kpis():
    gaming = {p: started(p).workforce.gaming for p in ("absolute", "kpi_half", "kpi_pay", "okr")}
    assert gaming["absolute"].max() == 0.0  # no KPIs
    assert gaming["okr"].max() == 0.0  # decoupled from pay
    half, full = gaming["kpi_half"], gaming["kpi_pay"]
    active = started("kpi_pay").workforce.active
    assert np.allclose(full[active], np.minimum(2 * half[active], 1.0))
    assert full[active].mean() == pytest.approx(0.4, abs=0.05)  # gaming_at_full_weight


def test_personal_traits_are_common_random_numbers_across_policies():
    a, b = started("absolute"), started("forced")
    assert np.array_equal(a.workforce.gaming_propensity, b.workforce.gaming_propensity)
    assert np.array_equal(a.workforce.sabotage_propensity, b.workforce.sabotage_propensity)
    assert a.workforce.gaming_propensity.mean() == pytest.approx(1.0, abs=0.1)


def test_switched_off_responses_leave_performance_alone():
    sim = started("forced", incentives=None)
    assert np.all(sim.workforce.drive == 0)
    assert np.all(sim.workforce.effort == 0)


def test_every_response_mechanism_is_reproducible_and_paired():
    s = load_scenario(
        {
            "organization": {"headcount": 120},
            "environment": {
                "years": 2,
                "market_shocks": [{"week": 20, "size_sd": -1.0, "duration_weeks": 30}],
                "random_shocks_per_year": 2,
            },
            "policies": {
                "okr": {"preset": "okr", "checkins": {"early_warning_weeks": 2}},
                "matrix": {"preset": "pay_matrix", "development": {"bottom_grades": 2}},
            },
        }
    )
    import simlib

    a = simlib.compare(s, reps=2, seed=3).frame
    b = simlib.compare(s, reps=2, seed=3).frame
    pd_testing = pytest.importorskip("pandas.testing")
    pd_testing.assert_frame_equal(a, b)
    w0 = a[(a.week == 0) & (a.metric == "workforce_potential")]
    by_policy = w0.pivot(index="rep", columns="policy", values="value")
    assert (by_policy["okr"] == by_policy["matrix"]).all()
