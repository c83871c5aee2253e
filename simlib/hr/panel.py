"""A simulated organization recorded as an HR export, in the canonical tables.

:func:`record_panel` runs the model once with an observer (a mechanism that only reads) and
writes what an HR system would hold: everyone employed at any time, with hire and exit dates
and the reason they left, their department, team manager, group and salary; and every
review's grade with the salary at that review. :func:`to_snapshot` turns such a history into
the snapshot shape. The observed moments of the data and of the model then come from one
function, :func:`simlib.hr.moments.observed_moments`.

How the model's events become records:

- a person is a position's occupant from a hire to an exit: the model reuses a vacant
  position for the next hire, so a person is a position and a hire week, and each gets a
  synthetic id of their own (``E000123``, in order of hire), never reused;
- quits are ``voluntary`` exits; layoffs, discharges and the policy's exits (bottom grades,
  failed PIPs) are ``involuntary``;
- a model year of 52 weeks is a calendar year: week ``w`` is the date ``start`` plus
  ``w / 52`` years, to the day (see :func:`_dates`), so yearly reviews fall on one date each
  year; people already employed at week 0 were hired before ``start``;
- a team's manager is the person holding its manager position (when managers are
  modelled: at the report's exit or at the horizon, the last holder if it was vacant then);
  a team whose rater is not modelled as a person has a manager id of its own (``M00012``,
  the team's number), and the managers' own team answers to its department head
  (``H001``). Managers therefore appear as someone's ``manager_id`` and the moments leave
  them out as raters;
- ``salary`` is yearly; in the reviews it is the salary at the review, before the raise the
  review brings; in the employees table it is the salary at the exit or at the horizon.

Everything is recorded in arrays at the reviews and exits (loops over reviews and exit
events, never over people).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib.hr.tables import (
    CYCLE_END,
    DEPARTMENT,
    EMPLOYEE_ID,
    EXIT_DATE,
    EXIT_REASON,
    GROUP,
    HIRE_DATE,
    INVOLUNTARY,
    LEFT,
    MANAGER_ID,
    RATING,
    SALARY,
    TENURE_YEARS,
    VOLUNTARY,
    HrTables,
    make_tables,
)
from simlib.mechanisms.base import Mechanism, Step
from simlib.scenario.definition import Scenario
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.state.simulation_state import Review, SimState

START = pd.Timestamp("2022-01-03")  # a Monday
DAYS_PER_YEAR = 365.25


@dataclass
class ReviewRecords:
    """What the observer keeps of each review: who was rated, their grade and salary."""

    weeks: list[float] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    hired_week: list[np.ndarray] = field(default_factory=list)
    grades: list[np.ndarray] = field(default_factory=list)
    salary: list[np.ndarray] = field(default_factory=list)
    # How many had left when each review was done: a later exit of the review's week (an
    # exit check's quit or layoff) came after the review, the next day in the export.
    departed: list[int] = field(default_factory=list)

    def keep(self, sim: SimState, review: Review) -> None:
        rated = review.rated
        self.departed.append(len(sim.turnover.departures or ()))
        self.weeks.append(sim.now)
        self.rows.append(rated.copy())
        self.hired_week.append(review.rated_people.copy())
        self.grades.append(review.grades[rated].copy())
        self.salary.append(sim.workforce.salary[rated].copy())

    def start(self, sim: SimState) -> None:
        sim.turnover.departures = []  # every leaver, as they leave (see exits.leave)

    def mechanism(self) -> Mechanism:
        return Mechanism(
            "hr_panel",
            steps=(Step("start", self.start), Step("review", self.keep)),
            summary="records the organization as an HR export (an observer)",
            observer=True,
        )


def record_panel(
    scenario: Scenario,
    policy: str | None = None,
    seed: int | None = None,
    rep: int = 0,
    *,
    start: pd.Timestamp = START,
    neutral_quit_rate: float | None = None,
) -> HrTables:
    """Run ``policy`` (default: the scenario's baseline) once and record it as an HR export.

    Parameters
    ----------
    scenario
        A validated scenario.
    policy, seed, rep
        As :func:`simlib.engine.simulation.simulate` (seed default: the scenario's).
    start
        The date of week 0.
    neutral_quit_rate
        The quit hazard's intercept (default: solved so the status quo realises the
        scenario's ``behaviour.voluntary_quit_rate``; pass it to skip the solve).

    Returns
    -------
    HrTables
        The history shape; ``as_of`` is the horizon's date (the day after, when people
        left after a review at the horizon).
    """
    from simlib.engine.simulation import Simulation
    from simlib.mechanisms.registry import MECHANISMS

    policy = scenario.baseline if policy is None else policy
    seed = scenario.experiment.seed if seed is None else seed
    records = ReviewRecords()
    sim = Simulation(
        scenario,
        policy,
        seed,
        rep,
        mechanisms=(*MECHANISMS, records.mechanism()),
        neutral_quit_rate=neutral_quit_rate,
    )
    sim.run_calendar()
    return recorded_tables(sim, records, pd.Timestamp(start))


def _dates(start: pd.Timestamp, weeks: np.ndarray) -> np.ndarray:
    """Week numbers as dates (``datetime64[ns]``), to the day (NaN weeks: NaT).

    A model year of 52 weeks is one calendar year: week ``52 y + f`` is the ``y``-th
    anniversary of ``start`` plus the share ``f / 52`` of the year that follows it. So a
    yearly review falls on the same date every year, as in an HR system, and the year
    before one review ends exactly at the one before it.
    """
    weeks = np.asarray(weeks, dtype=float)
    known = ~np.isnan(weeks)
    out = np.full(len(weeks), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not known.any():
        return out
    year = np.floor(weeks[known] / WEEKS_PER_YEAR).astype(np.int64)
    first = int(year.min())
    anniversaries = _anniversaries(start, first, int(year.max()) + 1)
    begin = anniversaries[year - first]
    length = (anniversaries[year - first + 1] - begin).astype(np.int64)  # days
    share = weeks[known] / WEEKS_PER_YEAR - year
    days = np.floor(share * length + 1e-9).astype(np.int64)
    out[known] = begin + days.astype("timedelta64[D]")
    return out


def _anniversaries(start: pd.Timestamp, first: int, last: int) -> np.ndarray:
    """The anniversaries of ``start`` from year ``first`` to ``last`` (days)."""
    return np.array(
        [(start + pd.DateOffset(years=y)).to_datetime64() for y in range(first, last + 1)],
        dtype="datetime64[D]",
    )


def recorded_tables(sim: SimState, records: ReviewRecords, start: pd.Timestamp = START) -> HrTables:
    """The HR tables of a finished run that kept ``records`` (its observer's)."""
    wf = sim.workforce
    chart = wf.chart
    departures = sim.turnover.departures or []
    still = np.flatnonzero(wf.active)
    # Everyone employed at any time: the leavers, as they left, and those still employed.
    sizes = np.array([len(d.rows) for d in departures], dtype=np.int64)
    event_week = np.array([d.week for d in departures], dtype=float)
    n_left = int(sizes.sum())

    def joined(leavers: list[np.ndarray], stayers: np.ndarray) -> np.ndarray:
        return np.concatenate([*leavers, stayers]) if leavers else stayers

    rows = joined([d.rows for d in departures], still).astype(np.int64)
    hired = joined([d.hired_week for d in departures], wf.hired_week[still]).astype(float)
    left_week = np.concatenate([np.repeat(event_week, sizes), np.full(len(still), np.nan)])
    voluntary = np.concatenate(
        [
            np.repeat([d.voluntary for d in departures], sizes).astype(bool),
            np.zeros(len(still), bool),
        ]
    )
    salary = joined([_of(d.salary, d.rows) for d in departures], wf.salary[still])
    group = joined([_of(d.group, d.rows, -1) for d in departures], wf.group[still])
    after = np.zeros(len(rows), dtype=np.int64)
    after[:n_left] = np.repeat(_after_review(records, event_week), sizes)
    # Ids in order of hire (then position): synthetic, one per person.
    order = np.lexsort((rows, hired))
    rows, hired, left_week, voluntary = (
        rows[order],
        hired[order],
        left_week[order],
        voluntary[order],
    )
    salary, group, after = salary[order], group[order].astype(np.int64), after[order]
    ids = _ids("E", np.arange(1, len(rows) + 1), 6)

    team = chart.team[rows]
    department = chart.team_department[team]
    manager = np.where(
        chart.team_is_management[team], _ids("H", department + 1, 3), _ids("M", team + 1, 5)
    )
    holder = _holders(rows, hired, chart.team_manager[team], left_week, float(sim.now))
    manager[holder >= 0] = ids[holder[holder >= 0]]
    groups = np.array([*sim.scenario.organization.groups, None], dtype=object)
    reason = np.array([None, INVOLUNTARY, VOLUNTARY], dtype=object)
    gone = ~np.isnan(left_week)
    exit_date = _dates(start, left_week) + after.astype("timedelta64[D]")
    employees = pd.DataFrame(
        {
            EMPLOYEE_ID: _strings(ids),
            MANAGER_ID: _strings(manager),
            DEPARTMENT: _strings(np.array(chart.department_names, dtype=object)[department]),
            HIRE_DATE: _dates(start, hired),
            EXIT_DATE: exit_date.astype("datetime64[ns]"),
            EXIT_REASON: _strings(reason[gone.astype(np.int64) + (gone & voluntary)]),
            SALARY: salary.astype(float),
            GROUP: _strings(groups[group]),
        }
    )
    grades = tuple(sim.policy.rating.grades)
    reviews = _reviews(records, rows, hired, ids, grades, start)
    # The horizon's date, or the day after when people left after the last review.
    as_of = max(
        pd.Timestamp(_dates(start, np.array([float(sim.scenario.environment.weeks)]))[0]),
        pd.Timestamp(employees[EXIT_DATE].max()) if gone.any() else pd.Timestamp.min,
    )
    return HrTables(employees, reviews, grades, as_of, "history")


def _strings(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Values as the tables' string column (missing: ``None``)."""
    return pd.array(values, dtype=pd.StringDtype("python"))


def _ids(prefix: str, numbers: np.ndarray, digits: int) -> np.ndarray:
    """``prefix`` and each number zero-padded to ``digits``, as Python strings."""
    return np.char.add(prefix, np.char.zfill(numbers.astype(str), digits)).astype(object)


def _after_review(records: ReviewRecords, event_week: np.ndarray) -> np.ndarray:
    """For each departure event (in order), whether it came after a review of its week."""
    out = np.zeros(len(event_week), dtype=bool)
    if not records.weeks or len(event_week) == 0:
        return out
    weeks = np.asarray(records.weeks)
    at = np.minimum(np.searchsorted(weeks, event_week), len(weeks) - 1)
    same_week = weeks[at] == event_week
    return same_week & (np.arange(len(event_week)) >= np.asarray(records.departed)[at])


def _holders(
    rows: np.ndarray, hired: np.ndarray, position: np.ndarray, left: np.ndarray, now: float
) -> np.ndarray:
    """For each person, the index of who held ``position`` (a row; -1: none asked) when the
    person left, or at ``now`` for those still employed: the latest hired by then, else
    the position's first holder."""
    out = np.full(len(rows), -1, dtype=np.int64)
    asks = np.flatnonzero(position >= 0)
    if len(asks) == 0 or len(rows) == 0:
        return out
    # One sorted key per person: position, then hire week within it.
    low, high = float(hired.min()), float(hired.max())
    span = high - low + 1.0
    by_key = np.lexsort((hired, rows))
    keys = rows[by_key] * span + (hired[by_key] - low)
    at = position[asks]
    when = np.where(np.isnan(left[asks]), now, left[asks])
    asked = at * span + (np.clip(when, low - 0.5, high) - low)
    first = np.searchsorted(keys, at * span - 0.5)  # the position's first holder
    latest = np.searchsorted(keys, asked, side="right") - 1
    pick = np.maximum(latest, first)
    held = (pick < len(keys)) & (rows[by_key][np.minimum(pick, len(keys) - 1)] == at)
    out[asks[held]] = by_key[pick[held]]
    return out


def _of(values: np.ndarray | None, rows: np.ndarray, missing: float = np.nan) -> np.ndarray:
    return np.full(len(rows), missing) if values is None else values


def _reviews(
    records: ReviewRecords,
    rows: np.ndarray,
    hired: np.ndarray,
    ids: np.ndarray,
    grades: tuple[str, ...],
    start: pd.Timestamp,
) -> pd.DataFrame:
    """One row per person and review: the person found by position and hire week."""
    sizes = np.array([len(r) for r in records.rows], dtype=np.int64)
    if sizes.sum() == 0:
        who = np.zeros(0, dtype=np.int64)
        weeks, grade, salary = np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0)
    else:
        low = float(min(hired.min(), min(h.min() for h in records.hired_week if len(h))))
        span = float(max(hired.max(), max(h.max() for h in records.hired_week if len(h)))) - low
        span += 1.0
        keys = rows * span + (hired - low)
        by_key = np.argsort(keys, kind="stable")
        asked = np.concatenate(records.rows) * span + (np.concatenate(records.hired_week) - low)
        at = np.minimum(np.searchsorted(keys[by_key], asked), len(keys) - 1)
        if not (keys[by_key][at] == asked).all():  # pragma: no cover - all rated were employed
            raise RuntimeError("a rated person is missing from the recorded employees")
        who = by_key[at]
        weeks = np.repeat(np.asarray(records.weeks, dtype=float), sizes)
        grade = np.concatenate(records.grades)
        salary = np.concatenate(records.salary)
    return pd.DataFrame(
        {
            EMPLOYEE_ID: _strings(ids[who]),
            CYCLE_END: _dates(start, weeks),
            RATING: _strings(np.asarray(grades, dtype=object)[grade]),
            SALARY: salary.astype(float),
        }
    )


def to_snapshot(tables: HrTables) -> HrTables:
    """A recorded history in the snapshot shape at ``tables.as_of``.

    The rows are everyone employed at ``as_of`` and everyone who quit in the year before it
    (a snapshot export: today's staff and last year's leavers; see docs/hr_moments.md).
    Each row's ``rating`` is their latest rating on or before ``as_of`` (for a leaver, before
    they left: missing if never rated), ``left`` says they quit in the last year, and
    ``tenure_years`` runs from the hire to ``as_of`` or to the exit.
    """
    if tables.shape == "snapshot":
        return tables
    assert tables.reviews is not None
    emp = tables.employees
    as_of = tables.as_of
    year_ago = as_of - pd.DateOffset(years=1)
    exit_ = emp[EXIT_DATE]
    employed = (emp[HIRE_DATE] <= as_of) & ~(exit_ <= as_of)
    quit_ = (emp[EXIT_REASON] == VOLUNTARY).fillna(False) & (exit_ > year_ago) & (exit_ <= as_of)
    rows = emp[(employed | quit_).to_numpy(dtype=bool)]
    reviews = tables.reviews[tables.reviews[CYCLE_END] <= as_of]
    latest = reviews.sort_values(CYCLE_END).groupby(EMPLOYEE_ID, sort=False)[RATING].last()
    until = rows[EXIT_DATE].where(rows[EXIT_DATE].notna() & (rows[EXIT_DATE] <= as_of), as_of)
    snapshot = rows.assign(
        **{
            RATING: rows[EMPLOYEE_ID].map(latest),
            TENURE_YEARS: (until - rows[HIRE_DATE]).dt.days / DAYS_PER_YEAR,
            LEFT: quit_[rows.index].to_numpy(dtype=bool),
        }
    )
    return make_tables(snapshot, None, tables.grades, as_of, "snapshot")
