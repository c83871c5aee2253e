"""The quit hazard's intercept, solved so that the status quo realises the stated rate."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine import turnover_anchor
from simlib.engine.simulation import Simulation
from simlib.engine.turnover_anchor import TOLERANCE, anchor, content_key, solve, solve_scenario
from simlib.mechanisms.registry import MECHANISMS
from simlib.state.turnover import Turnover


def scenario_dict(**behaviour) -> dict:
    return {
        "organization": {"headcount": 200, "span_of_control": 8},
        "environment": {"years": 2, "pay_drift": 0.03},
        "behaviour": {"voluntary_quit_rate": 0.12, **behaviour},
        "policies": {
            "status_quo": {"preset": "absolute"},
            "ranked": {"preset": "forced_distribution"},
        },
        "experiment": {"baseline": "status_quo", "seed": 1},
    }


@dataclass
class FakeRun:
    """A status-quo run whose expected turnover is a known, nonlinear function of the
    intercept (what composition effects and the per-check probability do to it)."""

    turnover: Turnover

    def run(self) -> None:
        rate = self.turnover.neutral_quit_rate
        self.turnover.exposure_years = 1000.0
        self.turnover.expected_quits = 1000.0 * (1.0 - math.exp(-2.2 * rate))


@dataclass
class CountingFactory:
    calls: list[tuple[str, float]] = field(default_factory=list)

    def __call__(self, scenario, policy, seed, rep, **kwargs) -> FakeRun:
        self.calls.append((policy, kwargs["neutral_quit_rate"]))
        return FakeRun(Turnover(kwargs["neutral_quit_rate"]))


@pytest.fixture(autouse=True)
def fresh_cache():
    turnover_anchor.clear_cache()
    yield
    turnover_anchor.clear_cache()


def test_the_solve_hits_a_nonlinear_target_in_a_few_runs():
    s = load_scenario(scenario_dict())
    factory = CountingFactory()
    found = anchor(s, MECHANISMS, factory)
    exact = -math.log(1.0 - 0.12) / 2.2
    assert abs(found.realised_rate - 0.12) <= TOLERANCE
    assert found.neutral_quit_rate == pytest.approx(exact, rel=0.01)
    assert found.evaluations <= turnover_anchor.MAX_RUNS
    # every run is the status quo, and there were as many as the solve says
    assert {policy for policy, _ in factory.calls} == {"status_quo"}
    assert len(factory.calls) == found.evaluations * found.reps


def test_a_solved_scenario_is_not_solved_again():
    s = load_scenario(scenario_dict())
    factory = CountingFactory()
    first = anchor(s, MECHANISMS, factory)
    calls = len(factory.calls)
    assert anchor(s, MECHANISMS, factory) == first
    assert len(factory.calls) == calls


@pytest.mark.parametrize(
    "behaviour", [{"exits": None}, {"anchor_turnover": False}, {"voluntary_quit_rate": 0.0}]
)
def test_without_hazard_terms_or_anchoring_the_stated_rate_is_used_as_is(behaviour):
    s = load_scenario(scenario_dict(**behaviour))
    factory = CountingFactory()
    found = anchor(s, MECHANISMS, factory)
    assert found.neutral_quit_rate == s.behaviour.voluntary_quit_rate
    assert factory.calls == []


def test_the_key_ignores_the_experiment_and_other_policies_but_not_the_status_quo():
    base = scenario_dict()
    key = content_key(load_scenario(base), MECHANISMS)
    other_seed = {**base, "experiment": {"baseline": "status_quo", "seed": 99, "reps": 3}}
    assert content_key(load_scenario(other_seed), MECHANISMS) == key
    fewer = {**base, "policies": {"status_quo": {"preset": "absolute"}}}
    assert content_key(load_scenario(fewer), MECHANISMS) == key
    ranked_first = {**base, "experiment": {"baseline": "ranked"}}
    assert content_key(load_scenario(ranked_first), MECHANISMS) != key
    assert content_key(load_scenario(scenario_dict(voluntary_quit_rate=0.1)), MECHANISMS) != key
    assert content_key(load_scenario(base), MECHANISMS[:-1]) != key


def test_the_status_quo_realises_the_stated_rate_and_every_policy_shares_the_intercept():
    s = load_scenario(scenario_dict())
    found = anchor(s, MECHANISMS, Simulation)
    assert abs(found.realised_rate - 0.12) <= TOLERANCE
    assert found.neutral_quit_rate != pytest.approx(0.12, abs=0.005)  # the terms matter
    intercepts = set()
    realised = []
    for policy in ("status_quo", "ranked"):
        for seed in (3, 4):  # independent of the replication's seed
            sim = Simulation(s, policy, seed=seed, rep=0)
            sim.run()
            intercepts.add(sim.turnover.neutral_quit_rate)
            if policy == "status_quo":
                realised.append(sim.turnover.expected_attrition)
    assert intercepts == {found.neutral_quit_rate}
    # other seeds than the solve's: still close to the stated rate (200 people, 2 years)
    assert np.mean(realised) == pytest.approx(0.12, abs=0.01)


def test_the_solve_is_deterministic():
    s = load_scenario(scenario_dict())
    first = solve(s, content_key(s, MECHANISMS), _run)
    second = solve(s, content_key(s, MECHANISMS), _run)
    assert first == second


def _run(rate: float, seed: int, rep: int) -> Simulation:
    s = load_scenario(scenario_dict())
    sim = Simulation(s, s.baseline, seed, rep, neutral_quit_rate=rate)
    sim.run()
    return sim


def test_a_given_intercept_is_used_as_given():
    s = load_scenario(scenario_dict())
    sim = Simulation(s, "ranked", seed=1, neutral_quit_rate=0.05)
    sim.start()
    assert sim.turnover.neutral_quit_rate == 0.05


def test_a_rate_too_small_to_measure_is_used_as_is():
    s = load_scenario(scenario_dict(voluntary_quit_rate=1e-160))
    assert anchor(s, MECHANISMS, Simulation).neutral_quit_rate == 1e-160


def test_a_large_organization_is_solved_on_a_copy_with_capacity_per_head_kept():
    small = load_scenario(scenario_dict())
    assert solve_scenario(small) is small  # a few hundred people: solved as they are
    base = scenario_dict()
    base["organization"] = {"headcount": 10_000, "span_of_control": 8}
    base["hiring"] = {"recruiters": 2, "requisitions_per_recruiter": 12}
    large = load_scenario(base)
    copy = solve_scenario(large)
    # one recruiter on 5 requisitions for 2,083 people: 24 for 10,000, per head
    assert (copy.hiring.recruiters, copy.hiring.requisitions_per_recruiter) == (1, 5)
    assert copy.organization.headcount == 2_083
    assert copy.organization.departments == large.organization.departments
    assert copy.organization.span_of_control == 8 and copy.behaviour == large.behaviour
    base["hiring"] = {"recruiters": 100}
    copy = solve_scenario(load_scenario(base))
    assert (copy.hiring.recruiters, copy.organization.headcount) == (20, 2_000)
    base["hiring"] = {"recruiters": None}
    assert solve_scenario(load_scenario(base)).organization.headcount == 2_000


def test_the_solve_of_a_large_organization_runs_the_scaled_copy():
    base = scenario_dict()
    base["organization"] = {"headcount": 50_000, "span_of_control": 8}
    seen = []

    def factory(scenario, policy, seed, rep, **kwargs):
        seen.append(scenario.organization.headcount)
        return FakeRun(Turnover(kwargs["neutral_quit_rate"]))

    found = anchor(load_scenario(base), MECHANISMS, factory)
    assert set(seen) == {found.headcount} and found.headcount < 50_000
