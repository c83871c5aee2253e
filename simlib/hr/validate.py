"""Reading a user's HR table and checking it before anything is written.

Each check is a vectorized pandera check on the table as the user wrote it (every column
read as text, renamed to its canonical name). A bad table gives one line per problem naming
the FILE, the ROW as a spreadsheet numbers it (the header is row 1, the first person row 2)
and the COLUMN by the user's own name; up to ten problems are listed, then how many more.
A cell's value is shown only when the column holds codes (an exit reason, a rating, the
left flag); never for ids, names, dates of a person or salaries, which are personal data.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pydantic import BaseModel

from simlib.errors import ScenarioError
from simlib.i18n import _, ngettext

MAX_LISTED = 10
HEADER_ROWS = 1
PERSONAL = frozenset({"employee_id", "manager_id", "salary", "hire_date", "exit_date"})
"""Canonical columns whose cells are never repeated in a message."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a table: where (file, row, column) and what."""

    file: str
    row: int | None
    column: str | None
    message: str

    def render(self) -> str:
        if self.row is not None and self.column is not None:
            where = _("{file}, row {row}, column {column}").format(
                file=self.file, row=self.row, column=self.column
            )
        elif self.column is not None:
            where = _("{file}, column {column}").format(file=self.file, column=self.column)
        else:
            where = self.file
        return f"{where}: {self.message}"


class ImportProblems(ScenarioError):
    """Every problem found in the user's tables (the first ten listed, then a count)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = [p.render() for p in self.problems[:MAX_LISTED]]
        more = len(self.problems) - MAX_LISTED
        if more > 0:
            lines.append(_("and {count} more").format(count=more))
        super().__init__(lines)

    def render(self) -> str:
        if len(self.problems) == 1:
            return self.messages[0]
        count = ngettext("{count} problem", "{count} problems", len(self.problems))
        listed = "\n".join(f"  - {m}" for m in self.messages)
        return count.format(count=len(self.problems)) + "\n" + listed


def spreadsheet_row(index: int | np.integer) -> int:
    """The row a spreadsheet shows for the table's ``index``-th person (header = row 1)."""
    return int(index) + HEADER_ROWS + 1


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """The table in a .csv or .xlsx file, every cell as text (empty cells missing)."""
    if not path.is_file():
        raise ScenarioError(_("file not found"), source=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, engine="openpyxl")
            frame = raw.map(_cell_text)
        elif suffix in (".csv", ".txt"):
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig"
            )
        else:
            raise ScenarioError(
                _("not a .csv or .xlsx file; save the export as one of these"), source=str(path)
            )
    except ScenarioError:
        raise
    except (ValueError, OSError, KeyError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        reason = type(exc).__name__
        raise ScenarioError(
            _("cannot read the table ({reason}); save it as UTF-8 CSV or .xlsx").format(
                reason=reason
            ),
            source=str(path),
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.map(lambda v: v.strip() or None if isinstance(v, str) else v)
    return frame.reset_index(drop=True)


def _cell_text(value: object) -> object:
    """A spreadsheet cell as text: whole numbers without '.0', dates in ISO form."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates as written (ISO, or another form pandas reads); unreadable ones NaT."""
    return pd.to_datetime(values, errors="coerce", format="mixed")


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers as written, thousands separators allowed; unreadable ones NaN."""
    text = values.astype("string").str.replace(r"[,\s]", "", regex=True)
    return pd.to_numeric(text, errors="coerce").astype(float)


def words(values: pd.Series) -> pd.Series:
    """Codes compared without regard to case or surrounding spaces."""
    return values.astype("string").str.strip().str.casefold()


@dataclass
class Table:
    """A user's table renamed to canonical columns, with the user's names kept."""

    file: str
    frame: pd.DataFrame
    names: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def problem(self, message: str, column: str | None = None, row: int | None = None) -> None:
        shown = self.names.get(column, column) if column is not None else None
        self.problems.append(Problem(self.file, row, shown, message))


def select_columns(
    path: Path,
    raw: pd.DataFrame,
    columns: BaseModel,
    required: Sequence[str],
    optional: Sequence[str],
) -> Table:
    """The canonical columns of ``raw`` as ``columns`` (a mapping's columns) names them.

    A required column, or one the mapping names explicitly, must be there; an optional one
    left at its canonical name is used when the file has it.
    """
    table = Table(str(path), pd.DataFrame(index=raw.index), {})
    named = columns.model_fields_set
    for canonical in (*required, *optional):
        user = getattr(columns, canonical)
        if user is None:
            if canonical in required:
                table.problem(_("this column is needed; map it to a column of the file"), canonical)
            continue
        if user in raw.columns:
            table.frame[canonical] = raw[user]
            table.names[canonical] = user
        elif canonical in required or canonical in named:
            table.names[canonical] = user
            table.problem(
                _("missing column (the mapping calls it '{canonical}')").format(
                    canonical=canonical
                ),
                canonical,
                row=HEADER_ROWS,
            )
    return table


@dataclass(frozen=True)
class Rule:
    """One check: the canonical column it is about, what is wrong, and the vectorized test
    (``True`` where the row is fine)."""

    column: str
    message: str
    test: Callable[[pd.DataFrame], pd.Series]
    needs: tuple[str, ...] = ()


def run_rules(table: Table, rules: Sequence[Rule], unique: Sequence[str] = ()) -> None:
    """Run ``rules`` (and uniqueness of ``unique``) with pandera; record each failing row."""
    present = [r for r in rules if all(table.has(c) for c in _needs(r))]
    checks = [pa.Check(r.test, error=str(i)) for i, r in enumerate(present)]
    columns = {
        name: pa.Column(nullable=True, unique=name in unique, required=False)
        for name in table.frame.columns
    }
    schema = pa.DataFrameSchema(columns, checks=checks, strict=False)
    try:
        schema.validate(table.frame, lazy=True)
        return
    except SchemaErrors as exc:
        cases = exc.failure_cases
    seen: set[tuple[str, int | None]] = set()  # a frame-wide check reports every column
    for case in cases.itertuples(index=False):
        index = case.index
        row = None if index is None or pd.isna(index) else spreadsheet_row(int(index))
        if (str(case.check), row) in seen:
            continue
        seen.add((str(case.check), row))
        if case.check == "field_uniqueness":
            table.problem(_("the same id appears on more than one row"), str(case.column), row)
            continue
        rule = present[int(case.check)]
        table.problem(rule.message, rule.column, row)


def _needs(rule: Rule) -> tuple[str, ...]:
    return (rule.column, *rule.needs)


def present_or_missing(
    ok: Callable[[pd.Series], pd.Series], column: str
) -> Callable[[pd.DataFrame], pd.Series]:
    """A test that passes empty cells and applies ``ok`` to the others."""

    def test(frame: pd.DataFrame) -> pd.Series:
        values = frame[column]
        return values.isna() | ok(values).fillna(False).astype(bool)

    return test


def filled(column: str, message: str) -> Rule:
    return Rule(column, message, lambda f: f[column].notna())


def date_rule(column: str) -> Rule:
    test = present_or_missing(lambda v: parse_dates(v).notna(), column)
    return Rule(column, _("not a date (write dates as YYYY-MM-DD)"), test)


def positive_rule(column: str, message: str) -> Rule:
    test = present_or_missing(lambda v: parse_numbers(v) > 0, column)
    return Rule(column, message, test)


def code_problems(table: Table, column: str, allowed: Sequence[str], what: str) -> None:
    """Like :func:`code_rule`, but the message names the value (codes are not personal)."""
    if not table.has(column):
        return
    folded = {a.strip().casefold() for a in allowed}
    values = table.frame[column]
    bad = values.notna() & ~words(values).isin(folded).fillna(False)
    for index in np.flatnonzero(bad.to_numpy()):
        said = _("{what} {value} is not one of {allowed}").format(
            what=what, value=repr(str(values.iloc[index])), allowed=", ".join(allowed)
        )
        table.problem(said, column, spreadsheet_row(index))


def manager_loops(ids: pd.Series, managers: pd.Series) -> np.ndarray:
    """Positions of the people whose chain of managers comes back to them (a loop).

    Follows every chain at once by repeated squaring of the "manager of" map: after
    ``2**k >= n`` steps a chain has either ended (no manager, or one outside the table) or
    sits on its loop; the loops are then walked once, vectorized over people.
    """
    n = len(ids)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    position = pd.Series(np.arange(n), index=ids.to_numpy())
    found = position.reindex(managers.to_numpy()).to_numpy()
    parent = np.append(np.where(np.isnan(found), n, found).astype(np.int64), n)
    reach = parent.copy()
    for _step in range(int(np.ceil(np.log2(n + 1))) + 1):
        reach = reach[reach]
    on_loop = np.zeros(n + 1, dtype=bool)
    current = np.unique(reach[:n][reach[:n] != n])
    while current.size:
        on_loop[current] = True
        nxt = parent[current]
        current = np.unique(nxt[~on_loop[nxt]])
    return np.flatnonzero(on_loop[:n])


def manager_problems(table: Table) -> list[str]:
    """Loops in the manager chains (problems) and manager ids that are no one's id (warnings,
    returned: the manager may have left before the export)."""
    if not (table.has("employee_id") and table.has("manager_id")):
        return []
    ids = table.frame["employee_id"].astype("string")
    managers = table.frame["manager_id"].astype("string")
    if ids.isna().any() or ids.duplicated().any():
        return []  # reported already; chains cannot be followed
    loops = manager_loops(ids, managers)
    if loops.size:
        rows = [spreadsheet_row(i) for i in loops]
        table.problem(
            _(
                "managers form a loop on rows {rows}: each chain of managers comes back to itself"
            ).format(rows=_row_list(rows)),
            "manager_id",
        )
    unknown = managers.notna() & ~managers.isin(set(ids))
    if not unknown.any():
        return []
    rows = [spreadsheet_row(i) for i in np.flatnonzero(unknown.to_numpy())]
    said = _(
        "{file}, column {column}: rows {rows} name a manager who is no one's id in the table "
        "(read as no manager: they may have left before the export)"
    )
    return [said.format(file=table.file, column=table.names["manager_id"], rows=_row_list(rows))]


def _row_list(rows: Sequence[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_LISTED])
    more = len(rows) - MAX_LISTED
    return shown + (_(" and {count} more").format(count=more) if more > 0 else "")


def raise_problems(tables: Sequence[Table]) -> None:
    """Raise :class:`ImportProblems` with every table's problems, if any."""
    problems = [p for t in tables for p in sorted(t.problems, key=lambda p: p.row or 0)]
    if problems:
        raise ImportProblems(problems)


def grade_order(given: Sequence[str] | None, table: Table, column: str = "rating") -> list[str]:
    """The rating scale, best first: the mapping's ``ratings.order``; without one, ratings
    that are all numbers are read as higher-is-better (an assumption, said on screen)."""
    if given is not None:
        return [str(g).strip() for g in given]
    if not table.has(column):
        return []
    values = table.frame[column].dropna().astype(str)
    numbers = parse_numbers(values)
    if len(values) and numbers.notna().all():
        ordered = sorted(set(values), key=lambda v: -float(v.replace(",", "")))
        return ordered
    table.problem(
        _(
            "the ratings are not numbers, so their order is unknown: give ratings.order "
            "(best first) in a mapping file"
        ),
        column,
    )
    return []


def canonical_codes(values: pd.Series, codes: Mapping[str, Sequence[str]]) -> pd.Series:
    """Each user value replaced by its canonical code (compared without regard to case)."""
    lookup = {v.strip().casefold(): code for code, listed in codes.items() for v in listed}
    return words(values).map(lookup).astype("string")


def parse_as_of(day: datetime.date | None) -> pd.Timestamp | None:
    """The mapping's ``as_of`` date, or ``None`` when it gives none."""
    return None if day is None else pd.Timestamp(day)
