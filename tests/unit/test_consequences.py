"""The performance improvement plan is rated by the scenario's raters, not a stand-in."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms.consequences import improvement_plan, rate_plan
from simlib.mechanisms.rater_judgement import reliability_scores


def pip_scenario(raters: dict, **rating) -> dict:
    """Two teams of eight with virtual raters, no luck, nobody quits."""
    return {
        "organization": {"headcount": 16, "span_of_control": 8, "include_managers": False},
        "environment": {"years": 2, "pay_drift": 0.0},
        "behaviour": {
            "performance_noise_sd": 0.0,
            "voluntary_quit_rate": 0.0,
            "raters": raters,
            "incentives": None,
            "engagement": None,
            "exits": None,
        },
        "hiring": {"time_to_fill_weeks": 0, "recruiters": None, "ramp_up_weeks": 0},
        "policies": {
            "pip": {
                "rating": rating,
                "consequences": {"pip": {"weeks": 12, "pass_score": 0.0, "improvement_sd": 0.0}},
            }
        },
    }


def started(scenario: dict) -> Simulation:
    sim = Simulation(load_scenario(scenario), "pip", seed=3)
    sim.populate()
    return sim


def test_under_the_reliability_model_the_plan_is_rated_as_before():
    sim = started(pip_scenario({"reliability": 0.7}))
    performance = np.linspace(-1.0, 1.0, 5)
    rows = np.arange(5)
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(1)
    np.testing.assert_array_equal(
        rate_plan(sim, rows, performance, rng_a), reliability_scores(performance, 0.7, rng_b)
    )


def lenient_and_harsh(sim: Simulation) -> None:
    """Team 0's rater is 3 SD of leniency kind, team 1's as harsh."""
    sim.raters.refresh(sim.workforce, sim.streams["raters"])
    sim.raters.leniency_z[:] = [3.0, -3.0]


def test_the_plan_is_judged_by_the_teams_own_rater():
    quiet = {
        "model": "biased",
        "idiosyncratic_sd": 0.0,
        "error_sd": 0.0,
        "measurement_noise_self_reported_sd": 0.0,
        "halo": 0.0,
        "compression": 0.0,
    }
    sim = started(pip_scenario(quiet, purpose="developmental"))
    lenient_and_harsh(sim)
    rows = np.arange(16)
    scores = rate_plan(sim, rows, np.zeros(16), np.random.default_rng(0))
    beh = sim.scenario.behaviour.raters
    team = sim.workforce.chart.team
    np.testing.assert_allclose(scores[team == 0], 3.0 * beh.leniency_sd)
    np.testing.assert_allclose(scores[team == 1], -3.0 * beh.leniency_sd)
    # A decision on pay and jobs is rated more leniently (Jawahar & Williams 1997).
    admin = started(pip_scenario(quiet))
    lenient_and_harsh(admin)
    shifted = rate_plan(admin, rows, np.zeros(16), np.random.default_rng(0))
    np.testing.assert_allclose(shifted - scores, beh.pay_decision_leniency)


def test_the_rating_that_started_the_plan_pulls_the_plan_rating_down():
    raters = {"model": "biased", "halo": 0.5, "idiosyncratic_sd": 0.0, "error_sd": 0.0}
    sim = started(pip_scenario(raters))
    sim.raters.refresh(sim.workforce, sim.streams["raters"])
    rows = np.arange(16)
    before = rate_plan(sim, rows, np.zeros(16), np.random.default_rng(0))
    sim.raters.remember(sim.workforce, rows, np.full(16, -2.0))
    after = rate_plan(sim, rows, np.zeros(16), np.random.default_rng(0))
    np.testing.assert_allclose(after, 0.5 * before + 0.5 * -2.0)


def test_a_harsh_raters_team_fails_its_plans_where_a_lenient_raters_passes():
    sim = started(pip_scenario({"model": "biased"}))
    lenient_and_harsh(sim)
    sim.env.process(improvement_plan(sim, np.arange(16), sim.policy.consequences.pip))
    sim.env.run(until=13)
    team = sim.workforce.chart.team
    failed = ~sim.workforce.active | (sim.workforce.hired_week > 0)  # left, refilled at once
    assert sim.counts.pips == 16
    assert failed[team == 1].mean() > failed[team == 0].mean() + 0.5
    assert sim.counts.pips_failed == pytest.approx(failed.sum())
