"""A pilot inside one organization: pilot units run P, the others B, at the same time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simlib import load_scenario
from simlib.analysis.pilot import check_design, run_pilot
from simlib.engine.simulation import Simulation
from simlib.engine.turnover_anchor import anchor_quit_rate
from simlib.errors import ScenarioError
from simlib.experiments.pilot import MeasuredSimulation, unit_outcomes
from simlib.mechanisms.registry import MECHANISMS
from simlib.state.pilot_arms import unmixed_sections

SHOWDOWN = Path(__file__).resolve().parents[2] / "scenarios" / "policy_showdown.yaml"


@pytest.fixture(scope="module")
def scenario():
    """policy_showdown over three years, plus ``checkins``: absolute with OKR's check-ins."""
    base = load_scenario(SHOWDOWN, overrides={"environment.years": 3})
    absolute = base.policies["absolute"]
    checkins = absolute.model_copy(update={"checkins": base.policies["okr"].checkins})
    return base.model_copy(update={"policies": {**base.policies, "checkins": checkins}})


@pytest.fixture(scope="module")
def quit_rate(scenario):
    return anchor_quit_rate(scenario, MECHANISMS, Simulation)


def test_only_sections_that_cannot_be_mixed_are_named(scenario):
    p = scenario.policies
    assert unmixed_sections(p["checkins"], p["absolute"]) == []
    assert unmixed_sections(p["okr"], p["absolute"]) == []  # goals and check-ins differ
    assert unmixed_sections(p["forced_distribution"], p["absolute"]) == []  # graded per arm
    assert unmixed_sections(p["pay_matrix"], p["absolute"]) == [
        "pay.promotion (one promotion pool and market signal)"
    ]
    peers = p["absolute"].rating.sources.model_copy(update={"peers": 0.5})
    rated = p["absolute"].rating.model_copy(update={"sources": peers})
    other_raters = p["absolute"].model_copy(update={"rating": rated})
    assert unmixed_sections(other_raters, p["absolute"]) == ["rating.sources"]
    no_goals = p["absolute"].goals.model_copy(update={"regime": "none"})
    unset = p["absolute"].model_copy(update={"goals": no_goals})
    assert unmixed_sections(p["okr"], unset) == ["goals.regime (one arm sets no goals)"]
    team_goals = p["okr"].model_copy(
        update={"goals": p["okr"].goals.model_copy(update={"level": "team"})}
    )
    assert unmixed_sections(team_goals, p["absolute"]) == ["goals.level"]
    monthly = p["checkins"].checkins.model_copy(update={"cadence": "monthly"})
    other = p["checkins"].model_copy(update={"checkins": monthly})
    assert unmixed_sections(other, p["checkins"]) == [
        "checkins.cadence (both arms hold check-ins, at different cadences)"
    ]


def test_together_refuses_a_section_it_cannot_mix(scenario):
    with pytest.raises(ScenarioError) as refused:
        check_design(
            scenario,
            "pay_matrix",
            "absolute",
            ["engagement"],
            "team",
            [1],
            [5],
            arms="together",
        )
    assert "differ in pay.promotion" in str(refused.value)
    assert "use --arms apart" in str(refused.value)


def test_a_pilot_of_the_baseline_against_itself_is_the_baseline_run(scenario, quit_rate):
    args = (scenario, "absolute", 3, 1, "team", ("engagement", "voluntary_attrition"))
    plain = unit_outcomes(*args, neutral_quit_rate=quit_rate)
    mixed = unit_outcomes(*args, neutral_quit_rate=quit_rate, pilot=("absolute", np.arange(9)))
    np.testing.assert_array_equal(plain.values, mixed.values)


def _run(scenario, quit_rate, policy, pilot=None):
    sim = MeasuredSimulation(
        scenario, policy, 3, 0, units="team", metrics=("engagement",),
        neutral_quit_rate=quit_rate, pilot=pilot,
    )  # fmt: skip
    sim.run_calendar()
    return sim


def test_only_the_pilot_units_hold_check_ins(scenario, quit_rate):
    chosen = np.arange(0, 56, 4)  # 14 of the 56 working teams
    mixed = _run(scenario, quit_rate, "absolute", ("checkins", chosen))
    everyone = _run(scenario, quit_rate, "checkins")
    nobody = _run(scenario, quit_rate, "absolute")
    assert nobody.counts.checkins == 0
    assert 0.15 < mixed.counts.checkins / everyone.counts.checkins < 0.35  # ~14/56 of staff
    assert 0 < mixed.counts.manager_hours < everyone.counts.manager_hours
    in_pilot = np.isin(mixed.unit_of, chosen)
    wf = mixed.workforce
    # Feedback from check-ins moves only the pilot people's performance drive.
    assert np.all(wf.feedback_effect[~in_pilot] == 0)
    assert np.any(wf.feedback_effect[in_pilot & wf.active] != 0)
    # Pilot teams' engagement rises as under the whole-organization rollout.
    final = mixed.rows[-1][0]
    alone = nobody.rows[-1][0]
    lift = final[chosen] - alone[chosen]
    others = np.setdiff1d(np.arange(56), chosen)
    assert lift.mean() > 0.03
    assert abs((final[others] - alone[others]).mean()) < lift.mean() / 3


def test_together_a_pilot_estimates_the_rollout_and_power_rises_with_units(scenario):
    table = run_pilot(
        scenario, "checkins", "absolute", ["engagement"], cycles=(1, 3), sizes=(3, 25),
        reps=40, assignments=100, arms="together",
    )  # fmt: skip
    assert table.false_positive_rate.to_numpy() == pytest.approx(0.05, abs=0.03)
    for _, design in table.groupby("cycles"):
        power = design.sort_values("units").power.to_numpy()
        assert power[1] > power[0] + 0.2
    assert (table.rollout_effect > 0).all()  # check-ins raise engagement in the model
    # Check-ins act on their own arm's people only: a large pilot estimates the rollout.
    large = table[table.units == 25]
    assert large.pilot_estimate.to_numpy() == pytest.approx(large.rollout_effect, abs=0.012)


def test_each_arm_sets_its_own_goals(scenario, quit_rate):
    chosen = np.arange(1, 56, 3)
    mixed = _run(scenario, quit_rate, "absolute", ("okr", chosen))
    wf = mixed.workforce
    in_pilot = np.isin(mixed.unit_of, chosen)
    has = wf.active & np.isfinite(wf.goal_target)
    stretch = wf.goal_target - wf.goal_baseline
    okr, kpi = scenario.policies["okr"].goals, scenario.policies["absolute"].goals
    np.testing.assert_allclose(stretch[has & in_pilot], okr.stretch)
    np.testing.assert_allclose(stretch[has & ~in_pilot], kpi.stretch)
    # OKR's goals are decoupled from pay: nobody in the pilot games the KPIs.
    assert np.all(wf.gaming[in_pilot & wf.active] == 0)
    assert np.any(wf.gaming[~in_pilot & wf.active] > 0)


def test_only_the_arm_that_rebaselines_moves_its_targets(scenario, quit_rate):
    chosen = np.arange(0, 56, 2)
    sim = MeasuredSimulation(
        scenario, "absolute", 3, 0, units="team", metrics=("engagement",),
        neutral_quit_rate=quit_rate, pilot=("okr", chosen),
    )  # fmt: skip
    sim.start()
    wf = sim.workforce
    before_target, before_base = wf.goal_target.copy(), wf.goal_baseline.copy()
    in_pilot = np.isin(sim.unit_of, chosen)
    sim.market_level = sim.market_level - 0.3  # demand falls
    has = np.isfinite(before_target)
    np.testing.assert_allclose((wf.goal_target - before_target)[has & in_pilot], -0.3)
    np.testing.assert_array_equal(wf.goal_target[has & ~in_pilot], before_target[has & ~in_pilot])
    np.testing.assert_array_equal(wf.goal_baseline[has & ~in_pilot], before_base[has & ~in_pilot])
    assert sim.counts.rebaselines == 1
