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


def test_the_open_involuntary_finding_runs_and_needs_involuntary_exits():
    from simlib.analysis.findings import FINDINGS, Run
    from simlib.analysis.findings.turnover import OPEN_FINDINGS

    (finding,) = OPEN_FINDINGS
    assert finding.kind == "held_out" and finding.id not in FINDINGS
    run = Run(reps=4, seed=5, quick=True)
    on = finding.check(run)
    assert -1.5 < on.simulated < 0 and on.details["leavers"] > 0
    off = finding.check(
        run, {"policies.forced_distribution.consequences.consecutive_bottom_to_exit": None}
    )
    assert off.details["leavers"] == 0 and not off.holds
