"""Sanity checks of a comparison, and recruiting capacity that scales with headcount."""

from __future__ import annotations

import pandas as pd

import simlib
from simlib.analysis.results import Results
from simlib.analysis.sanity import empty_position_advantages, sanity_warnings, small_ranking_units
from simlib.present.tables import render
from simlib.scenario.organization import default_recruiters

LARGE = {
    "organization.headcount": 2000,
    "environment.years": 3,
    "experiment.policies": ["absolute", "forced_distribution"],
}


def _staffing(recruiters: int | None = None) -> tuple[Results, float]:
    overrides = dict(LARGE)
    if recruiters is not None:
        overrides["hiring.recruiters"] = recruiters
    scenario = simlib.load_scenario("scenarios/policy_showdown.yaml", overrides=overrides)
    results = simlib.compare(scenario, reps=2)
    heads = results.frame[results.frame["metric"] == "headcount"]
    lowest = heads.groupby(["policy", "week"])["value"].mean().min()
    return results, lowest / 2000


def test_recruiters_not_stated_scale_with_the_headcount():
    assert [default_recruiters(n) for n in (100, 500, 600, 2000, 10_000)] == [1, 2, 2, 8, 40]
    large = simlib.load_scenario("scenarios/policy_showdown.yaml", overrides=LARGE)
    assert large.hiring.recruiters == 8
    # A stated number is kept, and a copy with another headcount derives it again.
    assert simlib.load_scenario("scenarios/baseline.yaml").hiring.recruiters == 2
    smaller = simlib.load_scenario(large, overrides={"organization.headcount": 500})
    assert smaller.hiring.recruiters == 2


def test_two_thousand_people_under_the_forced_curve_stay_staffed_with_default_hiring():
    results, lowest = _staffing()
    assert lowest >= 0.95
    assert not [w for w in sanity_warnings(results) if w.check == "understaffed"]


def test_too_few_recruiters_for_two_thousand_people_trigger_the_warning():
    results, lowest = _staffing(recruiters=2)
    assert lowest < 0.95
    warned = {w.policy for w in sanity_warnings(results) if w.check == "understaffed"}
    assert warned == {"absolute", "forced_distribution"}
    # The forced curve's lower payroll is the empty positions': the check says so.
    empty = {(w.policy, w.message.split()[3]) for w in empty_position_advantages(results)}
    assert ("forced_distribution", "payroll") in empty
    assert "Sanity checks:" in render(results)


def _frame(heads: dict[str, list[float]], payroll: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for metric, values in (("headcount", heads), ("payroll", payroll)):
        for policy, per_rep in values.items():
            rows += [(policy, rep, 52.0, metric, v) for rep, v in enumerate(per_rep)]
    return pd.DataFrame(rows, columns=["policy", "rep", "week", "metric", "value"])


def test_a_payroll_saving_per_person_is_not_called_an_empty_position_advantage():
    manifest = {"policies": ["base", "lean"], "baseline": "base"}
    heads = {"base": [100, 100, 100], "lean": [90, 91, 89]}
    # Same pay per person, fewer people: the saving is empty positions.
    empty = _frame(heads, {"base": [100, 101, 99], "lean": [90, 91, 89]})
    assert [w.policy for w in empty_position_advantages(Results(empty, manifest))] == ["lean"]
    # Paid less per person too: a real saving.
    cheaper = _frame(heads, {"base": [100, 101, 99], "lean": [80, 81, 79]})
    assert empty_position_advantages(Results(cheaper, manifest)) == []


def test_ranking_units_too_small_for_a_grade_are_flagged():
    scenario = simlib.load_scenario(
        "scenarios/policy_showdown.yaml",
        overrides={"policies.forced_distribution.rating.ranking_unit": "team"},
    )
    warned = small_ranking_units(scenario.to_dict(), scenario.policy_names)
    assert [w.policy for w in warned] == ["forced_distribution"]
    assert "5%" in warned[0].message
    shipped = simlib.load_scenario("scenarios/policy_showdown.yaml")  # ranked by department
    assert small_ranking_units(shipped.to_dict(), shipped.policy_names) == []
