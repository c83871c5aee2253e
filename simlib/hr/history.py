"""A history export: an employees table and a reviews table, read into canonical tables.

The employees table has one row per person employed at any time in the export (id, manager
id, department, hire date, exit date and reason, salary, group); the reviews table one row
per person and review cycle (id, cycle end date, rating, optionally the salary then). An
employees table with ids and hire dates but no reviews table is a history too when it
carries each person's rating: that is one review cycle, ending at the export's date.

:func:`read_export` decides the shape: a history when a reviews table is given or the
employees table has ids and hire dates and no left-in-the-last-year flag; a snapshot
otherwise (:mod:`simlib.hr.snapshot`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simlib.hr.mapping import Mapping
from simlib.hr.snapshot import read_snapshot
from simlib.hr.tables import HrTables, make_tables
from simlib.hr.validate import (
    Rule,
    Table,
    canonical_codes,
    code_problems,
    date_rule,
    filled,
    grade_order,
    manager_problems,
    parse_as_of,
    parse_dates,
    parse_numbers,
    positive_rule,
    raise_problems,
    read_table,
    run_rules,
    select_columns,
)
from simlib.i18n import _

EMPLOYEES_REQUIRED = ("employee_id", "department", "hire_date")
EMPLOYEES_OPTIONAL = ("manager_id", "exit_date", "exit_reason", "salary", "group")
REVIEWS_REQUIRED = ("employee_id", "cycle_end", "rating")
REVIEWS_OPTIONAL = ("salary",)


def is_history(employees: Path, reviews: Path | None, mapping: Mapping) -> bool:
    """True when the export is a history (see the module docstring)."""
    if reviews is not None:
        return True
    header = read_table(employees, mapping.employees.sheet).columns
    columns = mapping.employees.columns
    has = {name: getattr(columns, name) in header for name in ("employee_id", "hire_date", "left")}
    return has["employee_id"] and has["hire_date"] and not has["left"]


def read_export(
    employees: Path, reviews: Path | None, mapping: Mapping
) -> tuple[HrTables, list[str]]:
    """The user's export, either shape, as canonical tables, and the warnings to show."""
    if is_history(employees, reviews, mapping):
        return read_history(employees, reviews, mapping)
    return read_snapshot(employees, mapping)


def _employee_rules() -> list[Rule]:
    return [
        filled("employee_id", _("the id is missing")),
        filled("department", _("the department is missing")),
        filled("hire_date", _("the hire date is missing")),
        date_rule("hire_date"),
        date_rule("exit_date"),
        Rule(
            "exit_date",
            _("the exit date is before the hire date"),
            lambda f: ~(parse_dates(f["exit_date"]) < parse_dates(f["hire_date"])),
            needs=("hire_date",),
        ),
        positive_rule("salary", _("the salary is not a number above 0")),
    ]


def _review_rules(ids: set[str]) -> list[Rule]:
    return [
        filled("employee_id", _("the id is missing")),
        filled("cycle_end", _("the cycle end date is missing")),
        filled("rating", _("the rating is missing")),
        date_rule("cycle_end"),
        positive_rule("salary", _("the salary is not a number above 0")),
        Rule(
            "employee_id",
            _("this id is not in the employees table"),
            lambda f: f["employee_id"].isna() | f["employee_id"].isin(ids),
        ),
        Rule(
            "cycle_end",
            _("this person is reviewed twice for the same cycle end"),
            lambda f: (
                ~pd.DataFrame(
                    {"id": f["employee_id"], "end": parse_dates(f["cycle_end"])}
                ).duplicated(keep=False)
            ),
            needs=("employee_id",),
        ),
    ]


def check_history(
    employees_path: Path, reviews_path: Path | None, mapping: Mapping
) -> tuple[Table, Table, list[str], list[str]]:
    """Both tables checked (raises on problems), the grades and the warnings."""
    raw = read_table(employees_path, mapping.employees.sheet)
    optional = EMPLOYEES_OPTIONAL + (() if reviews_path is not None else ("rating",))
    people = select_columns(
        employees_path, raw, mapping.employees.columns, EMPLOYEES_REQUIRED, optional
    )
    if reviews_path is not None:
        raw_reviews = read_table(reviews_path, mapping.reviews.sheet)
        reviews = select_columns(
            reviews_path, raw_reviews, mapping.reviews.columns, REVIEWS_REQUIRED, REVIEWS_OPTIONAL
        )
    else:
        reviews = people  # the ratings are on the employees' rows
        if not people.has("rating"):
            people.problem(
                _("a history needs ratings: give a reviews table or a rating column"), "rating"
            )
    raise_problems([people] if reviews is people else [people, reviews])
    run_rules(people, _employee_rules(), unique=("employee_id",))
    reasons = mapping.employees.values.exit_reason
    code_problems(
        people, "exit_reason", [*reasons.voluntary, *reasons.involuntary], _("the exit reason")
    )
    warnings = manager_problems(people)
    grades = grade_order(mapping.ratings.order, reviews)
    if reviews is not people:
        ids = set(people.frame["employee_id"].dropna().astype(str))
        run_rules(reviews, _review_rules(ids))
    if grades:
        code_problems(reviews, "rating", grades, _("the rating"))
    raise_problems([people] if reviews is people else [people, reviews])
    return people, reviews, grades, warnings


def read_history(
    employees_path: Path, reviews_path: Path | None, mapping: Mapping
) -> tuple[HrTables, list[str]]:
    """A history export as canonical :class:`HrTables`, and the warnings to show."""
    people, reviews, grades, warnings = check_history(employees_path, reviews_path, mapping)
    yearly = 12 if mapping.monthly else 1
    frame = people.frame
    employees = pd.DataFrame(index=frame.index)
    for column in ("employee_id", "manager_id", "department", "group"):
        if people.has(column):
            employees[column] = frame[column].astype("string").str.strip()
    if "manager_id" in employees:
        known = employees["manager_id"].isin(set(employees["employee_id"]))
        employees["manager_id"] = employees["manager_id"].where(known)
    employees["hire_date"] = parse_dates(frame["hire_date"])
    if people.has("exit_date"):
        employees["exit_date"] = parse_dates(frame["exit_date"])
    if people.has("exit_reason"):
        values = mapping.employees.values.exit_reason
        codes = {"voluntary": values.voluntary, "involuntary": values.involuntary}
        employees["exit_reason"] = canonical_codes(frame["exit_reason"], codes)
    if people.has("salary"):
        employees["salary"] = parse_numbers(frame["salary"]) * yearly
    as_of = parse_as_of(mapping.as_of)
    scale = {g: [g] for g in grades}
    if reviews is people:
        dates = [employees["hire_date"].max()]
        if "exit_date" in employees:
            dates.append(employees["exit_date"].max())
        as_of = as_of or max(d for d in dates if not pd.isna(d))
        review = pd.DataFrame(
            {
                "employee_id": employees["employee_id"],
                "cycle_end": as_of,
                "rating": canonical_codes(frame["rating"], scale),
            }
        ).dropna(subset=["rating"])
    else:
        rows = reviews.frame
        review = pd.DataFrame(
            {
                "employee_id": rows["employee_id"].astype("string").str.strip(),
                "cycle_end": parse_dates(rows["cycle_end"]),
                "rating": canonical_codes(rows["rating"], scale),
            }
        )
        if reviews.has("salary"):
            review["salary"] = parse_numbers(rows["salary"]) * yearly
        if as_of is None:
            dates = [review["cycle_end"].max(), employees["hire_date"].max()]
            if "exit_date" in employees:
                dates.append(employees["exit_date"].max())
            as_of = max(d for d in dates if not pd.isna(d))
    tables = make_tables(employees, review, grades, as_of, "history")
    return tables, warnings
