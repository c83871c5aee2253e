"""A snapshot export: one employees table, each person's last rating and whether they left.

One row per person employed a year before the export: their department, last rating, a
"left in the last year" flag and, where the export has them, an id, a manager id, a salary,
tenure and a demographic group. The flag is read as a VOLUNTARY leaver in the last year
(snapshot exports such as the common attrition datasets do not say why people left; the
mapping's ``values.left`` says which values mean yes). Without ids and manager ids the
teams are not in the data: the imported organization builds them from the span of control
(``span_of_control`` in the mapping, 8 if not given), each department cut into teams of that
many people and a manager each, as every simulated organization is built.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simlib.hr.mapping import Mapping
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

REQUIRED = ("department", "rating", "left")
OPTIONAL = ("employee_id", "manager_id", "salary", "tenure_years", "group", "hire_date")
DAYS_PER_YEAR = 365.25


def check_snapshot(path: Path, mapping: Mapping) -> tuple[Table, list[str], list[str]]:
    """The snapshot table, checked (raises on problems), its grades and its warnings.

    A blank rating is someone not rated yet (a recent hire): they count in headcount and
    attrition, not in the grade shares."""
    raw = read_table(path, mapping.employees.sheet)
    table = select_columns(path, raw, mapping.employees.columns, REQUIRED, OPTIONAL)
    raise_problems([table])
    grades = grade_order(mapping.ratings.order, table)
    left = mapping.employees.values.left
    rules = [
        filled("department", _("the department is missing")),
        filled("left", _("the left-in-the-last-year flag is missing")),
        positive_rule("salary", _("the salary is not a number above 0")),
        date_rule("hire_date"),
        Rule(
            "tenure_years",
            _("the tenure is not a number of years, 0 or more"),
            lambda f: f["tenure_years"].isna() | (parse_numbers(f["tenure_years"]) >= 0),
        ),
    ]
    run_rules(table, rules, unique=("employee_id",))
    if grades:
        code_problems(table, "rating", grades, _("the rating"))
    code_problems(table, "left", [*left.yes, *left.no], _("the left flag"))
    warnings = manager_problems(table)
    raise_problems([table])
    return table, grades, warnings


def read_snapshot(path: Path, mapping: Mapping) -> tuple[HrTables, list[str]]:
    """A snapshot export as canonical :class:`HrTables`, and the warnings to show."""
    table, grades, warnings = check_snapshot(path, mapping)
    frame = table.frame
    n = len(frame)
    hire = parse_dates(frame["hire_date"]) if table.has("hire_date") else None
    as_of = parse_as_of(mapping.as_of)
    if as_of is None:
        as_of = hire.max() if hire is not None and hire.notna().any() else None
    if as_of is None or pd.isna(as_of):
        as_of = pd.Timestamp.today().normalize()
    employees = pd.DataFrame(index=pd.RangeIndex(n))
    for column in ("employee_id", "manager_id", "department", "group"):
        if table.has(column):
            employees[column] = frame[column].astype("string").str.strip()
    if "employee_id" in employees and "manager_id" in employees:
        known = employees["manager_id"].isin(set(employees["employee_id"].dropna()))
        employees["manager_id"] = employees["manager_id"].where(known)
    if hire is not None:
        employees["hire_date"] = hire
    if table.has("salary"):
        employees["salary"] = parse_numbers(frame["salary"]) * (12 if mapping.monthly else 1)
    employees["rating"] = canonical_codes(frame["rating"], {g: [g] for g in grades})
    left = mapping.employees.values.left
    employees["left"] = (canonical_codes(frame["left"], {"yes": left.yes}) == "yes").fillna(False)
    if table.has("tenure_years"):
        employees["tenure_years"] = parse_numbers(frame["tenure_years"])
    elif hire is not None:
        employees["tenure_years"] = (as_of - hire).dt.days / DAYS_PER_YEAR
    tables = make_tables(employees, None, grades, as_of, "snapshot")
    return tables, warnings
