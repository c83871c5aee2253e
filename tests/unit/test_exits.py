"""Exits: the voluntary quit hazard and the involuntary exit rules."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms.exits import (
    market_standing,
    performance_z,
    quit_hazard,
    quit_probability,
)
from simlib.scenario.behaviour import ExitBehaviour

PREMIUM = ExitBehaviour().market_premium_per_sd


def scenario(policies: dict | None = None, **behaviour) -> dict:
    return {
        "organization": {"headcount": 200, "span_of_control": 8},
        "environment": {"years": 1, "pay_drift": 0.03},
        "behaviour": {"voluntary_quit_rate": 0.10, **behaviour},
        "policies": policies or {"p": {}},
    }


def started(**behaviour) -> Simulation:
    """A started simulation whose hazard intercept is 0.10 (the form, not the anchor)."""
    sim = Simulation(load_scenario(scenario(**behaviour)), "p", seed=6, neutral_quit_rate=0.10)
    sim.start()
    return sim


def neutral(sim: Simulation, n: int) -> None:
    """Put the first ``n`` positions at average attitudes and market-level pay growth."""
    wf = sim.workforce
    wf.engagement[:n] = sim.scenario.behaviour.engagement.set_point
    wf.fairness_belief[:n] = wf.NEW_HIRE_FAIRNESS
    wf.pay_growth[:n] = 0.03


def test_hazard_is_u_shaped_with_unit_mean_over_a_normal_workforce():
    sim = started()
    z = np.linspace(-3, 3, sim.workforce.size)
    neutral(sim, sim.workforce.size)
    sim.workforce.pay_growth[:] = 0.03 + PREMIUM * np.clip(z, 0, 2)  # paid what they are worth
    h = quit_hazard(sim, z)
    c = sim.scenario.behaviour.exits.u_curvature
    assert np.allclose(h, 0.10 * np.exp(c * z * z) * np.sqrt(1 - 2 * c))
    assert h[0] > h[len(h) // 2] < h[-1]
    draws = np.random.default_rng(0).standard_normal(200_000)
    u = np.exp(c * draws**2) * np.sqrt(1 - 2 * c)
    assert u.mean() == pytest.approx(1.0, abs=0.01)


def test_pay_lag_drives_out_high_performers_only():
    sim = started()
    neutral(sim, sim.workforce.size)
    z = np.zeros(sim.workforce.size)
    z[:10], z[10:20] = 1.5, -1.5
    sim.workforce.pay_growth[:] = 0.03 + PREMIUM * np.clip(z, 0, 2)  # paid what they are worth
    paid = quit_hazard(sim, z)
    sim.workforce.pay_growth[:] = 0.03  # everyone gets the market drift, nobody more
    lagging = quit_hazard(sim, z)
    xb = sim.scenario.behaviour.exits
    lag = PREMIUM * 1.5
    assert np.allclose(lagging[:10], paid[:10] * np.exp(xb.pay_lag_sensitivity * lag))
    assert np.allclose(lagging[10:20], paid[10:20])  # low performers: no outside pull


def test_low_engagement_and_fairness_raise_the_hazard():
    sim = started()
    neutral(sim, sim.workforce.size)
    z = np.zeros(sim.workforce.size)
    base = quit_hazard(sim, z)[0]
    sim.workforce.engagement[0] -= 0.2
    sim.workforce.fairness_belief[1] -= 0.2
    h = quit_hazard(sim, z)
    xb = sim.scenario.behaviour.exits
    assert h[0] == pytest.approx(base * np.exp(xb.engagement_sensitivity * 0.2))
    assert h[1] == pytest.approx(base * np.exp(xb.fairness_sensitivity * 0.2))


def test_switched_off_hazard_is_flat_at_the_stated_rate():
    sim = Simulation(load_scenario(scenario(exits=None)), "p", seed=6)
    sim.start()  # no hazard terms: nothing to anchor, the stated rate is the intercept
    z = np.linspace(-3, 3, sim.workforce.size)
    assert np.all(quit_hazard(sim, z) == 0.10)


def test_a_promotion_raises_the_market_standing_of_those_below_the_signal():
    sim = started()
    neutral(sim, sim.workforce.size)
    wf = sim.workforce
    z = np.zeros(wf.size)
    z[:3] = [-0.5, 0.5, 2.0]
    z[3:6] = z[:3]  # twins: same performance and pay, not promoted
    sim.turnover.learn_promotion_signal(np.array([1.0, 1.4]))
    assert sim.turnover.promotion_signal_sd == pytest.approx(1.2)
    wf.level[:3] = 1
    assert np.allclose(market_standing(sim, z)[:6], [1.2, 1.2, 2.0, -0.5, 0.5, 2.0])
    wf.pay_growth[:] = 0.03
    h = quit_hazard(sim, z)
    xb = sim.scenario.behaviour.exits
    pulled = np.exp(xb.pay_lag_sensitivity * PREMIUM * (1.2 - np.array([0.0, 0.5])))
    assert np.allclose(h[:2], h[3:5] * pulled)  # net of pay growth, the promoted quit more
    assert h[2] == pytest.approx(h[5])  # already visible: a promotion adds nothing


def test_promotions_invisible_to_the_market_change_nothing():
    sim = started(exits={"promotion_visibility": 0.0})
    sim.turnover.learn_promotion_signal(np.array([1.5]))
    sim.workforce.level[:5] = 1
    z = np.zeros(sim.workforce.size)
    assert np.array_equal(market_standing(sim, z), z)


def test_performance_z_is_standardized_over_the_employed():
    sim = started()
    z = performance_z(sim)
    a = sim.workforce.active
    assert z[a].mean() == pytest.approx(0.0, abs=1e-9) and z[a].std() == pytest.approx(1.0)
    wf = sim.workforce
    wf.vacate(np.arange(0, wf.size, 7))
    rate = wf.potential + wf.skill + wf.drive
    employed = rate[wf.active]
    expected = (rate - employed.mean()) / employed.std()  # numpy's own mean and SD
    assert performance_z(sim).tobytes() == expected.tobytes()  # bit for bit


def test_quit_probability_compounds_the_yearly_rate():
    assert quit_probability(0.19, 26) == pytest.approx(0.1)
    assert np.allclose(quit_probability(np.array([0.0, 0.5]), 52), [0.0, 0.5])


def test_quintile_counters_and_regretted_quits_add_up():
    s = load_scenario(scenario())
    sim = Simulation(s, "p", seed=1)
    sim.run()
    c = sim.counts
    quits = c.quits_by_quintile.sum()
    assert quits == c.quits and c.regretted_quits == c.quits_by_quintile[4]
    at_risk = c.at_risk_by_quintile
    assert max(at_risk) - min(at_risk) <= 13 * 2  # fifths of everyone employed, each check
