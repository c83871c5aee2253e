"""Observed moments: what an HR export shows about turnover, grades and raters, defined once.

:func:`observed_moments` computes the same moments from a user's export and from a
simulation recorded as one (:func:`simlib.hr.panel.record_panel`), so calibration compares
like with like. Every definition is written out, with its formula, in ``docs/hr_moments.md``.

People who manage others (their id appears as someone's ``manager_id``) are the model's
raters, not its employees: they are left out of every moment (their own exits and ratings
included); their reports' ratings still group under them.

The result is tidy: one row per moment and cycle, columns ``moment``, ``value``, ``n`` (the
count in the denominator) and ``cycle`` (1..K, ``<NA>`` for a moment pooled over cycles). A
moment whose denominator is empty (nobody rated a grade, fewer than two managers with three
rated reports) is left out rather than given as NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.hr.tables import (
    CYCLE_END,
    EMPLOYEE_ID,
    EXIT_DATE,
    EXIT_REASON,
    HIRE_DATE,
    INVOLUNTARY,
    LEFT,
    MANAGER_ID,
    RATING,
    SALARY,
    VOLUNTARY,
    HrTables,
)

COLUMNS = ("moment", "value", "n", "cycle")
MIN_RATED_REPORTS = 3  # a manager's mean rating counts with at least this many rated reports

Row = tuple[str, float, int, int | None]


def observed_moments(tables: HrTables) -> pd.DataFrame:
    """The observed moments of ``tables`` (history or snapshot shape), one row per moment
    and cycle: ``moment``, ``value``, ``n`` (denominator count), ``cycle`` (Int64, NA =
    pooled over cycles). See ``docs/hr_moments.md`` for each definition."""
    if tables.shape == "snapshot":
        rows = _snapshot_moments(tables)
    else:
        rows = _history_moments(tables)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype({"moment": "string", "value": "float64", "n": "int64", "cycle": "Int64"})


def employees_not_managing(employees: pd.DataFrame) -> pd.DataFrame:
    """The rows of people whose id is nobody's ``manager_id`` (managers are raters)."""
    managers = employees[MANAGER_ID].dropna().unique()
    if len(managers) == 0:
        return employees
    return employees[~employees[EMPLOYEE_ID].isin(managers).to_numpy(dtype=bool, na_value=False)]


def grade_ranks(ratings: pd.Series, grades: tuple[str, ...]) -> np.ndarray:
    """Each rating's rank on the scale, 1 = best (0 where missing)."""
    codes = pd.Categorical(ratings.astype(object), categories=list(grades)).codes
    return (codes + 1).astype(np.int64)


# --- history -------------------------------------------------------------------------------


def _history_moments(tables: HrTables) -> list[Row]:
    assert tables.reviews is not None
    grades = tables.grades
    employees = employees_not_managing(tables.employees)
    ids = pd.Index(employees[EMPLOYEE_ID].astype(object))
    reviews = tables.reviews
    person = ids.get_indexer(reviews[EMPLOYEE_ID].astype(object))
    reviews = reviews[person >= 0]
    person = person[person >= 0]
    cycles = np.sort(reviews[CYCLE_END].unique().to_numpy(dtype="datetime64[ns]"))
    cycle = np.searchsorted(cycles, reviews[CYCLE_END].to_numpy(dtype="datetime64[ns]"))
    n_people, n_cycles = len(ids), len(cycles)

    # rank[p, k]: person p's grade rank at cycle k (1 = best, 0 = not rated).
    rank = np.zeros((n_people, n_cycles), dtype=np.int64)
    rank[person, cycle] = grade_ranks(reviews[RATING], grades)
    salary = None
    if SALARY in reviews.columns:
        salary = np.full((n_people, n_cycles), np.nan)
        salary[person, cycle] = reviews[SALARY].to_numpy(dtype=float, na_value=np.nan)

    hire = employees[HIRE_DATE].to_numpy(dtype="datetime64[ns]")
    exit_ = employees[EXIT_DATE].to_numpy(dtype="datetime64[ns]")
    reason = employees[EXIT_REASON]
    quit_ = (reason == VOLUNTARY).to_numpy(dtype=bool, na_value=False)
    let_go = (reason == INVOLUNTARY).to_numpy(dtype=bool, na_value=False)

    rows: list[Row] = []
    rows += _attrition(cycles, hire, exit_, quit_, "voluntary_attrition")
    rows += _attrition(cycles, hire, exit_, let_go, "involuntary_attrition")
    rows += _attrition_by_grade(cycles, rank, hire, exit_, quit_, grades)
    rows += _grade_shares(rank, grades)
    rows += _stability(rank)
    manager = pd.factorize(employees[MANAGER_ID].astype(object), use_na_sentinel=True)[0]
    rows += _manager_spread(rank, manager)
    if salary is not None:
        rows += _raises(rank, salary, grades)
    return rows


def _employed_at(day: np.datetime64, hire: np.ndarray, exit_: np.ndarray) -> np.ndarray:
    """Employed at ``day``: hired on or before it and not left on or before it (NaT hire:
    unknown, not counted; NaT exit: still employed)."""
    return (hire <= day) & ~(exit_ <= day)


def _attrition(
    cycles: np.ndarray, hire: np.ndarray, exit_: np.ndarray, leaving: np.ndarray, name: str
) -> list[Row]:
    known = hire[~np.isnat(hire)]
    if len(known) == 0:
        return []
    earliest = known.min()
    rows: list[Row] = []
    exits = heads = 0
    for k, end in enumerate(cycles, start=1):
        start = np.datetime64(pd.Timestamp(end) - pd.DateOffset(years=1), "ns")
        if start < earliest:
            continue
        head = int(np.count_nonzero(_employed_at(start, hire, exit_)))
        left = int(np.count_nonzero(leaving & (exit_ > start) & (exit_ <= end)))
        if head:
            rows.append((name, left / head, head, k))
            exits += left
            heads += head
    if heads:
        rows.append((name, exits / heads, heads, None))
    return rows


def _attrition_by_grade(
    cycles: np.ndarray,
    rank: np.ndarray,
    hire: np.ndarray,
    exit_: np.ndarray,
    quit_: np.ndarray,
    grades: tuple[str, ...],
) -> list[Row]:
    rows: list[Row] = []
    for g, grade in enumerate(grades, start=1):
        name = f"voluntary_attrition_by_grade:{grade}"
        quits = total = 0
        for k in range(1, len(cycles)):
            before, end = cycles[k - 1], cycles[k]
            at_risk = (rank[:, k - 1] == g) & _employed_at(before, hire, exit_)
            n = int(np.count_nonzero(at_risk))
            if n == 0:
                continue
            q = int(np.count_nonzero(at_risk & quit_ & (exit_ > before) & (exit_ <= end)))
            rows.append((name, q / n, n, k + 1))
            quits += q
            total += n
        if total:
            rows.append((name, quits / total, total, None))
    return rows


def _grade_shares(rank: np.ndarray, grades: tuple[str, ...]) -> list[Row]:
    rated = np.count_nonzero(rank > 0, axis=0)
    counts = np.stack([np.count_nonzero(rank == g, axis=0) for g in range(1, len(grades) + 1)])
    rows: list[Row] = []
    for g, grade in enumerate(grades):
        name = f"grade_share:{grade}"
        for k in range(rank.shape[1]):
            if rated[k]:
                rows.append((name, counts[g, k] / rated[k], int(rated[k]), k + 1))
        if rated.sum():
            rows.append((name, counts[g].sum() / rated.sum(), int(rated.sum()), None))
    return rows


def _stability(rank: np.ndarray) -> list[Row]:
    rows: list[Row] = []
    values, pairs = [], 0
    for k in range(1, rank.shape[1]):
        both = (rank[:, k - 1] > 0) & (rank[:, k] > 0)
        n = int(np.count_nonzero(both))
        r = _pearson(rank[both, k - 1], rank[both, k])
        if np.isnan(r):
            continue
        rows.append(("rating_stability", r, n, k + 1))
        values.append(r)
        pairs += n
    if values:
        rows.append(("rating_stability", float(np.mean(values)), pairs, None))
    return rows


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2:
        return float("nan")
    x = x - x.mean()
    y = y - y.mean()
    scale = np.sqrt((x * x).sum() * (y * y).sum())
    return float((x * y).sum() / scale) if scale > 0 else float("nan")


def _manager_spread(rank: np.ndarray, manager: np.ndarray) -> list[Row]:
    """Per cycle, the SD across managers (≥ 3 rated reports) of their reports' mean rank."""
    n_managers = int(manager.max()) + 1 if len(manager) else 0
    rows: list[Row] = []
    values, managers = [], 0
    for k in range(rank.shape[1]):
        rated = (rank[:, k] > 0) & (manager >= 0)
        counts = np.bincount(manager[rated], minlength=n_managers)
        sums = np.bincount(manager[rated], weights=rank[rated, k], minlength=n_managers)
        kept = counts >= MIN_RATED_REPORTS
        m = int(np.count_nonzero(kept))
        if m < 2:
            continue
        sd = float(np.std(sums[kept] / counts[kept], ddof=1))
        rows.append(("manager_mean_rating_sd", sd, m, k + 1))
        values.append(sd)
        managers += m
    if values:
        rows.append(("manager_mean_rating_sd", float(np.mean(values)), managers, None))
    return rows


def _raises(rank: np.ndarray, salary: np.ndarray, grades: tuple[str, ...]) -> list[Row]:
    rows: list[Row] = []
    for g, grade in enumerate(grades, start=1):
        name = f"raise_by_grade:{grade}"
        total, n_total = 0.0, 0
        for k in range(1, rank.shape[1]):
            pair = (rank[:, k - 1] == g) & (rank[:, k] > 0)
            pair &= ~np.isnan(salary[:, k - 1]) & ~np.isnan(salary[:, k])
            n = int(np.count_nonzero(pair))
            if n == 0:
                continue
            raises = salary[pair, k] / salary[pair, k - 1] - 1.0
            rows.append((name, float(raises.mean()), n, k + 1))
            total += float(raises.sum())
            n_total += n
        if n_total:
            rows.append((name, total / n_total, n_total, None))
    return rows


# --- snapshot ------------------------------------------------------------------------------


def _snapshot_moments(tables: HrTables) -> list[Row]:
    """One cycle (cycle 1 = ``as_of``): the flag ``left`` is read as a voluntary leaver in
    the last year, and everyone employed a year ago is in the table (still employed or
    left), so attrition is the share of rows with ``left``."""
    grades = tables.grades
    employees = employees_not_managing(tables.employees)
    rank = grade_ranks(employees[RATING], grades)
    left = employees[LEFT].to_numpy(dtype=bool)
    n = len(employees)
    rows: list[Row] = []
    if n:
        rows.append(("voluntary_attrition", float(left.mean()), n, 1))
    for g, grade in enumerate(grades, start=1):
        rated_g = rank == g
        m = int(np.count_nonzero(rated_g))
        if m:
            name = f"voluntary_attrition_by_grade:{grade}"
            rows.append((name, float(left[rated_g].mean()), m, 1))
    rated = int(np.count_nonzero(rank > 0))
    if rated:
        for g, grade in enumerate(grades, start=1):
            share = np.count_nonzero(rank == g) / rated
            rows.append((f"grade_share:{grade}", share, rated, 1))
    if employees[MANAGER_ID].notna().any():
        manager = pd.factorize(employees[MANAGER_ID].astype(object), use_na_sentinel=True)[0]
        spread = _manager_spread(rank[:, None], manager)
        rows += [row for row in spread if row[3] is not None]
    return rows
