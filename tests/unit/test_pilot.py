"""Pilot design: what a pilot can observe, per-unit outcomes, and the pilot's statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simlib import load_scenario
from simlib.analysis.pilot import (
    COLUMNS,
    check_design,
    recommendation,
    recommendations,
    run_pilot,
)
from simlib.engine.simulation import Simulation
from simlib.engine.turnover_anchor import anchor_quit_rate
from simlib.errors import ScenarioError
from simlib.experiments.pilot import MeasuredSimulation, unit_count
from simlib.mechanisms.registry import MECHANISMS
from simlib.metrics.catalogue import METRICS, metric

SHOWDOWN = Path(__file__).resolve().parents[2] / "scenarios" / "policy_showdown.yaml"


@pytest.fixture(scope="module")
def showdown():
    # Three yearly reviews keep the runs short; the organization is the shipped one.
    return load_scenario(SHOWDOWN, overrides={"environment.years": 3})


def test_latent_outcomes_are_not_observable_and_survey_and_records_are():
    for name in ("workforce_potential", "rating_accuracy", "misclassification", "gaming"):
        assert not METRICS[name].observable, name
    for name in ("engagement", "voluntary_attrition", "kpi_attainment", "manager_hours"):
        assert METRICS[name].observable, name
    found = metric("grade_share:A")
    assert found is not None and found.observable


class _Staffed(MeasuredSimulation):
    """Also keeps each unit's staff at every review, for the test's weights."""

    def record_review(self, review):
        super().record_review(review)
        self.staff = getattr(self, "staff", [])
        active = self.workforce.active & (self.unit_of >= 0)
        self.staff.append(np.bincount(self.unit_of[active], minlength=self.n_units))


def _measured(scenario, policy, units, metrics):
    rate = anchor_quit_rate(scenario, MECHANISMS, Simulation)
    sim = _Staffed(scenario, policy, 7, 0, units=units, metrics=metrics, neutral_quit_rate=rate)
    sim.run_calendar()
    return sim


def test_department_outcomes_add_up_to_the_organization(showdown):
    sim = _measured(showdown, "okr", "department", ("engagement", "voluntary_attrition"))
    ledger = sim.ledger.frame()
    reviews = ledger[(ledger.metric == "engagement") & (ledger.week > 0)].sort_values("week")
    per_review = np.stack(sim.rows)  # review x metric x department
    staff = np.stack(sim.staff)
    # At each review, the departments' means weighted by their staff are the org's mean.
    weighted = (per_review[:, 0] * staff).sum(axis=1) / staff.sum(axis=1)
    assert weighted == pytest.approx(reviews.value.to_numpy(), rel=1e-9)
    # Quits per department (yearly share of its positions; yearly reviews) add up to every
    # quit up to the last review.
    positions = np.bincount(sim.unit_of, minlength=sim.n_units)
    quits = (per_review[:, 1] * positions).sum()
    departures = (sim.turnover.departures or [])[: sim.departures_at_last_review]
    left = [len(d.rows) for d in departures if d.voluntary]
    assert quits > 0
    assert quits == pytest.approx(sum(left))


def test_teams_leave_out_the_management_teams(showdown):
    sim = _measured(showdown, "absolute", "team", ("engagement",))
    chart = sim.workforce.chart
    assert sim.n_units == int((~chart.team_is_management).sum()) == unit_count(showdown, "team")
    assert (sim.unit_of[chart.team_is_management[chart.team]] == -1).all()
    assert np.isfinite(np.stack(sim.rows)).all()


def test_a_policy_against_itself_rejects_at_the_nominal_rate(showdown):
    table = run_pilot(
        showdown,
        "absolute",
        "absolute",
        ["engagement", "voluntary_attrition"],
        cycles=(1, 3),
        sizes=(5, 20),
        reps=8,
        assignments=250,
    )
    assert set(table.columns) == set(COLUMNS) and len(table) == 8
    assert table.false_positive_rate.to_numpy() == pytest.approx(0.05, abs=0.02)
    # Against itself, power is the false-positive rate and there is no effect to estimate.
    assert (table.power == table.false_positive_rate).all()
    assert (table.rollout_effect == 0).all()


@pytest.fixture(scope="module")
def okr_pilots(showdown):
    return run_pilot(
        showdown,
        "okr",
        "absolute",
        ["engagement"],
        cycles=(1, 2),
        sizes=(3, 8, 16, 28),
        reps=8,
        assignments=200,
    )


def test_power_rises_with_the_number_of_units(okr_pilots):
    for _, design in okr_pilots.groupby("cycles"):
        power = design.sort_values("units").power.to_numpy()
        assert (np.diff(power) > -0.02).all(), power  # monotone within simulation error
        assert power[-1] > power[0] + 0.2
        assert (power > design.false_positive_rate.to_numpy()).all()


def test_power_does_not_fall_with_more_cycles(okr_pilots):
    by_cycles = okr_pilots.pivot(index="units", columns="cycles", values="power")
    assert (by_cycles[2] > by_cycles[1] - 0.02).all()


def test_the_pilot_estimates_the_rollout_effect(okr_pilots):
    # Arms apart: no spillover between them, so the randomized pilot is unbiased.
    rollout = okr_pilots.rollout_effect.to_numpy()
    assert (rollout > 0).all()  # OKR's check-ins raise engagement in the model
    assert okr_pilots.pilot_estimate.to_numpy() == pytest.approx(rollout, rel=0.1)


def test_bad_designs_are_refused_with_the_field_named(showdown):
    teams = unit_count(showdown, "team")
    with pytest.raises(ScenarioError) as err:
        check_design(showdown, "okr", "absolute", ["rating_accuracy"], "team", [0, 4], [teams, 5])
    lines = err.value.messages
    assert any("--metrics" in m and "latent" in m for m in lines)
    assert any(m.startswith("--cycles: 0") for m in lines)
    assert any(m.startswith("--cycles: 4") for m in lines)  # the scenario has 3 reviews
    assert any(m.startswith(f"--sizes: {teams}") for m in lines)
    assert len(lines) == 4
    with pytest.raises(ScenarioError, match="--policy: 'okrs'"):
        check_design(showdown, "okrs", "absolute", ["engagement"], "team", [1], [5])
    with pytest.raises(ScenarioError, match="'Z' is not a grade of policy 'okr'"):
        check_design(showdown, "okr", "absolute", ["grade_share:Z"], "team", [1], [5])
    with pytest.raises(ScenarioError, match="not measured per unit"):
        check_design(showdown, "okr", "absolute", ["payroll"], "team", [1], [5])


def test_recommendation_names_the_smallest_design_or_says_none_reaches_it():
    table = pd.DataFrame(
        {
            "units": [5, 5, 10, 10],
            "cycles": [1, 2, 1, 2],
            "metric": ["engagement"] * 4,
            "power": [0.3, 0.85, 0.9, 0.95],
        }
    )
    assert recommendation(table).startswith("Pilot in 5 units for 2 cycles")
    assert recommendation(table, target=0.99).startswith("No design in range")
    other = table.assign(metric="voluntary_attrition", power=[0.1, 0.2, 0.3, 0.9])
    lines = recommendations(pd.concat([table, other]))
    assert lines[0].startswith("engagement: Pilot in 5 units for 2 cycles")
    assert lines[1].startswith("voluntary_attrition: Pilot in 10 units for 2 cycles")
    assert lines[2].startswith("All together: Pilot in 10 units for 2 cycles")


def test_false_positive_rate_with_many_replications(showdown):
    table = run_pilot(
        showdown,
        "okr",
        "okr",
        ["engagement", "voluntary_attrition", "grade_share:A"],
        cycles=(1, 2, 3),
        sizes=(5, 10, 20),
        reps=40,
        assignments=500,
    )
    assert table.false_positive_rate.to_numpy() == pytest.approx(0.05, abs=0.02)
    assert table.false_positive_rate.mean() == pytest.approx(0.05, abs=0.005)


def test_kpi_attainment_per_unit_brackets_the_organizations(showdown):
    sim = _measured(showdown, "okr", "department", ("kpi_attainment",))
    org = sim.ledger.frame(sim.policy_name, 0)
    org = org[org.metric == "kpi_attainment"].value.to_numpy()
    per_unit = np.stack(sim.rows)[:, 0]  # reviews x departments
    assert len(org) == len(per_unit) and np.isfinite(per_unit).all()
    assert ((per_unit >= 0) & (per_unit <= 1)).all()
    # The organization's mean grade is a mix of its departments' means.
    assert (per_unit.min(axis=1) <= org).all() and (org <= per_unit.max(axis=1)).all()
    assert (per_unit.max(axis=1) - per_unit.min(axis=1) > 0).all()


def test_manager_hours_are_refused_per_unit(showdown):
    with pytest.raises(ScenarioError, match="'manager_hours' is observable but not measured"):
        check_design(showdown, "okr", "absolute", ["manager_hours"], "team", [1], [5])
