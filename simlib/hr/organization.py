"""The imported organization as a scenario: ``organization.yaml``.

From the canonical tables and their observed moments, a scenario ``simlib check`` accepts:

- ``organization``: headcount, departments and their shares, groups, span of control and
  salary bands of the people employed at the export's date. When managers have rows of
  their own (their id is someone's ``manager_id``), they are people of the organization as in
  the model (``include_managers: true``: they work, are rated in their department's
  management team and can leave), and headcount counts everyone; the observed moments leave
  them out, for data and model alike (:mod:`simlib.hr.moments`). Without manager rows, each
  team has a rater of its own (``include_managers: false``) and headcount counts the rated.
  The span of control is the mean number of direct reports of those managers; without
  manager ids, the mapping's ``span_of_control``. Salary bands are the 10th and 90th
  percentiles rounded to 1,000, per level (individual contributor, manager) with at least
  10 people, else pooled over everyone (and the schema's default bands when fewer than 10
  salaries are known), so no one's exact salary is written. The schema has no tenure
  field: imported tenure is not carried into the scenario.
- ``policies.status_quo``: the organization's own grade scale, best first. When every grade's
  share is the same in every cycle within one point, a forced distribution with the pooled
  shares (ranked across the organization); otherwise absolute ratings with thresholds that
  give the pooled shares if rating scores are standard normal (calibration refines them).
  A snapshot has one cycle, which cannot show a constant curve: absolute.
- ``behaviour.voluntary_quit_rate``: the pooled voluntary attrition; ``environment.years``:
  the number of review cycles (a snapshot: two, so that last year's leavers carry the rating
  of the review before they left, as in the data); ``environment.weeks_per_cycle``: the
  median spacing of the cycles (52 for one cycle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy.stats import norm

from simlib.hr.tables import HrTables
from simlib.scenario.organization import WEEKS_PER_YEAR

MIN_BAND_PEOPLE = 10
BAND_ROUNDING = 1_000
CONSTANT_CURVE = 0.01
"""Grade shares that differ by at most this between cycles read as a forced curve."""
MAX_DEPARTMENTS = 200
DAYS_PER_WEEK = 7


@dataclass
class ImportedScenario:
    """The scenario as a plain mapping, and the notes written above it as comments."""

    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_yaml(self, imported_at: str) -> str:
        head = [f"Imported from an HR export by simlib import on {imported_at}."]
        lines = [f"# {line}" for line in head + self.notes]
        body = yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, width=100)
        return "\n".join(lines) + "\n" + body


SNAPSHOT_YEARS = 2  # the review a year before a snapshot's date, and the one at it


def employed_at(tables: HrTables) -> pd.Series:
    """Who is employed at the export's date (a snapshot: everyone who did not leave)."""
    people = tables.employees
    if tables.shape == "snapshot":
        return ~people["left"].astype(bool)
    hired = people["hire_date"].isna() | (people["hire_date"] <= tables.as_of)
    return hired & ~(people["exit_date"] <= tables.as_of).fillna(False).astype(bool)


def _shares(values: pd.Series) -> dict[str, float]:
    """Shares of each value, rounded to 4 decimals, summing to exactly 1."""
    counts = values.dropna().astype(str).value_counts()
    if counts.empty:
        return {}
    return _rounded({str(k): float(v) for k, v in (counts / counts.sum()).items()})


def _rounded(shares: dict[str, float]) -> dict[str, float]:
    keys = list(shares)
    rounded = {k: round(float(shares[k]), 4) for k in keys}
    largest = max(keys, key=lambda k: rounded[k])
    rounded[largest] = round(1.0 - sum(v for k, v in rounded.items() if k != largest), 4)
    return rounded


def _band(salaries: pd.Series) -> dict[str, float] | None:
    values = salaries.dropna()
    if len(values) < MIN_BAND_PEOPLE:
        return None
    low, high = np.percentile(values, [10, 90])
    low = max(BAND_ROUNDING, round(low / BAND_ROUNDING) * BAND_ROUNDING)
    high = max(low, round(high / BAND_ROUNDING) * BAND_ROUNDING)
    return {"min": float(low), "max": float(high)}


def pooled(moments: pd.DataFrame, name: str) -> float | None:
    """The pooled value of the moment ``name`` (a snapshot's one cycle is all there is;
    ``None`` when the data do not give it)."""
    rows = moments[moments["moment"] == name]
    if rows["cycle"].nunique() > 1 or rows["cycle"].isna().any():
        rows = rows[rows["cycle"].isna()]
    if rows.empty or pd.isna(rows["value"].iloc[0]):
        return None
    return float(rows["value"].iloc[0])


def organization_section(
    tables: HrTables, span_default: int, currency: str, notes: list[str]
) -> dict[str, Any]:
    """The ``organization`` section (see the module docstring)."""
    people = tables.employees
    now = people[employed_at(tables).to_numpy()]
    managers = now["manager_id"].dropna()
    is_manager = now["employee_id"].isin(set(managers)).fillna(False).astype(bool)
    counted = now[~is_manager.to_numpy()]
    managers_are_people = bool(is_manager.any())
    headcount = max(2, len(now) if managers_are_people else len(counted))
    if managers.empty:
        span = span_default
        notes.append(f"No manager ids: teams built from the span of control ({span} people each).")
    else:
        span = int(np.clip(round(managers.value_counts().mean()), 2, 200))
    departments = _shares(counted["department"])
    if len(departments) > MAX_DEPARTMENTS:
        kept = dict(sorted(departments.items(), key=lambda kv: -kv[1])[: MAX_DEPARTMENTS - 1])
        kept["Other"] = 1.0 - sum(kept.values())
        departments = _rounded(kept)
    if headcount < 2 * len(departments):  # every department needs a team of two
        notes.append(
            f"Headcount raised from {headcount} to {2 * len(departments)}: the scenario needs "
            "a team of at least two people in every department."
        )
        headcount = 2 * len(departments)
    span = min(span, max(2, headcount // len(departments)))
    section: dict[str, Any] = {
        "name": "Imported organization",
        "headcount": headcount,
        "departments": [{"name": str(k)[:64], "share": v} for k, v in departments.items()],
        "span_of_control": span,
        "include_managers": managers_are_people,
    }
    groups = _shares(counted["group"]) if counted["group"].notna().any() else {}
    if groups:
        section["groups"] = groups
    bands: dict[str, Any] = {"currency": currency}
    everyone = _band(now["salary"])
    for level, who in (
        ("individual_contributor", counted),
        ("manager", now[is_manager.to_numpy()]),
    ):
        band = _band(who["salary"]) or everyone
        if band is not None:
            bands[level] = band
    if len(bands) > 1:
        section["salary_bands"] = bands
    else:
        notes.append(
            f"Fewer than {MIN_BAND_PEOPLE} salaries known: the schema's default salary bands."
        )
    who = (
        "everyone employed at the export's date, managers included (they are people of the "
        "organization; the observed moments leave them out)"
        if managers_are_people
        else "people employed at the export's date (each team has a rater of its own)"
    )
    notes.append(
        f"Headcount {headcount}: {who}; the schema has no tenure field, so tenure is not "
        "carried over."
    )
    return section


def status_quo(tables: HrTables, moments: pd.DataFrame, notes: list[str]) -> dict[str, Any]:
    """The ``status_quo`` policy: the organization's own grade scale and how it is given."""
    grades = list(tables.grades)
    names = [f"grade_share:{g}" for g in grades]
    shares = {g: pooled(moments, n) or 0.0 for g, n in zip(grades, names, strict=True)}
    total = sum(shares.values())
    shares = _rounded({g: s / total for g, s in shares.items()}) if total > 0 else {}
    by_cycle = moments[moments["moment"].isin(names) & moments["cycle"].notna()]
    spread = by_cycle.groupby("moment")["value"].agg(lambda v: v.max() - v.min())
    cycles = by_cycle["cycle"].nunique()
    if shares and cycles >= 2 and float(spread.max()) <= CONSTANT_CURVE:
        notes.append(
            f"status_quo: forced distribution; every grade's share was the same in each of the "
            f"{cycles} cycles within {CONSTANT_CURVE:.0%}."
        )
        return {
            "rating": {
                "scheme": "forced_distribution",
                "shares": shares,
                "ranking_unit": "organization",
            }
        }
    why = (
        "one cycle cannot show a constant curve"
        if cycles < 2
        else f"grade shares moved by up to {float(spread.max()):.1%} between cycles"
    )
    notes.append(
        f"status_quo: absolute ratings ({why}); thresholds give the pooled grade shares "
        "if rating scores are standard normal (an assumption calibration refines)."
    )
    rating: dict[str, Any] = {"scheme": "absolute", "grades": grades}
    if shares:
        rating["thresholds"] = thresholds([shares[g] for g in grades])
    return {"rating": rating}


def thresholds(shares: list[float]) -> list[float]:
    """Minimum standard-normal score per grade but the last, best first, giving ``shares``."""
    above = np.cumsum(shares)[:-1]
    cuts = norm.ppf(1.0 - np.clip(above, 1e-4, 1 - 1e-4))
    result: list[float] = []
    for cut in cuts:  # strictly descending even where a grade has no one
        value = round(float(cut), 3)
        if result and value >= result[-1]:
            value = round(result[-1] - 0.001, 3)
        result.append(value)
    return result


def cycle_weeks(tables: HrTables) -> int:
    """Weeks between reviews: the median spacing of the cycles (52 for one cycle)."""
    ends = pd.Series(tables.cycle_ends)
    if len(ends) < 2:
        return WEEKS_PER_YEAR
    days = ends.diff().dropna().dt.days.median()
    return int(np.clip(round(days / DAYS_PER_WEEK), 4, 104))


def imported_scenario(
    tables: HrTables, moments: pd.DataFrame, *, span_default: int = 8, currency: str = "EUR"
) -> ImportedScenario:
    """The scenario of the imported organization (see the module docstring)."""
    notes: list[str] = [
        f"Shape {tables.shape}; {len(tables.cycle_ends)} review cycle(s) up to "
        f"{tables.as_of.date().isoformat()}."
    ]
    organization = organization_section(tables, span_default, currency, notes)
    policy = status_quo(tables, moments, notes)
    quit_rate = pooled(moments, "voluntary_attrition")
    behaviour: dict[str, Any] = {}
    if quit_rate is not None and math.isfinite(quit_rate):
        behaviour["voluntary_quit_rate"] = round(float(np.clip(quit_rate, 0.0, 1.0)), 4)
    else:
        notes.append("No voluntary attrition in the data: the schema's default quit rate.")
    years = len(tables.cycle_ends)
    if tables.shape == "snapshot":
        # A leaver's rating is the one before they left: the model's snapshot needs the
        # review a year before the export's date as well as the one at it.
        years = max(years, SNAPSHOT_YEARS)
        notes.append(
            f"Snapshot: the model runs {years} yearly cycles and is read as a snapshot at "
            "the last, so that last year's leavers carry the rating they had before leaving."
        )
    data: dict[str, Any] = {
        "name": "imported",
        "description": "The organization of an imported HR export, under its own rating "
        "policy (status_quo).",
        "organization": organization,
        "environment": {"years": years, "weeks_per_cycle": cycle_weeks(tables)},
    }
    if behaviour:
        data["behaviour"] = behaviour
    data["policies"] = {"status_quo": policy}
    data["experiment"] = {"baseline": "status_quo"}
    return ImportedScenario(data, notes)
