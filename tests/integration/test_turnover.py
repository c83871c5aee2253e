"""Turnover in the shipped comparison: the status quo realises the stated rate."""

from __future__ import annotations

import simlib
from tests.conftest import ROOT


def test_policy_showdown_baseline_realises_the_stated_voluntary_rate():
    scenario = simlib.load_scenario(ROOT / "scenarios" / "policy_showdown.yaml")
    baseline = scenario.baseline
    assert baseline == "absolute"
    results = simlib.compare(scenario, policies=[baseline])  # the scenario's reps and seed
    f = results.frame
    attrition = f[(f["metric"] == "voluntary_attrition") & (f["week"] > 0)]["value"].mean()
    stated = scenario.behaviour.voluntary_quit_rate
    assert abs(attrition - stated) <= 0.01, (attrition, stated)
