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
- under a forced distribution, the grade counts of every ranking unit match its quota, and
  within a unit a better rating score never gets a worse grade;
- salaries of everyone employed are positive and finite;
- no metric is NaN or infinite (checked as each is recorded).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

import numpy as np

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
    The quota is recomputed here by largest remainder, independently of the grading code.
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
    for size in np.unique(sizes):
        expected = _largest_remainder(int(size), shares)
        wrong = (sizes == size) & np.any(counts != expected, axis=1)
        if wrong.any():
            unit = unit_ids[np.flatnonzero(wrong)[0]]
            got = counts[np.flatnonzero(wrong)[0]].tolist()
            _fail(
                sim,
                f"ranking unit {unit} of {size} rated got grade counts {got}, "
                f"quota {expected.tolist()}",
            )
    # Within a unit, sorted by score (best first), grades never improve.
    order = np.lexsort((-scores, units))
    same_unit = units[order][1:] == units[order][:-1]
    tied = scores[order][1:] == scores[order][:-1]
    worse_first = grades[order][1:] < grades[order][:-1]
    if np.any(same_unit & ~tied & worse_first):
        _fail(sim, "a lower rating score got a better grade than a higher one in its unit")


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    quotas = total * shares
    counts = np.floor(quotas + 1e-9).astype(np.int64)
    order = sorted(range(len(shares)), key=lambda g: (-(quotas[g] - counts[g]), g))
    for g in order[: total - int(counts.sum())]:
        counts[g] += 1
    return counts


def check_ledger(sim: SimState, ledger: Ledger) -> None:
    """Every metric recorded so far is finite; shares and correlations within range."""
    for week, metric, value in ledger.records():
        if not math.isfinite(value):
            _fail(sim, f"metric {metric} is {value} at week {week:g}")
        if metric in SHARE_METRICS and not -TOLERANCE <= value <= 1 + TOLERANCE:
            _fail(sim, f"share {metric} = {value} outside [0, 1] at week {week:g}")
        if metric in CORRELATION_METRICS and not -1 - TOLERANCE <= value <= 1 + TOLERANCE:
            _fail(sim, f"correlation {metric} = {value} outside [-1, 1] at week {week:g}")
        if metric == "headcount" and not 0 <= value <= sim.workforce.size:
            _fail(sim, f"headcount {value} outside 0..{sim.workforce.size} at week {week:g}")


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
