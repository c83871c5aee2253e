"""The mapping file: which of the user's columns and values mean what.

An HR export names its columns its own way (``EmpID``, ``Dept``, ``LastScore``) and codes
its values its own way (``Resigned``, ``Yes``). The mapping file says, in the form of issue
16, which column holds each canonical field and which values mean what::

    employees:
      columns: {employee_id: EmpID, manager_id: ManagerID, department: Dept, hire_date: Start,
                exit_date: End, exit_reason: Why, salary: Pay, group: Sex, rating: LastScore,
                left: Attrition, tenure_years: Years}
      values:
        exit_reason: {voluntary: [Resigned, Better offer], involuntary: [Dismissed]}
        left: {yes: ["Yes"], no: ["No"]}
      salary_period: year        # or month
    reviews:
      columns: {employee_id: EmpID, cycle_end: ReviewDate, rating: Score}
    ratings:
      order: [Exceeds, Fully Meets, Partially Meets, PIP]   # best first

Without a mapping file every column is expected under its canonical name. A column left
out of ``columns`` is looked for under its canonical name; a column set to ``null`` is not
in the export. Keys added here beyond the issue's: ``employees.sheet`` and
``reviews.sheet`` (the worksheet of an .xlsx file, default the first), ``as_of`` (the
export's date, default the latest date in the data), ``span_of_control`` (team size used
when the export has no manager ids) and ``currency`` (of the salaries, default EUR).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simlib.errors import ScenarioError
from simlib.i18n import _

EMPLOYEE_FIELDS = (
    "employee_id",
    "manager_id",
    "department",
    "hire_date",
    "exit_date",
    "exit_reason",
    "salary",
    "group",
    "rating",
    "left",
    "tenure_years",
)
REVIEW_FIELDS = ("employee_id", "cycle_end", "rating", "salary")

YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class EmployeeColumns(_Strict):
    """The user's column name for each canonical employees field (null: not in the export)."""

    employee_id: str | None = "employee_id"
    manager_id: str | None = "manager_id"
    department: str | None = "department"
    hire_date: str | None = "hire_date"
    exit_date: str | None = "exit_date"
    exit_reason: str | None = "exit_reason"
    salary: str | None = "salary"
    group: str | None = "group"
    rating: str | None = "rating"
    left: str | None = "left"
    tenure_years: str | None = "tenure_years"


class ReviewColumns(_Strict):
    """The user's column name for each canonical reviews field (null: not in the export)."""

    employee_id: str | None = "employee_id"
    cycle_end: str | None = "cycle_end"
    rating: str | None = "rating"
    salary: str | None = "salary"


def _yes_no_keys(data: Any) -> Any:
    """YAML reads an unquoted ``yes:``/``no:`` key as true/false: read them back as words."""
    if isinstance(data, dict):
        return {("yes" if k is True else "no" if k is False else k): v for k, v in data.items()}
    return data


def _as_words(values: Any) -> Any:
    """An unquoted ``[Yes]`` is true in YAML: keep the word the user meant."""
    if isinstance(values, list):
        return ["yes" if v is True else "no" if v is False else str(v) for v in values]
    return values


class ExitReasonValues(_Strict):
    voluntary: list[str] = Field(default_factory=lambda: ["voluntary"], min_length=1)
    involuntary: list[str] = Field(default_factory=lambda: ["involuntary"], min_length=1)


class LeftValues(_Strict):
    yes: list[str] = Field(default_factory=lambda: list(YES), min_length=1)
    no: list[str] = Field(default_factory=lambda: list(NO), min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _words(cls, data: Any) -> Any:
        data = _yes_no_keys(data)
        if isinstance(data, dict):
            return {k: _as_words(v) for k, v in data.items()}
        return data


class EmployeeValues(_Strict):
    """Which of the user's values mean what (compared without regard to case)."""

    exit_reason: ExitReasonValues = Field(default_factory=ExitReasonValues)
    left: LeftValues = Field(default_factory=LeftValues)


class EmployeesMapping(_Strict):
    columns: EmployeeColumns = Field(default_factory=EmployeeColumns)
    values: EmployeeValues = Field(default_factory=EmployeeValues)
    salary_period: Literal["year", "month"] = "year"
    sheet: str | None = None


class ReviewsMapping(_Strict):
    columns: ReviewColumns = Field(default_factory=ReviewColumns)
    sheet: str | None = None


class Ratings(_Strict):
    order: list[str] | None = Field(default=None, min_length=2, max_length=10)

    @model_validator(mode="before")
    @classmethod
    def _words(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("order"), list):
            return {**data, "order": [str(v) for v in data["order"]]}
        return data

    @model_validator(mode="after")
    def _distinct(self) -> Ratings:
        if self.order is not None and len({o.strip() for o in self.order}) != len(self.order):
            raise ValueError(_("ratings.order: every grade must appear once"))
        return self


class Mapping(_Strict):
    """A whole mapping file (every part optional: canonical names are the default)."""

    employees: EmployeesMapping = Field(default_factory=EmployeesMapping)
    reviews: ReviewsMapping = Field(default_factory=ReviewsMapping)
    ratings: Ratings = Field(default_factory=Ratings)
    as_of: datetime.date | None = None
    span_of_control: int = Field(8, ge=2, le=200)
    currency: str = Field("EUR", min_length=1, max_length=8)

    @property
    def monthly(self) -> bool:
        return self.employees.salary_period == "month"


def read_mapping(path: Path | None) -> Mapping:
    """The mapping file at ``path`` (``None``: canonical names), or a :class:`ScenarioError`
    naming each unknown key with the closest valid one."""
    if path is None:
        return Mapping()
    from simlib.scenario.loading import read_yaml
    from simlib.scenario.schema import explain

    data = read_yaml(path)
    if data is None:
        return Mapping()
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(explain(exc, Mapping), source=str(path)) from None
