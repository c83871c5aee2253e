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
from simlib.mechanisms.work import needs_weekly


def scenario(policies: dict, **behaviour) -> dict:
    return {
        "organization": {"headcount": 200, "span_of_control": 8},
        "environment": {"years": 1},
        "behaviour": behaviour,
        "policies": policies,
    }


# People alike (no personal set points): the common mechanics, away from the scale's ends.
ALIKE = {"engagement": {"between_person_sd": 0.0}}


def started(policy: dict, **behaviour) -> Simulation:
    sim = Simulation(load_scenario(scenario({"p": policy}, **behaviour)), "p", seed=8)
    sim.start()
    return sim


def test_engagement_drifts_to_its_set_point_exponentially():
    sim = started({}, voluntary_quit_rate=0.0)
    wf = sim.workforce
    start = wf.engagement.copy()
    target = set_point(sim)
    sim.env.run(until=26)
    advance(sim)
    pull = 1 - np.exp(-26 / 26)
    a = wf.active & (wf.hired_week <= 0)  # those here from the start (newcomers differ)
    assert np.allclose(wf.engagement[a], start[a] + pull * (target[a] - start[a]))


def test_set_point_rises_with_checkins_and_falls_under_ranking_and_hopeless_goals():
    base = set_point(started({}, **ALIKE))[0]
    weekly = set_point(
        started({"checkins": {"cadence": "weekly", "feedback_quality": 1.0}}, **ALIKE)
    )
    monthly = set_point(
        started({"checkins": {"cadence": "monthly", "feedback_quality": 1.0}}, **ALIKE)
    )
    poor = set_point(started({"checkins": {"cadence": "weekly", "feedback_quality": 0.2}}, **ALIKE))
    assert weekly[0] == pytest.approx(base + 0.12)
    assert base < monthly[0] < weekly[0] and poor[0] < weekly[0]
    ranked = set_point(started({"preset": "forced_distribution"}, **ALIKE))
    assert ranked[0] == pytest.approx(base - 0.05)
    hopeless = started({"goals": {"regime": "kpi", "stretch_sd": 5.0}}, **ALIKE)
    assert set_point(hopeless).mean() < base - 0.2


def test_checkin_intensity_diminishes_with_frequency():
    intens = [
        checkin_intensity(started({"checkins": {"cadence": c}}))
        for c in ("none", "monthly", "biweekly", "weekly")
    ]
    assert intens == pytest.approx([0.0, 0.5, 1 / np.sqrt(2), 1.0])


def test_disappointing_grades_cost_engagement_and_fairness_and_promotion_lifts():
    sim = started({}, **ALIKE)
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
    sim = started({}, **ALIKE)
    before = sim.workforce.engagement[:4].copy()
    pip_started(sim, np.arange(4))
    assert np.allclose(sim.workforce.engagement[:4], before - 0.10)


def events(policy: dict, until: float) -> list[tuple[float, str, int]]:
    """The event trace of a year with no one leaving (so no hiring either) and no appeals."""
    policy = {**policy, "rating": {"appeals": {"enabled": False}}}
    nobody_let_go = {"layoff_rate": 0.0, "discharge_rate": 0.0}
    s = load_scenario(scenario({"p": policy}, voluntary_quit_rate=0.0, exits=nobody_let_go))
    sim = Simulation(s, "p", seed=8, trace=True)
    sim.start()
    sim.env.run(until=until)
    assert sim.trace is not None
    return sim.trace


def test_no_weekly_mechanism_no_weekly_events():
    assert not needs_weekly(started({}))
    assert needs_weekly(started({"checkins": {"cadence": "monthly"}}))
    assert needs_weekly(started({"checkins": {"early_warning_weeks": 2}}))
    # Nothing happens between reviews: a year is one review event.
    assert events({}, until=53) == [(52.0, "review", 200)]
    # Monthly check-ins every 4 weeks. At week 52 the review, scheduled a year ahead, comes
    # first; the check-in, scheduled 4 weeks ahead, after it (SimPy keeps scheduling order).
    monthly = events({"checkins": {"cadence": "monthly"}}, until=53)
    checkins = [(4.0 * k, "checkin", 200) for k in range(1, 13)]
    assert monthly == [*checkins, (52.0, "review", 200), (52.0, "checkin", 200)]
    weekly = events({"checkins": {"cadence": "weekly"}}, until=20.5)
    assert weekly == [(float(k), "checkin", 200) for k in range(1, 21)]


def test_checkins_cost_manager_hours_and_coach_skill():
    none = Simulation(load_scenario(scenario({"p": {}})), "p", seed=1)
    none.run()
    weekly_policy = {"checkins": {"cadence": "weekly", "minutes": 30, "feedback_quality": 1.0}}
    weekly = Simulation(load_scenario(scenario({"p": weekly_policy})), "p", seed=1)
    weekly.run()
    extra = weekly.counts.manager_hours - none.counts.manager_hours
    assert extra == pytest.approx(weekly.counts.checkins * 0.5, rel=0.05)
    assert 50 * 150 < weekly.counts.checkins < 52 * 200
    wf = weekly.workforce
    assert wf.skill[wf.active].mean() > none.workforce.skill[none.workforce.active].mean()


def test_early_warning_flags_those_below_baseline_for_weeks_running():
    policy = {"checkins": {"early_warning_weeks": 2, "warning_margin_sd": 0.0}}
    sim = Simulation(load_scenario(scenario({"p": policy})), "p", seed=3)
    sim.start()
    sim.env.run(until=10)
    # Noise alone puts about half below baseline each week; a quarter flagged every 2 weeks.
    flagged = sim.counts.early_warnings / sim.workforce.headcount
    assert 0.5 < flagged < 3.0
    strict = {"checkins": {"early_warning_weeks": 2, "warning_margin_sd": 5.0}}
    calm = Simulation(load_scenario(scenario({"p": strict})), "p", seed=3)
    calm.start()
    calm.env.run(until=10)
    assert calm.counts.early_warnings == 0


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
