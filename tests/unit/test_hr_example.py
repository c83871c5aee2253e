"""The shipped synthetic HR export: written with a client's names, read back through its
mapping it shows the moments of the simulation it records, and its truth is the scenario's."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from simlib.hr import tables as t
from simlib.hr.example import GRADES, SEED, TRUTH, example_scenario, write_example
from simlib.hr.moments import observed_moments
from simlib.hr.panel import record_panel
from simlib.scenario import dotted
from simlib.scenario.loading import load_scenario


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    out = tmp_path_factory.mktemp("example")
    files = write_example(out, seed=SEED)
    return out, files


def read_back(out) -> t.HrTables:
    """The export read through its own mapping into the canonical tables."""
    mapping = yaml.safe_load((out / "mapping.yaml").read_text())
    columns = {v: k for k, v in mapping["employees"]["columns"].items()}
    emp = pd.read_csv(out / "employees.csv", dtype=str).rename(columns=columns)
    reasons = {
        value: canonical
        for canonical, values in mapping["employees"]["values"]["exit_reason"].items()
        for value in values
    }
    emp[t.EXIT_REASON] = emp[t.EXIT_REASON].map(reasons)
    emp[t.SALARY] = emp[t.SALARY].astype(float)
    review_columns = {v: k for k, v in mapping["reviews"]["columns"].items()}
    reviews = pd.read_csv(out / "reviews.csv", dtype=str).rename(columns=review_columns)
    as_of = pd.to_datetime(emp[t.EXIT_DATE]).max()
    return t.make_tables(emp, reviews, mapping["ratings"]["order"], as_of, "history")


def test_the_files_and_their_client_names(history):
    out, files = history
    assert sorted(p.name for p in files) == [
        "employees.csv",
        "mapping.yaml",
        "reviews.csv",
        "truth.json",
    ]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left
    emp = pd.read_csv(out / "employees.csv", dtype=str)
    assert list(emp.columns) == ["EmpID", "ManagerID", "Dept", "Start", "End", "Why", "Pay", "Sex"]
    assert emp["EmpID"].str.fullmatch(r"EMP-\d{5}").all() and emp["EmpID"].is_unique
    by_hire = emp.sort_values("Start")["EmpID"]
    assert not by_hire.is_monotonic_increasing  # ids say nothing of the order of hire
    assert set(emp["Why"].dropna()) == {"Resigned", "Better offer", "Dismissed", "Restructuring"}
    assert set(emp["Sex"]) == {"F", "M"}
    reviews = pd.read_csv(out / "reviews.csv", dtype=str)
    assert list(reviews.columns) == ["EmpID", "ReviewDate", "Score"]
    assert set(reviews["Score"]) == set(GRADES)
    assert reviews["ReviewDate"].nunique() == 4
    assert 900 <= (emp["End"].isna()).sum() <= 1010  # about 1,000 employed at the end
    # Department heads manage the managers and answer to no one in the export.
    heads = emp[emp["ManagerID"].isna()]
    assert len(heads) == 4 and heads["EmpID"].isin(emp["ManagerID"]).all()


def test_read_back_through_its_mapping_it_shows_the_simulated_moments(history):
    out, _ = history
    exported = observed_moments(read_back(out))
    simulated = observed_moments(
        record_panel(load_scenario(example_scenario()), "status_quo", seed=SEED)
    )
    simulated = simulated[~simulated["moment"].str.startswith("raise_by_grade")]  # no pay
    pd.testing.assert_frame_equal(exported.reset_index(drop=True), simulated.reset_index(drop=True))
    pooled = exported[exported["cycle"].isna()].set_index("moment")["value"]
    assert 0.08 < pooled["voluntary_attrition"] < 0.16
    assert pooled["grade_share:Fully Meets"] > 0.5 and pooled["grade_share:PIP"] < 0.06


def test_the_truth_is_what_the_scenario_ran_with(history):
    out, _ = history
    truth = json.loads((out / "truth.json").read_text())
    scenario = load_scenario(example_scenario()).to_dict()
    assert truth["parameters"] == TRUTH
    for path, value in truth["parameters"].items():
        assert dotted.get(scenario, path) == value, path


def test_the_snapshot_has_no_ids_a_monthly_salary_and_two_grades(tmp_path):
    files = write_example(tmp_path, shape="snapshot")
    assert sorted(p.name for p in files) == ["employees.csv", "mapping.yaml", "truth.json"]
    rows = pd.read_csv(tmp_path / "employees.csv", dtype=str)
    assert list(rows.columns) == [
        "Department",
        "MonthlySalary",
        "Rating",
        "YearsOfService",
        "Attrition",
    ]
    assert set(rows["Rating"]) == {"Meets", "Below"}
    assert set(rows["Attrition"]) == {"Yes", "No"}
    monthly = rows["MonthlySalary"].astype(float)
    assert 2_500 < monthly.median() < 8_000  # a month's pay, not a year's
    left = (rows["Attrition"] == "Yes").mean()
    assert 0.05 < left < 0.2
    mapping = yaml.safe_load((tmp_path / "mapping.yaml").read_text())
    assert mapping["employees"]["salary_period"] == "month"
    assert mapping["employees"]["values"]["left"] == {"yes": ["Yes"], "no": ["No"]}


def test_the_shipped_example_reads_back_into_canonical_tables():
    from pathlib import Path

    shipped = Path(__file__).resolve().parents[2] / "examples" / "hr"
    tables = read_back(shipped)
    assert tables.grades == GRADES and len(tables.cycle_ends) == 4
    moments = observed_moments(tables)
    pooled = moments[moments["cycle"].isna()]
    assert set(pooled["moment"]) >= {"voluntary_attrition", "rating_stability"}
