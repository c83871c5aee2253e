"""Engagement and fairness dynamics, check-ins, early warning and the weekly work process."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms.engagement import (
    advance,
    after_review,
    checkin_intensity,
    pip_started,
    set_point,
)
from simlib.mechanisms.work import needs_weekly, start_work


def scenario(policies: dict, **behaviour) -> dict:
    return {
        "organization": {"headcount": 200, "span_of_control": 8},
        "environment": {"years": 1},
        "behaviour": behaviour,
        "policies": policies,
    }


def started(policy: dict, **behaviour) -> Simulation:
    sim = Simulation(load_scenario(scenario({"p": policy}, **behaviour)), "p", seed=8)
    sim.populate()
    start_work(sim)
    return sim


def test_engagement_drifts_to_its_set_point_exponentially():
    sim = started({})
    wf = sim.workforce
    start = wf.engagement.copy()
    target = set_point(sim)
    sim.env.run(until=26)
    advance(sim)
    pull = 1 - np.exp(-26 / 26)
    a = wf.active
    assert np.allclose(wf.engagement[a], start[a] + pull * (target[a] - start[a]))


def test_set_point_rises_with_checkins_and_falls_under_ranking_and_hopeless_goals():
    base = set_point(started({}))[0]
    weekly = set_point(started({"checkins": {"cadence": "weekly", "feedback_quality": 1.0}}))
    monthly = set_point(started({"checkins": {"cadence": "monthly", "feedback_quality": 1.0}}))
    poor = set_point(started({"checkins": {"cadence": "weekly", "feedback_quality": 0.2}}))
    assert weekly[0] == pytest.approx(base + 0.12)
    assert base < monthly[0] < weekly[0] and poor[0] < weekly[0]
    ranked = set_point(started({"preset": "forced_distribution"}))
    assert ranked[0] == pytest.approx(base - 0.05)
    hopeless = started({"goals": {"regime": "kpi", "stretch_sd": 5.0}})
    assert set_point(hopeless).mean() < base - 0.2


def test_checkin_intensity_diminishes_with_frequency():
    intens = [
        checkin_intensity(started({"checkins": {"cadence": c}}))
        for c in ("none", "monthly", "biweekly", "weekly")
    ]
    assert intens == pytest.approx([0.0, 0.5, 1 / np.sqrt(2), 1.0])


def test_disappointing_grades_cost_engagement_and_fairness_and_promotion_lifts():
    sim = started({})
    wf = sim.workforce
    eng0, fair0 = wf.engagement.copy(), wf.fairness_belief.copy()
    perf = np.full(wf.size, 2.0)  # everyone believes they are excellent
    grades = np.where(wf.active, 4, -1)  # ... and everyone gets the bottom grade
    promoted = np.flatnonzero(wf.active)[:3]
    short = after_review(sim, grades, perf, promoted)
    a = np.flatnonzero(wf.active)
    assert np.all(short[a] >= 2)
    others = a[3:]
    assert np.all(wf.engagement[others] < eng0[others])
    assert np.all(wf.fairness_belief[a] < fair0[a])
    # Promotion partly makes up for it.
    assert wf.engagement[promoted].mean() > wf.engagement[others].mean()


def test_pip_costs_engagement():
    sim = started({})
    before = sim.workforce.engagement[:4].copy()
    pip_started(sim, np.arange(4))
    assert np.allclose(sim.workforce.engagement[:4], before - 0.10)


def test_no_weekly_mechanism_no_weekly_events():
    assert not needs_weekly(started({}))
    assert needs_weekly(started({"checkins": {"cadence": "monthly"}}))
    assert needs_weekly(started({"checkins": {"early_warning_weeks": 2}}))
    assert started({}).env.peek() == float("inf")  # nothing scheduled between reviews
    assert started({"checkins": {"cadence": "monthly"}}).env.peek() == 0.0
    busy = started({"checkins": {"cadence": "weekly"}})
    busy.env.run(until=20.5)
    assert busy.counters["checkins"] == 20 * busy.workforce.headcount
    monthly = started({"checkins": {"cadence": "monthly"}})
    ticks = []
    original = monthly.catch_up

    def spy() -> None:
        ticks.append(monthly.now)
        original()

    monthly.catch_up = spy  # type: ignore[method-assign]
    monthly.env.run(until=20.5)
    assert monthly.counters["checkins"] == 5 * monthly.workforce.headcount
    assert sorted(set(ticks)) == [4.0, 8.0, 12.0, 16.0, 20.0]  # no weekly ticks needed


def test_checkins_cost_manager_hours_and_coach_skill():
    none = Simulation(load_scenario(scenario({"p": {}})), "p", seed=1)
    none.run()
    weekly_policy = {"checkins": {"cadence": "weekly", "minutes": 30, "feedback_quality": 1.0}}
    weekly = Simulation(load_scenario(scenario({"p": weekly_policy})), "p", seed=1)
    weekly.run()
    extra = weekly.counters["manager_hours"] - none.counters["manager_hours"]
    assert extra == pytest.approx(weekly.counters["checkins"] * 0.5, rel=0.05)
    assert 50 * 150 < weekly.counters["checkins"] < 52 * 200
    wf = weekly.workforce
    assert wf.skill[wf.active].mean() > none.workforce.skill[none.workforce.active].mean()


def test_early_warning_flags_those_below_baseline_for_weeks_running():
    policy = {"checkins": {"early_warning_weeks": 2, "warning_margin_sd": 0.0}}
    sim = Simulation(load_scenario(scenario({"p": policy})), "p", seed=3)
    sim.populate()
    start_work(sim)
    sim.env.run(until=10)
    # Noise alone puts about half below baseline each week; a quarter flagged every 2 weeks.
    flagged = sim.counters["early_warnings"] / sim.workforce.headcount
    assert 0.5 < flagged < 3.0
    strict = {"checkins": {"early_warning_weeks": 2, "warning_margin_sd": 5.0}}
    calm = Simulation(load_scenario(scenario({"p": strict})), "p", seed=3)
    calm.populate()
    start_work(calm)
    calm.env.run(until=10)
    assert calm.counters["early_warnings"] == 0


def engagement_after_shock(rebaseline: bool, reps: int = 3) -> float:
    shock = {"market_shocks": [{"week": 13, "size_sd": -1.0}]}
    values = []
    for rep in range(reps):
        s = scenario({"p": {"goals": {"regime": "kpi", "rebaseline": rebaseline}}})
        s["environment"].update(shock)
        frame = Simulation(load_scenario(s), "p", seed=2, rep=rep).run()
        values.append(frame[frame.metric == "engagement"].value.iloc[-1])
    return float(np.mean(values))


def test_demand_shock_without_rebaselining_lowers_engagement_more():
    assert engagement_after_shock(False) < engagement_after_shock(True) - 0.015
