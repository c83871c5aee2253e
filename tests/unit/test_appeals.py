"""Appeals: who appeals, the queue on the panels, overturned grades and perceived fairness."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms.appeals import (
    appeal_probability,
    deserved_grades,
    file_appeals,
    panel_overturns,
    rating_errors,
)
from simlib.scenario.rater_behaviour import AppealBehaviour
from simlib.scenario.rating import AppealRule, RatingPolicy


def test_probability_is_zero_below_the_threshold_and_rises_to_the_cap():
    beh = AppealBehaviour(threshold_sd=1.0, propensity_per_sd=0.2, max_share=0.5)
    p = appeal_probability(np.array([-1.0, 0.5, 1.0, 1.5, 2.0, 10.0]), beh)
    np.testing.assert_allclose(p, [0, 0, 0, 0.1, 0.2, 0.5])


def appeal_sim(tiny, overturn, panels=1, weeks=2.0):
    tiny["behaviour"]["raters"] = {"model": "biased"}
    tiny["behaviour"]["appeals"] = {
        "threshold_sd": 0.0,
        "propensity_per_sd": 10.0,
        "max_share": 1.0,
    }
    tiny["policies"]["keep_all"]["rating"]["appeals"] = {
        "panels": panels,
        "weeks_per_case": weeks,
        "overturn_share": overturn,
        "hours_per_case": 3.0,
    }
    sim = Simulation(load_scenario(tiny), "keep_all", seed=5)
    sim.populate()
    return sim


def test_cases_queue_on_the_panels_and_overturns_raise_the_grade_and_fairness(tiny):
    sim = appeal_sim(tiny, overturn=1.0)
    wf = sim.workforce
    rows = np.arange(4)
    wf.last_grade[rows] = 1  # the bottom of two grades
    wf.bottom_streak[rows] = 1
    before = wf.fairness_belief[rows].copy()
    filed = file_appeals(sim, rows, np.zeros(4), np.full(4, 3.0))
    assert filed == 4 and sim.counts.appeals == 4
    overturned_by_week = {}

    def watch():
        while True:
            yield sim.env.timeout(1.0)
            overturned_by_week[sim.env.now] = sim.counts.appeals_overturned

    sim.env.process(watch())
    sim.env.run(until=9.5)
    # One panel, two weeks a case: decisions at weeks 2, 4, 6 and 8.
    assert overturned_by_week == {1: 0, 2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3, 8: 4, 9: 4}
    np.testing.assert_array_equal(wf.last_grade[rows], 0)
    np.testing.assert_array_equal(wf.bottom_streak[rows], 0)
    beh = sim.scenario.behaviour.appeals
    np.testing.assert_allclose(wf.fairness_belief[rows], before + beh.fairness_gain_overturned)
    assert sim.counts.manager_hours == pytest.approx(4 * 3.0)


@pytest.mark.parametrize(("panels", "weeks"), [(1, 2.0), (2, 3.0), (3, 1.5)])
def test_the_queue_serves_cases_as_a_simpy_resource_would(tiny, panels, weeks):
    sim = appeal_sim(tiny, overturn=1.0, panels=panels, weeks=weeks)
    sim.trace = []
    rows = np.arange(7)
    file_appeals(sim, rows[:4], np.zeros(4), np.full(4, 3.0))
    sim.env.timeout(2.0).callbacks.append(
        lambda _: file_appeals(sim, rows[4:], np.zeros(3), np.full(3, 3.0))
    )
    sim.env.run(until=30)
    decided = [week for week, event, _ in sim.trace if event == "appeal_overturned"]

    # The reference: one process per case on a SimPy Resource.
    env = simpy.Environment()
    panel = simpy.Resource(env, capacity=panels)
    reference: list[float] = []

    def case():
        with panel.request() as request:
            yield request
            yield env.timeout(weeks)
        reference.append(env.now)

    def file(n):
        for _ in range(n):
            env.process(case())

    file(4)
    env.timeout(2.0).callbacks.append(lambda _: file(3))
    env.run(until=30)
    assert decided == reference and len(decided) == 7


def test_rejected_appeals_lower_fairness_and_keep_the_grade(tiny):
    sim = appeal_sim(tiny, overturn=0.0, panels=4)
    wf = sim.workforce
    rows = np.arange(4)
    wf.last_grade[rows] = 1
    before = wf.fairness_belief[rows].copy()
    file_appeals(sim, rows, np.zeros(4), np.full(4, 3.0))
    sim.env.run(until=2.5)  # four panels: all decided at week 2
    np.testing.assert_array_equal(wf.last_grade[rows], 1)
    beh = sim.scenario.behaviour.appeals
    np.testing.assert_allclose(wf.fairness_belief[rows], before - beh.fairness_loss_upheld)
    assert sim.counts.appeals_overturned == 0


def test_nobody_appeals_a_rating_at_or_above_their_self_assessment(tiny):
    sim = appeal_sim(tiny, overturn=1.0)
    assert file_appeals(sim, np.arange(4), np.full(4, 3.0), np.full(4, 3.0)) == 0


def test_appeals_switched_off_by_policy(tiny):
    tiny["policies"]["keep_all"]["rating"]["appeals"] = {"enabled": False}
    sim = appeal_sim(tiny, overturn=1.0)
    sim.policy = sim.policy.model_copy(
        update={
            "rating": sim.policy.rating.model_copy(
                update={"appeals": sim.policy.rating.appeals.model_copy(update={"enabled": False})}
            )
        }
    )
    assert file_appeals(sim, np.arange(4), np.zeros(4), np.full(4, 3.0)) == 0


def test_a_case_lapses_when_the_employee_leaves(tiny):
    sim = appeal_sim(tiny, overturn=1.0)
    wf = sim.workforce
    wf.last_grade[0] = 1
    file_appeals(sim, np.array([0]), np.zeros(1), np.full(1, 3.0))
    wf.vacate(np.array([0]))
    sim.env.run(until=3)
    assert sim.counts.appeals_overturned == 0


def test_a_successor_does_not_appeal_the_predecessors_rating(tiny):
    """With instant rehiring a rated person's row may hold a new hire by appeal time."""
    sim = appeal_sim(tiny, overturn=1.0)
    wf = sim.workforce
    rows = np.arange(4)
    rated_people = wf.hired_week[rows].copy()
    wf.vacate(rows[:2])
    wf.fill(rows[:2], 52.0, np.zeros(2), np.zeros(2, np.int64), np.ones(2))
    assert file_appeals(sim, rows, np.zeros(4), np.full(4, 3.0), rated_people) == 2


# --- the panel's judgement ---------------------------------------------------------------


def test_a_general_leniency_is_no_error_and_an_undersold_rating_is():
    true = np.array([-1.0, 0.0, 1.0, 2.0])
    np.testing.assert_allclose(rating_errors(true, true + 0.7), 0.0, atol=1e-12)
    undersold = rating_errors(true, np.array([-1.0, 0.0, 1.0, -2.0]))
    assert undersold[3] > 1.0 and undersold[:3].max() < 0.0


def test_deserved_grades_put_true_standing_on_the_policys_grading():
    absolute = RatingPolicy(grades=["A", "B", "C"], thresholds=[1.0, -1.0])
    true = np.array([-2.0, 0.0, 2.0])
    scores = np.array([0.0, 0.0, 3.0])  # mean 1, spread ~1.41
    on_scale = 1.0 + np.sqrt(2.0) * (true / true.std())  # -0.73, 1.0, 2.73
    np.testing.assert_array_equal(on_scale > 1.0 - 1e-12, [False, True, True])
    np.testing.assert_array_equal(deserved_grades(absolute, true, scores), [1, 0, 0])
    forced = RatingPolicy(scheme="forced_distribution", shares={"top": 0.2, "rest": 0.8})
    z = np.linspace(-2.0, 2.0, 101)
    share_top = (deserved_grades(forced, z, z) == 0).mean()
    assert share_top == pytest.approx((z / z.std() > 0.8416).mean())


def test_the_panel_overturns_wrong_ratings_more_often_than_right_ones_unless_blind():
    draws = np.random.default_rng(3).standard_normal(20_000)
    rule = AppealRule(overturn_share=0.25, evidence_reliability=0.5)
    wrong = panel_overturns(np.full(draws.size, 1.0), rule, draws).mean()
    right = panel_overturns(np.full(draws.size, -0.5), rule, draws).mean()
    assert wrong > right + 0.3
    blind = rule.model_copy(update={"evidence_reliability": 0.0})
    np.testing.assert_array_equal(
        panel_overturns(np.full(draws.size, 1.0), blind, draws),
        panel_overturns(np.full(draws.size, -0.5), blind, draws),
    )
    assert panel_overturns(np.zeros(draws.size), blind, draws).mean() == pytest.approx(
        0.25, abs=0.01
    )


def overturn_rates(reliability: float, reps: int = 4) -> tuple[float, float, int]:
    """Overturn rates among heard appeals of wrong and of right grades, and cases heard."""
    scenario = load_scenario(
        {
            "organization": {"headcount": 400},
            "environment": {"years": 3},
            "behaviour": {
                "appeals": {"threshold_sd": 0.5, "propensity_per_sd": 1.0, "max_share": 1.0}
            },
            "policies": {
                "p": {"rating": {"appeals": {"panels": 50, "evidence_reliability": reliability}}}
            },
        }
    )
    heard = wrong = overturned = wrong_overturned = 0
    for rep in range(reps):
        sim = Simulation(scenario, "p", seed=9, rep=rep)
        sim.run()
        c = sim.counts
        heard += c.appeals_heard
        wrong += c.appeals_heard_wrong
        overturned += c.appeals_overturned
        wrong_overturned += c.appeals_wrong_overturned
    right_overturned = overturned - wrong_overturned
    return wrong_overturned / wrong, right_overturned / (heard - wrong), heard


def test_in_the_model_wrong_grades_are_overturned_more_often_and_blind_panels_do_not_tell():
    wrong, right, heard = overturn_rates(0.5)
    assert heard > 400
    assert wrong > right + 0.15
    wrong, right, heard = overturn_rates(0.0)
    # Equal within sampling noise (~0.04 for a few hundred cases each).
    assert abs(wrong - right) < 0.08
