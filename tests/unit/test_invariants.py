"""The invariant checks fire when the model breaks, and stay silent when it does not."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simlib import load_scenario, simulate
from simlib.engine import invariants
from simlib.engine import review as review_module
from simlib.engine.invariants import InvariantError
from simlib.engine.simulation import Simulation
from tests.conftest import SCENARIOS


def test_enabled_by_flag_or_environment(monkeypatch):
    monkeypatch.delenv(invariants.ENV_VAR, raising=False)
    assert not invariants.enabled()
    assert invariants.enabled(True)
    monkeypatch.setenv(invariants.ENV_VAR, "1")
    assert invariants.enabled() and not invariants.enabled(False)


def test_the_test_suite_checks_invariants():
    assert invariants.enabled()


@pytest.mark.parametrize("path", ["baseline.yaml", "scullen2005.yaml"])
def test_shipped_scenarios_keep_every_invariant(path):
    scenario = load_scenario(SCENARIOS / path, overrides={"environment.years": 3})
    for policy in scenario.policy_names:
        frame = simulate(scenario, policy, check_invariants=True)
        assert np.isfinite(frame["value"]).all()


def _shifted(real):
    def grade(sim, rated, scores):
        grades = real(sim, rated, scores)
        return np.minimum(grades + (np.arange(len(grades)) == 0), len(sim.policy.rating.grades) - 1)

    return grade


def test_broken_quota_is_caught(tiny, monkeypatch):
    monkeypatch.setattr(review_module, "grade_review", _shifted(review_module.grade_review))
    scenario = load_scenario(tiny)
    with pytest.raises(InvariantError, match=r"ranking unit 0 of 10 rated got grade counts"):
        simulate(scenario, "keep_all", check_invariants=True)
    simulate(scenario, "keep_all", check_invariants=False)  # unchecked, the bug goes unseen


def test_grades_out_of_score_order_are_caught(tiny, monkeypatch):
    real = review_module.grade_review

    def reversed_order(sim, rated, scores):
        return real(sim, rated, -scores)  # right counts, wrong people

    monkeypatch.setattr(review_module, "grade_review", reversed_order)
    with pytest.raises(InvariantError, match="lower rating score got a better grade"):
        simulate(load_scenario(tiny), "keep_all", check_invariants=True)


def _started(tiny) -> Simulation:
    sim = Simulation(load_scenario(tiny), "keep_all", seed=1, check_invariants=True)
    sim.populate()
    invariants.check_workforce(sim)
    return sim


def test_non_positive_salary_is_caught(tiny):
    sim = _started(tiny)
    sim.workforce.salary[3] = -1.0
    with pytest.raises(InvariantError, match="salaries not positive"):
        invariants.check_workforce(sim)


def test_share_outside_unit_interval_is_caught(tiny):
    sim = _started(tiny)
    sim.workforce.engagement[2] = 1.5
    with pytest.raises(InvariantError, match=r"engagement outside \[0, 1\]"):
        invariants.check_workforce(sim)


def test_nan_metric_is_refused_not_dropped(tiny):
    sim = _started(tiny)
    sim.ledger.record(0.0, "rating_accuracy", None)  # undefined this cycle: fine
    with pytest.raises(InvariantError, match="metric output_per_head computed as nan"):
        sim.ledger.record(52.0, "output_per_head", math.nan)
    quiet = Simulation(load_scenario(tiny), "keep_all", seed=1, check_invariants=False)
    quiet.ledger.record(52.0, "output_per_head", math.nan)
    assert len(quiet.ledger.values) == 0


def test_negative_headcount_and_bad_share_metrics_are_caught(tiny):
    sim = _started(tiny)
    sim.ledger.record(52.0, "headcount", -1.0)
    with pytest.raises(InvariantError, match="headcount -1.0 outside 0..10"):
        invariants.check_ledger(sim, sim.ledger)
    sim = _started(tiny)
    sim.ledger.record(52.0, "headcount", 10.0)
    sim.ledger.record(52.0, "misclassification", 1.2)
    with pytest.raises(InvariantError, match="share misclassification = 1.2"):
        invariants.check_ledger(sim, sim.ledger)


def test_a_unit_without_its_minimum_bottom_grade_is_caught(tiny, monkeypatch):
    from simlib.mechanisms.grading import forced_grades
    from simlib.scenario.rating import QuotaRounding

    shares = {"S": 0.05, "A": 0.2, "B": 0.6, "C": 0.1, "D": 0.05}
    tiny["policies"]["keep_all"]["rating"] = {
        "scheme": "forced_distribution",
        "shares": shares,
        "rounding": {"bottom_grade_min_unit": 10},
    }
    scenario = load_scenario(tiny)
    simulate(scenario, "keep_all", check_invariants=True)  # the rule kept: silent

    def without_the_rule(sim, rated, scores):
        units = np.zeros(len(scores), dtype=np.int64)
        return forced_grades(scores, units, list(shares.values()), QuotaRounding(ties="better"))

    monkeypatch.setattr(review_module, "grade_review", without_the_rule)
    with pytest.raises(InvariantError, match=r"got grade counts \[1, 2, 6, 1, 0\], not a rounding"):
        simulate(scenario, "keep_all", check_invariants=True)


def test_grade_shares_that_do_not_add_up_are_caught(tiny):
    sim = _started(tiny)
    for grade, share in (("retain", 0.9), ("cut", 0.2)):
        sim.ledger.record(52.0, f"grade_share:{grade}", share)
    with pytest.raises(InvariantError, match="grade shares sum to 1.1 at week 52"):
        invariants.check_ledger(sim, sim.ledger)
