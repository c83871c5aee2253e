"""Group clustering: demographic groups clustered by team, without moving anything at 0."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.errors import ScenarioError
from simlib.scenario.organization import Organization
from simlib.state.workforce import OrgChart, cluster_groups, interleaved_groups


def between_team_share(sim: Simulation) -> float:
    """Share of the variance of the first-group indicator that lies between teams (eta^2)."""
    wf = sim.workforce
    a = wf.active
    first = (wf.group[a] == 0).astype(float)
    team = wf.chart.team[a]
    size = np.bincount(team)
    mean = np.bincount(team, first) / np.maximum(size, 1)
    return float((size * (mean - first.mean()) ** 2).sum() / ((first - first.mean()) ** 2).sum())


def org(clustering: float | None = None, years: int = 1) -> dict:
    organization = {"headcount": 600, "groups": {"a": 0.6, "b": 0.4}}
    if clustering is not None:
        organization["group_clustering"] = clustering
    return {
        "organization": organization,
        "environment": {"years": years},
        "behaviour": {"voluntary_quit_rate": 0.2},
        "policies": {"p": {}},
    }


def started(scenario: dict, rep: int = 0) -> Simulation:
    sim = Simulation(load_scenario(scenario), "p", seed=5, rep=rep)
    sim.start()
    return sim


def test_each_teams_own_group_follows_the_shares_spread_over_the_teams():
    own = interleaved_groups(10, np.array([0.6, 0.4]))
    assert np.bincount(own).tolist() == [6, 4]
    assert own.tolist() == [0, 1, 0, 1, 0, 0, 1, 0, 1, 0]  # spread evenly, no long runs
    chart = OrgChart.build(Organization(headcount=90, groups={"a": 0.5, "b": 0.5}))
    assert len(chart.team_group) == len(chart.team_manager)


def test_clustering_raises_the_between_team_share_of_group_variance():
    shares = {
        c: np.mean([between_team_share(started(org(c), r)) for r in range(3)])
        for c in (0.0, 0.5, 1.0)
    }
    assert shares[0.0] < 0.2  # chance differences between teams of about eight
    assert shares[0.0] + 0.1 < shares[0.5] < shares[1.0] - 0.3
    assert shares[1.0] == pytest.approx(1.0)


def test_overall_group_shares_stay_near_the_organizations():
    for c in (0.0, 0.5, 1.0):
        sim = started(org(c))
        first = (sim.workforce.group[sim.workforce.active] == 0).mean()
        assert first == pytest.approx(0.6, abs=0.05)


def test_hires_keep_the_clustering_as_people_leave():
    sim = started(org(1.0, years=3))
    sim.env.run(until=3 * 52)
    assert sim.counts.hires > 300
    assert between_team_share(sim) == pytest.approx(1.0)


def test_no_clustering_draws_nothing_and_changes_nothing():
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    chart = OrgChart.build(Organization(headcount=20))
    group = np.arange(20) % 2
    assert cluster_groups(chart, np.arange(20), group, 0.0, rng) is group
    assert rng.bit_generator.state == state
    plain = started(org(None))
    explicit = started(org(0.0))
    np.testing.assert_array_equal(plain.workforce.group, explicit.workforce.group)
    np.testing.assert_array_equal(plain.workforce.potential, explicit.workforce.potential)


def test_clustering_out_of_range_names_the_field():
    with pytest.raises(ScenarioError, match="group_clustering"):
        load_scenario(org(1.5))
