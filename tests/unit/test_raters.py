"""Raters: each bias shows its own signature on a tiny team, and the rater panel's memory."""

from __future__ import annotations

import numpy as np
import pytest

import simlib
from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms.rater_judgement import (
    impression_scale,
    late_performance,
    reliability_scores,
    similar_to_me_bias,
    with_halo,
)
from simlib.mechanisms.raters import rate_employees
from simlib.mechanisms.rating_sources import (
    RatingInputs,
    combine_sources,
    peer_scores,
    self_scores,
    subordinate_scores,
    supervisor_scores,
)
from simlib.scenario.organization import Organization
from simlib.scenario.rater_behaviour import RaterBehaviour
from simlib.scenario.rating import RatingPolicy
from simlib.state.raters import RaterPanel
from simlib.state.streams import stream
from simlib.state.workforce import OrgChart, Workforce

N = 8


def team(groups=(0,) * N, org_groups=None, include_managers=False):
    org = Organization(
        headcount=len(groups) + (1 if include_managers else 0),
        span_of_control=len(groups),
        include_managers=include_managers,
        groups=org_groups or {"all": 1.0},
    )
    wf = Workforce(OrgChart.build(org))
    rows = np.arange(wf.size)
    group = np.zeros(wf.size, dtype=np.int64)
    group[: len(groups)] = groups
    wf.fill(rows, 0.0, np.linspace(-1.5, 1.5, wf.size), group, np.full(wf.size, 50_000.0))
    return org, wf


def inputs_for(wf, true=None, late=None):
    y = np.linspace(-1.5, 1.5, wf.size) if true is None else true
    return RatingInputs(y, y if late is None else late, wf.chart.team, wf.group, wf.active)


def panel_for(org, wf, beh, rating=None, seed=0):
    panel = RaterPanel(wf, org, beh)
    panel.refresh(wf, stream(seed, 0, "raters"))
    return panel, panel.traits(beh, rating or RatingPolicy())


DRAWS = stream(1, 0, "test").standard_normal((N, 3))


def sup(wf, panel, traits, beh, inputs=None, measurement=0.0, shift=0.0):
    return supervisor_scores(
        inputs or inputs_for(wf), traits, panel, beh, measurement, shift, DRAWS
    )


def test_leniency_shifts_the_mean_and_nothing_else():
    org, wf = team()
    beh = RaterBehaviour()
    panel, traits = panel_for(org, wf, beh)
    traits.leniency[:] = 0.0
    base = sup(wf, panel, traits, beh)
    traits.leniency[:] = 0.7
    lenient = sup(wf, panel, traits, beh)
    assert lenient.mean() - base.mean() == pytest.approx(0.7)
    assert lenient.std() == pytest.approx(base.std())


def test_compression_lowers_the_spread_around_the_raters_midpoint():
    org, wf = team()
    beh = RaterBehaviour()
    panel, traits = panel_for(org, wf, beh)
    traits.compression[:] = 0.0
    wide = sup(wf, panel, traits, beh)
    traits.compression[:] = 0.5
    narrow = sup(wf, panel, traits, beh)
    assert narrow.std() == pytest.approx(0.5 * wide.std())
    assert narrow - traits.leniency[0] == pytest.approx(0.5 * (wide - traits.leniency[0]))


def test_recency_weights_the_late_weeks_exactly():
    """Half the team improves by 1 SD at week 45: the late 13 weeks (39-52) hold 7 of them."""
    org, wf = team()
    beh = RaterBehaviour(recency=0.5, recency_weeks=13)
    panel, traits = panel_for(org, wf, beh)
    wf.hired_week[:] = -100.0
    wf.accrue(0, 39, 0.0, 0, 0)
    panel.snapshot(wf, 39.0)
    wf.accrue(39, 45, 0.0, 0, 0)
    wf.skill[:4] += 1.0
    wf.accrue(45, 52, 0.0, 0, 0)
    mean, weeks = wf.cycle_performance()
    luck = np.zeros(wf.size)
    late = late_performance(panel, wf, mean, weeks, luck, 0.0, stream(0, 0, "recent"))
    np.testing.assert_allclose(late[:4] - wf.potential[:4], 7 / 13)
    np.testing.assert_allclose(late[4:], wf.potential[4:])
    np.testing.assert_allclose(mean[:4] - wf.potential[:4], 7 / 52)
    # What raters see beyond the truth (gamed KPIs) shows evenly in the late part too.
    flattered = late_performance(panel, wf, mean + 0.5, weeks, luck, 0.0, stream(0, 0, "r"))
    np.testing.assert_allclose(flattered, late + 0.5)
    inputs = inputs_for(wf, mean, late)
    with_recency = sup(wf, panel, traits, beh, inputs)
    traits.recency[:] = 0.0
    without = sup(wf, panel, traits, beh, inputs)
    gain = (1 - traits.compression[0]) / impression_scale(beh) * 0.5 * (7 / 13 - 7 / 52)
    np.testing.assert_allclose(with_recency[:4] - without[:4], gain)
    np.testing.assert_allclose(with_recency[4:], without[4:])


def test_late_luck_agrees_with_the_cycle_luck():
    """The late part's luck is drawn given the cycle's: with the window = the cycle, equal."""
    org, wf = team()
    panel = RaterPanel(wf, org, RaterBehaviour())
    wf.hired_week[:] = -100.0
    panel.snapshot(wf, 0.0)
    wf.accrue(0, 52, 0.0, 0, 0)
    mean, weeks = wf.cycle_performance()
    luck = stream(3, 0, "luck").standard_normal(wf.size) / np.sqrt(52)
    late = late_performance(panel, wf, mean, weeks, luck, 1.0, stream(0, 0, "recent"))
    np.testing.assert_allclose(late, mean + luck)


def test_halo_carries_the_last_rating_of_the_same_person():
    org, wf = team()
    panel = RaterPanel(wf, org, RaterBehaviour())
    rows = np.arange(wf.size)
    assert np.isnan(panel.last_rating(wf, rows)).all()
    panel.remember(wf, rows, np.full(wf.size, 2.0))
    last = panel.last_rating(wf, rows)
    score = np.zeros(wf.size)
    np.testing.assert_allclose(with_halo(score, last, 0.25), 0.5)
    np.testing.assert_allclose(with_halo(score, last, 0.0), 0.0)
    # A new hire in row 0 has no last rating: no halo.
    wf.vacate(np.array([0]))
    wf.fill(np.array([0]), 30.0, np.zeros(1), np.zeros(1, np.int64), np.ones(1))
    assert np.isnan(panel.last_rating(wf, rows)[0])
    assert with_halo(score, panel.last_rating(wf, rows), 0.25)[0] == 0.0


def test_similar_to_me_gap_only_when_groups_differ():
    share = np.array([0.5, 0.5])
    every = np.ones(2)
    rater = np.zeros(4, dtype=np.int64)
    ratee = np.array([0, 0, 1, 1])
    bias = similar_to_me_bias(rater, ratee, 0.3, share, every)
    assert bias[0] - bias[2] == pytest.approx(0.3)
    # Everyone of the rater's group: no difference between ratees.
    same = similar_to_me_bias(rater, np.zeros(4, np.int64), 0.3, share, every)
    assert np.ptp(same) == 0
    # One group in the organization: no bias at all.
    one = similar_to_me_bias(rater, np.zeros(4, np.int64), 0.3, np.ones(1), np.ones(1))
    np.testing.assert_allclose(one, 0.0)
    # Raters of a group that shows no bias.
    none = similar_to_me_bias(rater, ratee, 0.3, share, np.array([0.0, 1.0]))
    np.testing.assert_allclose(none, 0.0)


def test_similar_to_me_in_supervisor_scores_on_a_mixed_team():
    groups = (0, 0, 0, 0, 1, 1, 1, 1)
    org, wf = team(groups, {"a": 0.5, "b": 0.5})
    beh = RaterBehaviour(similar_to_me=0.4)
    panel, traits = panel_for(org, wf, beh)
    traits.group[:] = 0
    inputs = inputs_for(wf, np.zeros(N))
    biased = sup(wf, panel, traits, beh, inputs)
    traits.similar_to_me[:] = 0.0
    fair = sup(wf, panel, traits, beh, inputs)
    np.testing.assert_allclose((biased - fair)[:4], 0.4 * 0.5)
    np.testing.assert_allclose((biased - fair)[4:], -0.4 * 0.5)


def test_training_shrinks_every_bias_by_the_training_effect():
    org, wf = team()
    beh = RaterBehaviour(training_effect=0.4)
    panel = RaterPanel(wf, org, beh)
    panel.refresh(wf, stream(0, 0, "raters"))
    untrained = panel.traits(beh, RatingPolicy(rater_training=0.0))
    trained = panel.traits(beh, RatingPolicy(rater_training=1.0))
    assert trained.trained.all() and not untrained.trained.any()
    for name in ("leniency", "compression", "halo", "recency", "similar_to_me"):
        np.testing.assert_allclose(getattr(trained, name), 0.6 * getattr(untrained, name))
    assert abs(untrained.leniency[0]) > 0


def test_data_capture_and_purpose():
    org, wf = team()
    beh = RaterBehaviour()
    panel, traits = panel_for(org, wf, beh)
    automatic = sup(wf, panel, traits, beh, measurement=beh.measurement_noise_sd("automatic"))
    reported = sup(wf, panel, traits, beh, measurement=beh.measurement_noise_sd("self_reported"))
    y = inputs_for(wf).true_performance
    assert np.corrcoef(automatic, y)[0, 1] > np.corrcoef(reported, y)[0, 1]
    pay = sup(wf, panel, traits, beh, shift=beh.pay_decision_leniency)
    dev = sup(wf, panel, traits, beh, shift=0.0)
    np.testing.assert_allclose(pay - dev, 1 / 3, atol=0.01)


def test_raters_are_redrawn_when_the_manager_changes():
    org, wf = team(include_managers=True)
    beh = RaterBehaviour()
    panel = RaterPanel(wf, org, beh)
    rng = stream(0, 0, "raters")
    assert len(panel.refresh(wf, rng)) == len(wf.chart.team_manager)
    before = panel.leniency_z.copy()
    assert len(panel.refresh(wf, rng)) == 0  # nobody changed
    manager = int(wf.chart.team_manager[0])
    wf.vacate(np.array([manager]))
    assert len(panel.refresh(wf, rng)) == 0  # vacant: the acting rater stays
    wf.fill(np.array([manager]), 60.0, np.zeros(1), np.zeros(1, np.int64), np.ones(1))
    assert list(panel.refresh(wf, rng)) == [0]
    assert panel.leniency_z[0] != before[0]
    np.testing.assert_array_equal(panel.leniency_z[1:], before[1:])


def test_self_ratings_are_lenient():
    org, wf = team()
    beh = RaterBehaviour()
    y = np.zeros(20_000)
    inputs = RatingInputs(
        y, y, np.zeros(20_000, np.int64), np.zeros(20_000, np.int64), np.ones(20_000, bool)
    )
    own = self_scores(inputs, beh, 0.0, stream(0, 0, "self").standard_normal(20_000))
    assert own.mean() == pytest.approx(beh.self_leniency, abs=0.02)


def test_peers_and_subordinates_and_their_combination():
    org, wf = team(include_managers=True)
    beh = RaterBehaviour()
    panel, _ = panel_for(org, wf, beh)
    inputs = inputs_for(wf)
    n_teams = len(wf.chart.team_manager)
    draws = np.zeros((wf.size, 2))
    peers, has_peers = peer_scores(inputs, beh, panel, n_teams, 3, 0.0, draws)
    assert has_peers[wf.chart.team == 0].all()
    assert not has_peers[wf.chart.is_manager].any()  # the only member of the management team
    # With no noise drawn, the mean peer rating is the compressed, scaled truth.
    scale = impression_scale(beh, 0.0, beh.peer_perspective_sd)
    np.testing.assert_allclose(
        peers, (1 - beh.compression) * inputs.true_performance / scale, atol=1e-12
    )
    subs, has_subs = subordinate_scores(inputs, beh, panel, wf.chart.team_manager, 5, 0.0, draws)
    np.testing.assert_array_equal(has_subs, wf.chart.is_manager)
    combined = combine_sources(
        {"supervisor": np.zeros(wf.size), "peers": np.ones(wf.size), "subordinates": subs},
        {"supervisor": wf.active, "peers": has_peers, "subordinates": has_subs},
        {"supervisor": 0.5, "peers": 0.5, "subordinates": 0.5},
    )
    np.testing.assert_allclose(combined[~wf.chart.is_manager], 0.5)
    manager = wf.chart.is_manager
    np.testing.assert_allclose(combined[manager], subs[manager] / 2)


def test_reliability_model_is_the_paper_rater(tiny):
    """``reliability`` alone selects the reliability rater, drawing as the core always did."""
    scenario = load_scenario(tiny)
    assert scenario.behaviour.raters.model == "reliability"
    sim = Simulation(scenario, "keep_all", seed=3)
    sim.populate()
    y = np.linspace(-1, 1, sim.workforce.size)
    got = rate_employees(sim, y, np.full(sim.workforce.size, 52.0), np.zeros_like(y))
    expected = reliability_scores(y, 1.0, stream(3, 0, "rating"))
    np.testing.assert_array_equal(got.final, expected)
    assert got.self_assessment is None


def test_biased_raters_run_in_the_simulation(tiny):
    tiny["behaviour"]["raters"] = {"model": "biased"}
    tiny["behaviour"]["performance_noise_sd"] = 1.0
    frame = simlib.simulate(load_scenario(tiny), "keep_all", seed=1)
    accuracy = frame[frame.metric == "rating_accuracy"].value
    assert len(accuracy) == 3 and (accuracy < 0.99).all()
    again = simlib.simulate(load_scenario(tiny), "keep_all", seed=1)
    np.testing.assert_array_equal(frame.value.to_numpy(), again.value.to_numpy())


def minimal(**behaviour):
    return {"name": "s", "policies": {"a": {}}, "behaviour": behaviour}


def test_rater_model_choice():
    assert load_scenario(minimal()).behaviour.raters.model == "biased"
    assert load_scenario(minimal(raters={"reliability": 0.6})).behaviour.raters.model == (
        "reliability"
    )
    explicit = load_scenario(minimal(raters={"reliability": 0.6, "model": "biased"}))
    assert explicit.behaviour.raters.model == "biased"
    # The resolved scenario reloads to the same model (to_dict keeps it explicit).
    again = load_scenario(minimal(), overrides={"organization.headcount": 50})
    assert again.behaviour.raters.model == "biased"


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"behaviour.raters.similar_to_me_groups": ["nobody"]},
            "behaviour.raters.similar_to_me_groups: ['nobody'] are not groups",
        ),
        ({"behaviour.raters.compression": 1.0}, "behaviour.raters.compression"),
        ({"behaviour.raters.model": "perfect"}, "behaviour.raters.model"),
        (
            {"policies.a.rating.sources": {"supervisor": 0}},
            "at least one source needs a weight above 0",
        ),
        ({"policies.a.rating.sources.peer": 0.3}, "did you mean 'peers'"),
        ({"policies.a.rating.calibration.strength": 1.5}, "allowed 0 to 1"),
        ({"policies.a.rating.rater_training": -0.1}, "policies.a.rating.rater_training"),
        ({"policies.a.rating.data_capture": "manual"}, "policies.a.rating.data_capture"),
        ({"policies.a.rating.appeals.panels": 0}, "policies.a.rating.appeals.panels"),
    ],
)
def test_bad_rater_settings_are_refused_with_the_field_named(overrides, message):
    from simlib.errors import ScenarioError

    with pytest.raises(ScenarioError, match=re_escape(message)):
        load_scenario(minimal(), overrides=overrides)


def re_escape(text):
    import re

    return re.escape(text)


def test_presets_for_calibration_and_360():
    s = load_scenario(
        {"name": "s", "policies": {"c": {"preset": "calibrated"}, "f": {"preset": "feedback_360"}}}
    )
    assert s.policies["c"].rating.calibration.strength == 0.8
    sources = s.policies["f"].rating.sources
    assert sources.multi_source and sources.self_rating == 0.1 and sources.peers == 0.3
