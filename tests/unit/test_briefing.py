from __future__ import annotations

import numpy as np
import pandas as pd

from simlib import load_scenario
from simlib.analysis.results import Results
from simlib.present.briefing import (
    BEST_MARK,
    assumptions_register,
    best_policies,
    caveats,
    executive_summary,
    executive_summary_html,
    run_overrides,
)
from tests.conftest import SCENARIOS


def synthetic(values: dict[str, dict[str, list[float]]], policies: list[str]) -> Results:
    """Results whose horizon values per metric and policy are given (one per replication)."""
    rows = []
    for metric, per_policy in values.items():
        for policy, reps in per_policy.items():
            for rep, v in enumerate(reps):
                rows.append((policy, rep, 52.0, metric, v))
    frame = pd.DataFrame(rows, columns=["policy", "rep", "week", "metric", "value"])
    manifest = {
        "policies": policies,
        "baseline": policies[0],
        "reps": 3,
        "seed": 0,
        "parameters": {"policies": {p: {} for p in policies}, "environment": {"years": 1}},
    }
    return Results(frame, manifest)


def test_best_policy_follows_the_metric_direction():
    r = synthetic(
        {
            "workforce_potential": {"a": [0.1, 0.2, 0.3], "b": [0.5, 0.6, 0.7]},
            "voluntary_attrition": {"a": [0.10, 0.11, 0.12], "b": [0.2, 0.2, 0.2]},
            "group_rating_gap": {"a": [-0.3, -0.3, -0.3], "b": [0.1, 0.1, 0.1]},
            "headcount": {"a": [10, 10, 10], "b": [12, 12, 12]},
        },
        ["a", "b"],
    )
    best = best_policies(r.summary())
    assert best == {
        "workforce_potential": ["b"],
        "voluntary_attrition": ["a"],
        "group_rating_gap": ["b"],
    }
    table = executive_summary(r)
    assert table.loc["workforce_potential", "b"].endswith(BEST_MARK)
    assert not table.loc["workforce_potential", "a"].endswith(BEST_MARK)
    assert table.loc["voluntary_attrition", "a"].endswith(BEST_MARK)
    assert BEST_MARK not in "".join(table.loc["headcount"])  # no direction, no best
    assert table.loc["voluntary_attrition", "better"] == "lower"
    assert "[" in table.loc["workforce_potential", "a"]  # the CI is shown
    html = executive_summary_html(r)
    assert "<b>0.600 [" in html and "simlib-executive-summary" in html


def test_ties_mark_every_tied_policy():
    r = synthetic({"output_per_head": {"a": [1, 2, 3], "b": [1, 2, 3]}}, ["a", "b"])
    assert best_policies(r.summary()) == {"output_per_head": ["a", "b"]}


def test_assumptions_register_lists_every_parameter_with_its_source():
    path = SCENARIOS / "baseline.yaml"
    overrides = {"environment.years": 2}
    scenario = load_scenario(path, overrides=overrides)
    register = assumptions_register(scenario, path, overrides).set_index("parameter")
    assert register.loc["environment.years", "set_in"] == "override"
    assert register.loc["environment.years", "value"] == 2
    assert register.loc["organization.headcount", "set_in"] == "scenario"
    assert register.loc["organization.headcount", "description"] == "positions, managers included"
    assert register.loc["hiring.ramp_up_weeks", "set_in"] == "default"
    assert register.loc["policies.absolute.rating.scheme", "set_in"] == "preset absolute"
    assert register.loc["behaviour.raters.reliability", "value"] == 0.52
    assert "Viswesvaran" in register.loc["behaviour.raters.reliability", "description"]
    # How sure we are of each behavioural size; other parameters say nothing of it.
    assert register.loc["behaviour.incentives.learning_rate", "kind"] == "assumption"
    assert register.loc["behaviour.incentives.learning_rate", "range"] == "0.2–0.8"
    assert register.loc["behaviour.exits.engagement_sensitivity", "kind"] == "sourced"
    assert register.loc["policies.absolute.rating.appeals.overturn_share", "kind"] == "assumption"
    assert register.loc["organization.headcount", "kind"] == ""
    # Every scalar of the resolved scenario is in the register.
    flat = pd.json_normalize(scenario.to_dict(), sep=".").columns
    for column in flat:
        if not column.startswith(("organization.departments", "environment.market_shocks")):
            assert column in register.index or any(
                p.startswith(column + ".") for p in register.index
            ), column


def test_run_overrides_and_caveats():
    assert run_overrides({"x.y": 1}, policies="a, b", reps=3, seed=None, years=2) == {
        "x.y": 1,
        "experiment.policies": ["a", "b"],
        "experiment.reps": 3,
        "environment.years": 2,
    }
    r = synthetic({"workforce_potential": {"a": list(np.zeros(3))}}, ["a"])
    text = " ".join(caveats(r))
    assert "3 replication" in text and "Not recorded in this comparison" in text
