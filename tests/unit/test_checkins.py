"""Check-in feedback: task feedback lifts performance, feedback on the person hurts those told
they fall short, quality sets the share of each, cadence scales both."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import ScenarioError, load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms.checkins import respond_to_feedback
from simlib.mechanisms.goals import team_mean
from simlib.state.streams import stream

SEED = 8


def scenario(policy: dict, **engagement) -> dict:
    return {
        "organization": {"headcount": 200, "span_of_control": 8},
        "environment": {"years": 1},
        "behaviour": {"engagement": engagement} if engagement else {},
        "policies": {"p": policy},
    }


def checkins(cadence: str, quality: float) -> dict:
    return {"checkins": {"cadence": cadence, "feedback_quality": quality}}


def started(policy: dict, **engagement) -> Simulation:
    sim = Simulation(load_scenario(scenario(policy, **engagement)), "p", seed=SEED)
    sim.start()
    return sim


def after_weeks(weeks: float, policy: dict, **engagement) -> Simulation:
    sim = started(policy, **engagement)
    sim.env.run(until=weeks)
    sim.catch_up()
    return sim


def test_feedback_on_the_task_lifts_everyone_by_the_task_gain_scaled_by_cadence():
    weekly = after_weeks(1.5, checkins("weekly", 1.0))
    monthly = after_weeks(4.5, checkins("monthly", 1.0))
    for sim, intensity in ((weekly, 1.0), (monthly, 0.5)):
        wf = sim.workforce
        np.testing.assert_allclose(wf.feedback_effect[wf.active], 0.36 * intensity)
    none = after_weeks(4.5, {})
    assert np.all(none.workforce.feedback_effect == 0.0)


def test_feedback_on_the_person_hurts_those_below_their_team_and_praises_those_above():
    sim = started(checkins("weekly", 0.0), feedback_praise_sd=0.1)
    wf = sim.workforce
    a = wf.active
    seen = wf.potential + wf.skill + wf.drive + stream(SEED, 0, "feedback").standard_normal(wf.size)
    below = seen < team_mean(seen, wf.chart.team, a)
    respond_to_feedback(sim)
    np.testing.assert_allclose(wf.feedback_effect[a & below], -0.26)
    np.testing.assert_allclose(wf.feedback_effect[a & ~below], 0.1)
    assert 0.35 < below[a].mean() < 0.65
    # Those told they fall short are mostly the weaker performers of their teams.
    assert wf.potential[a & below].mean() < wf.potential[a & ~below].mean() - 0.8


def test_quality_sets_the_shares_of_task_and_person():
    sim = started(checkins("biweekly", 0.25), feedback_praise_sd=0.1)
    respond_to_feedback(sim)
    wf = sim.workforce
    values = np.unique(wf.feedback_effect[wf.active].round(12))
    intensity = 1 / np.sqrt(2)
    task = 0.25 * 0.36
    expected = intensity * np.array([task - 0.75 * 0.26, task + 0.75 * 0.1])
    np.testing.assert_allclose(values, expected)


def test_the_same_people_are_told_they_fall_short_whatever_the_quality():
    # Aligned draws: the manager's view comes from the feedback stream alone.
    low = after_weeks(1.5, checkins("weekly", 0.2))
    high = after_weeks(1.5, checkins("weekly", 0.6))
    short_low = low.workforce.feedback_effect < 0.2 * 0.36
    short_high = high.workforce.feedback_effect < 0.6 * 0.36
    assert short_low.any()
    np.testing.assert_array_equal(short_low, short_high)


def test_the_response_is_part_of_the_performance_drive():
    on = after_weeks(1.5, checkins("weekly", 1.0))
    off = after_weeks(1.5, checkins("weekly", 1.0), feedback_task_sd=0.0)
    a = on.workforce.active
    np.testing.assert_allclose((on.workforce.drive - off.workforce.drive)[a], 0.36)


def half_year(policy: dict, **engagement) -> float:
    sim = after_weeks(26, policy, **engagement)
    mean, weeks = sim.workforce.cycle_performance()
    return float(mean[weeks > 0].mean())


def test_feedback_mostly_on_the_person_lowers_performance_and_task_feedback_raises_it():
    # People alike in engagement: its differences would add quits' noise to 200 people.
    alike = {"between_person_sd": 0.0}
    none = half_year({}, **alike)
    about_the_person = half_year(checkins("weekly", 0.0), **alike)
    about_the_task = half_year(checkins("weekly", 1.0), **alike)
    assert about_the_person < none - 0.08  # half the people lose 0.26 SD
    assert about_the_task > none + 0.3  # everyone gains 0.36 SD (and some skill)
    # Without a threat to the self, feedback on the person no longer hurts.
    harmless = half_year(checkins("weekly", 0.0), feedback_threat_sd=0.0, **alike)
    assert harmless > none - 0.01


def test_new_hires_start_without_a_feedback_response():
    sim = after_weeks(1.5, checkins("weekly", 1.0))
    wf = sim.workforce
    rows = np.flatnonzero(wf.active)[:3]
    wf.vacate(rows)
    wf.fill(rows, sim.now, np.zeros(3), np.zeros(3, dtype=np.int64), np.full(3, 50_000.0))
    assert np.all(wf.feedback_effect[rows] == 0.0)


@pytest.mark.parametrize("field", ["feedback_task_sd", "feedback_threat_sd", "feedback_praise_sd"])
def test_feedback_sizes_are_range_checked(field):
    with pytest.raises(ScenarioError, match=field):
        load_scenario(scenario({}, **{field: -0.1}))
