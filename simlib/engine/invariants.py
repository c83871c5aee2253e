"""Invariants: facts that must hold in every simulation, checked on request after each review.

Switch the checks on with ``simulate(..., check_invariants=True)``, the environment variable
``SIMLIB_CHECK_INVARIANTS=1`` (inherited by worker processes), or the CLI's ``--debug``.
The test suite always switches them on. A broken invariant raises
:class:`InvariantError` naming the week, the invariant and the offending values: it is a
bug in the model, never bad input.

Checked after every review:

- headcount is between 0 and the number of positions, and matches the active rows;
- shares stay in [0, 1] (engagement, perceived fairness, goal acceptance, gaming, helping,
  sabotage, and share metrics);
- under a forced distribution, the grade counts of every ranking unit are a rounding of its
  quota as the policy's ``rounding`` says, and within a unit a better rating score never
  gets a worse grade;
- the grade shares of a review add up to 1;
- salaries of everyone employed are positive and finite;
- no metric is NaN or infinite (checked as each is recorded).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from simlib.metrics.catalogue import FAMILIES
from simlib.metrics.ledger import Ledger
from simlib.state.simulation_state import SimState

ENV_VAR = "SIMLIB_CHECK_INVARIANTS"

# Metrics that are shares (0–1) or correlations (-1 to 1) whenever they are recorded.
# Workforce columns that are shares (0–1); those a version of the model lacks are skipped.
SHARE_COLUMNS = (
    "engagement",
    "fairness_belief",
    "goal_acceptance",
    "gaming",
    "helping",
    "sabotage",
)
GRADE_SHARE_PREFIX = FAMILIES["grade_share"].name("")  # a share per grade of the scale, sum 1
SHARE_METRICS = ("misclassification", "engagement", "perceived_fairness", "cooperation", "gaming")
CORRELATION_METRICS = ("rating_accuracy", "pay_performance_corr")
TOLERANCE = 1e-9


class InvariantError(AssertionError):
    """A model invariant broke: a bug in simlib, not a problem with the scenario."""


def enabled(flag: bool | None = None) -> bool:
    """Whether to check: an explicit flag wins, else ``SIMLIB_CHECK_INVARIANTS``."""
    if flag is not None:
        return bool(flag)
    return os.environ.get(ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


def _fail(sim: SimState, what: str) -> None:
    raise InvariantError(
        f"invariant broken at week {sim.now:g} (policy {sim.policy_name!r}, rep {sim.rep}, "
        f"seed {sim.seed}): {what}"
    )


def check_workforce(sim: SimState) -> None:
    """Headcount, shares of attitudes and salaries of the current workforce."""
    wf = sim.workforce
    active = wf.active
    headcount = int(np.count_nonzero(active))
    if not 0 <= headcount <= wf.size or wf.headcount != headcount:
        _fail(sim, f"headcount {wf.headcount} outside 0..{wf.size} positions")
    for name in SHARE_COLUMNS:
        values = getattr(wf, name, None)
        if values is None:
            continue
        held = values[active]
        bad = ~((held >= -TOLERANCE) & (held <= 1 + TOLERANCE))
        if bad.any():
            _fail(sim, f"{name} outside [0, 1]: {held[bad][:5].tolist()}")
    salary = wf.salary[active]
    bad = ~(np.isfinite(salary) & (salary > 0))
    if bad.any():
        _fail(sim, f"{int(bad.sum())} salaries not positive: {salary[bad][:5].tolist()}")


def check_grades(sim: SimState, scores: np.ndarray, units: np.ndarray, grades: np.ndarray) -> None:
    """Forced distribution: quotas met in every ranking unit, grades follow scores.

    ``scores``, ``units`` and ``grades`` are those of the rated employees (grade 0 = best).
    Every unit's counts must be a largest-remainder rounding of its quota, recomputed here
    independently of the grading code: each count the whole part of its quota or one more,
    the extra people on the largest fractional parts (on equal parts the better grade, when
    ties go to the better grade), and at least one bottom grade where the policy asks.
    """
    rating = sim.policy.rating
    if getattr(rating, "scheme", "absolute") != "forced_distribution" or len(grades) == 0:
        return
    shares = np.asarray(rating.grade_shares(), dtype=float)
    n_grades = len(shares)
    if grades.min() < 0 or grades.max() >= n_grades:
        _fail(sim, f"grade indices outside 0..{n_grades - 1}")
    unit_ids, inverse, sizes = np.unique(units, return_inverse=True, return_counts=True)
    counts = np.zeros((len(unit_ids), n_grades), dtype=np.int64)
    np.add.at(counts, (inverse, grades), 1)
    rows, first = np.unique(np.column_stack([sizes, counts]), axis=0, return_index=True)
    for row, unit_row in zip(rows, first, strict=True):
        size, got = int(row[0]), row[1:]
        if not _valid_quota(got, size, shares, rating.rounding):
            _fail(
                sim,
                f"ranking unit {unit_ids[unit_row]} of {size} rated got grade counts "
                f"{got.tolist()}, not a rounding of its quota "
                f"{np.round(size * shares, 3).tolist()} ({rating.rounding.ties} ties, "
                f"bottom grade from {rating.rounding.bottom_grade_min_unit})",
            )
    # Within a unit, sorted by score (best first), grades never improve.
    order = np.lexsort((-scores, units))
    same_unit = units[order][1:] == units[order][:-1]
    tied = scores[order][1:] == scores[order][:-1]
    worse_first = grades[order][1:] < grades[order][:-1]
    if np.any(same_unit & ~tied & worse_first):
        _fail(sim, "a lower rating score got a better grade than a higher one in its unit")


def _valid_quota(counts: np.ndarray, size: int, shares: np.ndarray, rounding: Any) -> bool:
    """Whether ``counts`` is a largest-remainder rounding of ``size * shares`` under the
    policy's rounding (allowing for one person moved into the bottom grade)."""
    quota = size * shares
    minimum = rounding.bottom_grade_min_unit
    bottom_rule = minimum is not None and size >= minimum and shares[-1] > 0
    if bottom_rule and counts[-1] == 0:
        return False
    candidates = [counts]
    if bottom_rule and counts[-1] == 1:
        for donor in range(len(counts) - 1):  # the bottom grade's person came from a donor
            undone = counts.copy()
            undone[-1] -= 1
            undone[donor] += 1
            candidates.append(undone)
    return any(_largest_remainder(c, quota, rounding.ties == "better") for c in candidates)


def _largest_remainder(counts: np.ndarray, quota: np.ndarray, better_first: bool) -> bool:
    whole = np.floor(quota + 1e-9)
    extra = counts - whole
    if counts.sum() != round(quota.sum()) or not np.isin(extra, (0, 1)).all():
        return False
    if not extra.any() or extra.all():
        return True
    remainder = np.round(quota - whole, 9)
    cut = remainder[extra == 1].min()
    if remainder[extra == 0].max() > cut:
        return False
    if better_first:  # among equal claims at the cut, the better grades took the places
        at_cut = np.flatnonzero(remainder == cut)
        taken = extra[at_cut] == 1
        return bool(np.all(taken[:-1] >= taken[1:]))
    return True


def check_ledger(sim: SimState, ledger: Ledger) -> None:
    """Every metric recorded so far is finite; shares and correlations within range."""
    grade_share_sums: dict[float, float] = {}
    for week, metric, value in ledger.records():
        if metric.startswith(GRADE_SHARE_PREFIX):
            grade_share_sums[week] = grade_share_sums.get(week, 0.0) + value
            if not -TOLERANCE <= value <= 1 + TOLERANCE:
                _fail(sim, f"share {metric} = {value} outside [0, 1] at week {week:g}")
        if not math.isfinite(value):
            _fail(sim, f"metric {metric} is {value} at week {week:g}")
        if metric in SHARE_METRICS and not -TOLERANCE <= value <= 1 + TOLERANCE:
            _fail(sim, f"share {metric} = {value} outside [0, 1] at week {week:g}")
        if metric in CORRELATION_METRICS and not -1 - TOLERANCE <= value <= 1 + TOLERANCE:
            _fail(sim, f"correlation {metric} = {value} outside [-1, 1] at week {week:g}")
        if metric == "headcount" and not 0 <= value <= sim.workforce.size:
            _fail(sim, f"headcount {value} outside 0..{sim.workforce.size} at week {week:g}")
    for week, total in grade_share_sums.items():
        if abs(total - 1.0) > 1e-6:
            _fail(sim, f"grade shares sum to {total} at week {week:g}, not 1")


def check_review(
    sim: SimState, ledger: Ledger, scores: np.ndarray, units: np.ndarray, grades: np.ndarray
) -> None:
    """All invariants after one review (``scores``, ``units``, ``grades`` of the rated)."""
    check_grades(sim, scores, units, grades)
    check_workforce(sim)
    check_ledger(sim, ledger)


def check_final(sim: SimState, ledger: Ledger) -> None:
    """All state invariants at the horizon."""
    check_workforce(sim)
    check_ledger(sim, ledger)


def refuse_invalid(sim: SimState) -> Callable[[str, float], None]:
    """What the ledger calls on a NaN or infinite metric: an :class:`InvariantError`.

    The ledger skips ``None`` (a metric undefined this cycle, e.g. a correlation of fewer
    than three people); a NaN is a computation gone wrong and must not vanish silently.
    """

    def refuse(metric: str, value: float) -> None:
        _fail(sim, f"metric {metric} computed as {value}")

    return refuse
