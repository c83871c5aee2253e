"""Turnover in the shipped comparison: the status quo realises the stated rate."""

from __future__ import annotations

import numpy as np
import pytest

import simlib
from simlib.engine.simulation import Simulation
from simlib.engine.turnover_anchor import anchor
from simlib.mechanisms.registry import MECHANISMS
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


@pytest.mark.parametrize("recruiters", [None, "shipped"])
def test_a_large_organization_solved_on_a_scaled_copy_realises_the_stated_rate(recruiters):
    overrides: dict = {"organization.headcount": 10_000}
    if recruiters is None:
        overrides["hiring.recruiters"] = None
    scenario = simlib.load_scenario(
        ROOT / "scenarios" / "policy_showdown.yaml", overrides=overrides
    )
    solved = anchor(scenario, MECHANISMS, Simulation)
    assert solved.headcount < 2_500  # the solve simulated a copy of a few thousand people
    realised = []
    for rep in range(2):
        frame = simlib.simulate(scenario, scenario.baseline, seed=7, rep=rep, allow_large=True)
        rows = (frame["metric"] == "voluntary_attrition") & (frame["week"] > 0)
        realised.append(frame.loc[rows, "value"].mean())
    stated = scenario.behaviour.voluntary_quit_rate
    assert abs(np.mean(realised) - stated) <= 0.01, (realised, stated)
