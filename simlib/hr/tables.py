"""The canonical HR tables: one shape for a user's export and for a simulated organization.

A user's HR export (read by the import) and a simulation recorded as an export
(:func:`simlib.hr.panel.record_panel`) both become an :class:`HrTables`, and one function,
:func:`simlib.hr.moments.observed_moments`, computes the observed moments from it. Data and
model therefore share one definition of every moment.

Two shapes are common in practice:

``history``
    ``employees``: one row per person employed at any time in the export, with hire and
    exit dates; ``reviews``: one row per person and review cycle.
``snapshot``
    ``employees`` only: one row per person with their last rating, tenure and a flag saying
    whether they left in the last year; ids, hire and exit dates may be missing.

Columns and dtypes (names are a contract, see the constants below):

- employees: ``employee_id`` (string), ``manager_id`` (string or NA), ``department``
  (string), ``hire_date`` (datetime, NaT in a snapshot), ``exit_date`` (datetime, NaT = still
  employed), ``exit_reason`` (``"voluntary"`` | ``"involuntary"`` | NA), ``salary`` (float,
  YEARLY, in the export's currency), ``group`` (string or NA); a snapshot adds ``rating``
  (string, one of ``grades``), ``tenure_years`` (float, years) and ``left`` (bool: left in the
  last year).
- reviews: ``employee_id`` (string), ``cycle_end`` (datetime), ``rating`` (string, one of
  ``grades``), optionally ``salary`` (float, yearly, at that cycle: gives raises).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from simlib.i18n import _

# --- canonical column names --------------------------------------------------------------
EMPLOYEE_ID = "employee_id"
MANAGER_ID = "manager_id"
DEPARTMENT = "department"
HIRE_DATE = "hire_date"
EXIT_DATE = "exit_date"
EXIT_REASON = "exit_reason"
SALARY = "salary"
GROUP = "group"
RATING = "rating"
TENURE_YEARS = "tenure_years"
LEFT = "left"
CYCLE_END = "cycle_end"

# --- canonical exit reasons ----------------------------------------------------------------
VOLUNTARY = "voluntary"
INVOLUNTARY = "involuntary"
EXIT_REASONS = (VOLUNTARY, INVOLUNTARY)

Shape = Literal["history", "snapshot"]
SHAPES: tuple[Shape, ...] = ("history", "snapshot")

# Column -> pandas dtype. Strings use pandas' string dtype with Python storage (missing
# values are NA): the tables are small, and comparisons and lookups on it stay quick.
STRING = "string[python]"
EMPLOYEE_DTYPES: dict[str, str] = {
    EMPLOYEE_ID: STRING,
    MANAGER_ID: STRING,
    DEPARTMENT: STRING,
    HIRE_DATE: "datetime64[ns]",
    EXIT_DATE: "datetime64[ns]",
    EXIT_REASON: STRING,
    SALARY: "float64",
    GROUP: STRING,
}
SNAPSHOT_DTYPES: dict[str, str] = {
    RATING: STRING,
    TENURE_YEARS: "float64",
    LEFT: "bool",
}
REVIEW_DTYPES: dict[str, str] = {
    EMPLOYEE_ID: STRING,
    CYCLE_END: "datetime64[ns]",
    RATING: STRING,
}
REVIEW_OPTIONAL_DTYPES: dict[str, str] = {SALARY: "float64"}

EMPLOYEE_COLUMNS = tuple(EMPLOYEE_DTYPES)
SNAPSHOT_COLUMNS = EMPLOYEE_COLUMNS + tuple(SNAPSHOT_DTYPES)
REVIEW_COLUMNS = tuple(REVIEW_DTYPES)

# Columns a snapshot may lack (filled with missing values).
SNAPSHOT_OPTIONAL = (EMPLOYEE_ID, MANAGER_ID, HIRE_DATE, EXIT_DATE, EXIT_REASON, GROUP, SALARY)
# Columns a history's employees may lack.
HISTORY_OPTIONAL = (MANAGER_ID, EXIT_REASON, GROUP, SALARY)


class HrTablesError(ValueError):
    """A canonical table that is not in the canonical shape (a column, a dtype, a value)."""


@dataclass(frozen=True)
class HrTables:
    """An HR export in canonical form.

    Attributes
    ----------
    employees
        One row per person employed at any time in the export (see the module docstring).
    reviews
        One row per person and review cycle; ``None`` in the snapshot shape.
    grades
        The rating scale, best first.
    as_of
        The export's date (the end of the data).
    shape
        ``"history"`` or ``"snapshot"``.
    """

    employees: pd.DataFrame
    reviews: pd.DataFrame | None
    grades: tuple[str, ...]
    as_of: pd.Timestamp
    shape: Shape

    @property
    def cycle_ends(self) -> tuple[pd.Timestamp, ...]:
        """The review cycles' end dates, sorted (the snapshot's one cycle ends at ``as_of``)."""
        if self.reviews is None:
            return (self.as_of,)
        return tuple(pd.Timestamp(d) for d in sorted(self.reviews[CYCLE_END].unique()))


def _coerce(frame: pd.DataFrame, dtypes: dict[str, Any], optional: Sequence[str]) -> pd.DataFrame:
    """``frame``'s columns in ``dtypes`` (missing optional ones filled with NA), cast."""
    missing = [c for c in dtypes if c not in frame.columns and c not in optional]
    if missing:
        raise HrTablesError(
            _("the table lacks the column(s) {columns}").format(columns=", ".join(missing))
        )
    out = {}
    n = len(frame)
    for column, dtype in dtypes.items():
        if column not in frame.columns:
            out[column] = pd.Series(index=pd.RangeIndex(n), dtype=dtype)
            continue
        values = frame[column].reset_index(drop=True)
        try:
            if dtype.startswith("datetime"):
                out[column] = pd.to_datetime(values).astype(dtype)
            elif dtype == "bool":
                if values.isna().any():
                    raise ValueError("missing values")
                out[column] = values.astype(bool)
            else:
                out[column] = values.astype(dtype)
        except (ValueError, TypeError) as error:
            raise HrTablesError(
                _("the column {column} cannot be read as {dtype}: {error}").format(
                    column=column, dtype=dtype, error=error
                )
            ) from error
    return pd.DataFrame(out)


def _check_ratings(values: pd.Series, grades: Sequence[str], where: str) -> None:
    unknown = sorted(set(values.dropna()) - set(grades))
    if unknown:
        raise HrTablesError(
            _("{where}: rating(s) {unknown} are not on the scale {grades}").format(
                where=where, unknown=unknown, grades=list(grades)
            )
        )


def make_tables(
    employees: pd.DataFrame,
    reviews: pd.DataFrame | None,
    grades: Sequence[str],
    as_of: pd.Timestamp | str,
    shape: Shape,
) -> HrTables:
    """Canonical tables from frames with the canonical column names: columns in the canonical
    order and dtypes (optional columns the frames lack filled with missing values), checked.

    Raises :class:`HrTablesError` naming the column for a missing column, a value that cannot
    be read as its dtype, a rating not on ``grades``, an exit reason other than
    ``voluntary``/``involuntary``, duplicate ids, an exit before its hire, or a review of
    someone not in ``employees``.
    """
    if shape not in SHAPES:
        raise HrTablesError(
            _("the shape {shape} is neither history nor snapshot").format(shape=shape)
        )
    grades = tuple(str(g) for g in grades)
    if not grades or len(set(grades)) != len(grades):
        raise HrTablesError(
            _("the rating scale {grades} must name each grade once").format(grades=list(grades))
        )
    if shape == "snapshot":
        dtypes = {**EMPLOYEE_DTYPES, **SNAPSHOT_DTYPES}
        frame = _coerce(employees, dtypes, optional=SNAPSHOT_OPTIONAL)
        _check_ratings(frame[RATING], grades, "employees")
    else:
        frame = _coerce(employees, EMPLOYEE_DTYPES, optional=HISTORY_OPTIONAL)
    if frame[EMPLOYEE_ID].dropna().duplicated().any():
        raise HrTablesError(_("employee ids repeat in the employees table"))
    review_frame = None
    if shape == "history":
        if reviews is None:
            raise HrTablesError(_("a history needs its reviews table"))
        optional = {c: t for c, t in REVIEW_OPTIONAL_DTYPES.items() if c in reviews.columns}
        review_frame = _coerce(reviews, {**REVIEW_DTYPES, **optional}, optional=())
        _check_ratings(review_frame[RATING], grades, "reviews")
        unknown = ~review_frame[EMPLOYEE_ID].isin(frame[EMPLOYEE_ID])
        if unknown.any():
            raise HrTablesError(
                _("reviews name {count} id(s) not in the employees table").format(
                    count=int(review_frame.loc[unknown, EMPLOYEE_ID].nunique())
                )
            )
        if review_frame.duplicated([EMPLOYEE_ID, CYCLE_END]).any():
            raise HrTablesError(_("reviews hold a person twice in one cycle"))
    reasons = set(frame[EXIT_REASON].dropna()) - set(EXIT_REASONS)
    if reasons:
        raise HrTablesError(
            _("exit reasons {reasons} are neither voluntary nor involuntary").format(
                reasons=sorted(reasons)
            )
        )
    if (frame[EXIT_DATE] < frame[HIRE_DATE]).any():
        raise HrTablesError(_("someone left before they were hired"))
    return HrTables(
        employees=frame,
        reviews=review_frame,
        grades=grades,
        as_of=pd.Timestamp(as_of),
        shape=shape,
    )
