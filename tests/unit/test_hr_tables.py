"""The canonical HR tables: columns in the canonical order and dtypes, and the checks that
name what is wrong."""

from __future__ import annotations

import pandas as pd
import pytest

from simlib.hr import tables as t
from simlib.hr.tables import HrTablesError, make_tables

GRADES = ("Exceeds", "Meets", "Below")


def employees(**changes):
    frame = pd.DataFrame(
        {
            t.EMPLOYEE_ID: ["A", "B"],
            t.DEPARTMENT: ["Sales", "Sales"],
            t.HIRE_DATE: ["2020-01-01", "2021-06-01"],
            t.EXIT_DATE: [None, "2022-03-01"],
            t.EXIT_REASON: [None, "voluntary"],
            t.SALARY: [50_000, 60_000],
        }
    )
    return frame.assign(**changes)


def reviews(**changes):
    frame = pd.DataFrame(
        {
            t.EMPLOYEE_ID: ["A", "B", "A"],
            t.CYCLE_END: ["2021-12-31", "2021-12-31", "2022-12-31"],
            t.RATING: ["Meets", "Exceeds", "Below"],
        }
    )
    return frame.assign(**changes)


def test_a_history_gets_every_canonical_column_in_order_with_its_dtype():
    tables = make_tables(employees(), reviews(), GRADES, "2022-12-31", "history")
    assert tuple(tables.employees.columns) == t.EMPLOYEE_COLUMNS
    expected = {c: pd.api.types.pandas_dtype(d) for c, d in t.EMPLOYEE_DTYPES.items()}
    assert dict(tables.employees.dtypes) == expected
    assert tables.employees[t.MANAGER_ID].isna().all()  # optional, absent: missing
    assert tables.employees[t.EXIT_DATE].isna().tolist() == [True, False]
    assert tuple(tables.reviews.columns) == t.REVIEW_COLUMNS
    assert tables.cycle_ends == (pd.Timestamp("2021-12-31"), pd.Timestamp("2022-12-31"))
    assert tables.as_of == pd.Timestamp("2022-12-31")


def test_reviews_keep_their_salary_when_they_carry_one():
    tables = make_tables(
        employees(), reviews(salary=[1.0, 2.0, 3.0]), GRADES, "2022-12-31", "history"
    )
    assert tables.reviews[t.SALARY].dtype == "float64"


def test_a_snapshot_may_lack_ids_and_dates():
    frame = pd.DataFrame(
        {
            t.DEPARTMENT: ["Ops", "Ops", "IT"],
            t.RATING: ["Meets", "Below", "Meets"],
            t.TENURE_YEARS: [1.5, 3, 0.5],
            t.LEFT: [False, True, False],
        }
    )
    tables = make_tables(frame, None, GRADES, "2023-01-01", "snapshot")
    assert tuple(tables.employees.columns) == t.SNAPSHOT_COLUMNS
    assert tables.employees[t.EMPLOYEE_ID].isna().all()
    assert tables.employees[t.LEFT].tolist() == [False, True, False]
    assert tables.cycle_ends == (pd.Timestamp("2023-01-01"),)


@pytest.mark.parametrize(
    ("frame", "review_frame", "words"),
    [
        (employees().drop(columns=t.DEPARTMENT), reviews(), "department"),
        (employees(hire_date=["2020-01-01", "not a date"]), reviews(), "hire_date"),
        (employees(), reviews(rating=["Meets", "Great", "Below"]), "Great"),
        (employees(exit_reason=[None, "fired"]), reviews(), "fired"),
        (employees(employee_id=["A", "A"]), reviews(), "repeat"),
        (employees(exit_date=[None, "2021-01-01"]), reviews(), "before they were hired"),
        (employees(), reviews(employee_id=["A", "B", "Z"]), r"1 id\(s\) not in"),
        (employees(), reviews(cycle_end=["2021-12-31"] * 3), "twice in one cycle"),
    ],
)
def test_a_table_out_of_shape_is_refused_naming_what_is_wrong(frame, review_frame, words):
    with pytest.raises(HrTablesError, match=words):
        make_tables(frame, review_frame, GRADES, "2022-12-31", "history")
