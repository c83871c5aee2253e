"""Grading: rating scores become grades, by absolute thresholds or a forced distribution.

Forced distribution ranks the rated employees of each ranking unit (team, department or the
whole organization) by rating score and hands out grades by the policy's shares. A unit of
``n`` rated people has a quota of ``n * share`` people per grade; the policy's ``rounding``
turns it into whole people:

- largest remainder: every grade gets the whole part of its quota, and the people left over
  go to the grades with the largest fractional parts, so each count is the whole number
  next to its quota and the unit's counts add up to ``n``;
- ``bottom_grade_min_unit`` (optional): a unit of at least that many rated people gives
  at least one of them the bottom grade, taken from the grade rounded furthest above its
  quota (the largest grade when no grade is);
- ``ties``: grades with an equal claim on a unit's last people (equal fractional parts),
  and equal scores straddling a grade boundary, are settled at random (``random``, from the
  ``grading_ties`` stream) or in favour of the better grade and the earlier position
  (``better``).

The random keys are drawn for every team and position at each review whatever the policy
(an aligned stream), so two policies compared on the same people break ties alike.

The *bottom grades* of a review, which misclassification and the 9-box read, are the lowest
grades that together hold at most 20% of the graded people (:func:`bottom_grades`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from simlib.mechanisms.base import Mechanism
from simlib.scenario.rating import QuotaRounding, RatingPolicy
from simlib.state.simulation_state import SimState

# Share of people the "bottom" and the "top" of a review stand for (misclassification counts
# the true top 20% graded in the bottom 20%).
BOTTOM_SHARE = 0.20
TIES_STREAM = "grading_ties"
_EPS = 1e-9  # quotas within this of a whole number are whole; remainders this close tie
_UINT16_MAX = int(np.iinfo(np.uint16).max)


@dataclass(frozen=True)
class TieDraws:
    """Random keys that settle ties at a review (uniform 0–1; lower key wins).

    ``grade_keys[u, g]`` orders grade g among the grades of equal claim in the unit labelled
    u; ``score_keys[i]`` orders rated employee i among equal scores in their unit.
    """

    grade_keys: np.ndarray
    score_keys: np.ndarray


def unit_quotas(
    sizes: np.ndarray,
    shares: list[float] | np.ndarray,
    rounding: QuotaRounding | None = None,
    grade_keys: np.ndarray | None = None,
) -> np.ndarray:
    """Grade counts of units of the given sizes: ``table[i, g]`` people get grade g (0 = best).

    ``grade_keys`` (one row per unit) break equal remainders; without them the better
    grade wins.
    """
    rounding = rounding or QuotaRounding()
    sizes = np.asarray(sizes, dtype=np.int64)
    share = np.asarray(shares, dtype=float)
    quota = sizes[:, None] * share[None, :]
    counts = np.floor(quota + _EPS).astype(np.int64)
    remainder = np.round(quota - counts, 9)  # equal claims compare equal
    short = sizes - counts.sum(axis=1)
    n_units, n_grades = counts.shape
    keys = (
        np.broadcast_to(np.arange(n_grades, dtype=float), counts.shape)
        if grade_keys is None
        else grade_keys
    )
    order = np.lexsort((keys, -remainder), axis=-1)  # largest remainder first, then key
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(n_grades), order.shape), axis=1)
    counts += rank < short[:, None]
    minimum = rounding.bottom_grade_min_unit
    if minimum is not None and share[-1] > 0:
        need = np.flatnonzero((sizes >= minimum) & (counts[:, -1] == 0))
        if len(need):
            over = np.round(counts[need] - quota[need], 9)
            over[:, -1] = -np.inf
            over[counts[need] == 0] = -np.inf
            # The grade rounded furthest above its quota gives; on equal terms the largest.
            donor = np.lexsort((counts[need], over), axis=-1)[:, -1]
            counts[need, donor] -= 1
            counts[need, -1] += 1
    return counts


def absolute_grades(scores: np.ndarray, thresholds: list[float]) -> np.ndarray:
    """Grade index (0 = best) of each score against descending minimum scores."""
    cuts = -np.asarray(thresholds)  # ascending
    return np.searchsorted(cuts, -scores, side="left").astype(np.int64)


def forced_grades(
    scores: np.ndarray,
    units: np.ndarray,
    shares: list[float],
    rounding: QuotaRounding | None = None,
    draws: TieDraws | None = None,
) -> np.ndarray:
    """Grade index of each score, ranked within ``units`` and handed out by ``shares``.

    ``units`` are non-negative unit labels; ``draws`` settle ties at random (without them
    the better grade and the earlier position win).
    """
    n = len(scores)
    grades = np.empty(n, dtype=np.int64)
    if n == 0:
        return grades
    # Best score first, then a stable sort by unit keeps that order within units (numpy
    # radix-sorts 16-bit keys, far faster than 64-bit ones). Equal scores, rare with
    # continuous ratings, are put in key or position order only when there are any.
    by_score = np.argsort(-scores)
    ordered = scores[by_score]
    if np.any(ordered[1:] == ordered[:-1]):
        keys = np.arange(n) if draws is None else draws.score_keys
        by_score = np.lexsort((keys, -scores))
    unit_keys = units[by_score]
    if unit_keys.min() >= 0 and unit_keys.max() <= _UINT16_MAX:
        unit_keys = unit_keys.astype(np.uint16)
    order = by_score[np.argsort(unit_keys, kind="stable")]
    sorted_units = units[order]
    starts = np.concatenate(([0], np.flatnonzero(sorted_units[1:] != sorted_units[:-1]) + 1))
    sizes = np.diff(np.append(starts, n))
    # The same quota for every unit of a size, unless random keys settle a tie in it.
    unique, inverse = np.unique(sizes, return_inverse=True)
    table, keys_matter = _quota_plan(tuple(unique.tolist()), tuple(shares), rounding)
    if draws is not None and keys_matter[inverse].any():
        table = unit_quotas(sizes, shares, rounding, draws.grade_keys[sorted_units[starts]])
    else:
        table = table[inverse]
    # A person's grade is the number of the unit's cumulative grade counts their place in
    # the unit has reached, counted one grade at a time (a loop over grades, not people).
    position = np.arange(n) - np.repeat(starts, sizes)
    unit_cum = np.cumsum(table, axis=1)
    reached = np.zeros(n, dtype=np.int64)
    for cut in unit_cum.T:
        reached += position >= np.repeat(cut, sizes)
    grades[order] = reached
    return grades


@functools.lru_cache(maxsize=256)
def _quota_plan(
    sizes: tuple[int, ...], shares: tuple[float, ...], rounding: QuotaRounding | None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`unit_quotas` of units of these sizes without tie keys (kept: reviews meet the
    same sizes), and for each size whether keys could change it: whether the grades
    competing for its last people include equal remainders across the cut."""
    size = np.array(sizes, dtype=np.int64)
    table = unit_quotas(size, list(shares), rounding)
    quota = size[:, None] * np.asarray(shares, dtype=float)[None, :]
    counts = np.floor(quota + _EPS).astype(np.int64)
    remainder = -np.sort(-np.round(quota - counts, 9), axis=1)  # largest first
    short = size - counts.sum(axis=1)
    keys_matter = np.zeros(len(size), dtype=bool)
    for i, cut in enumerate(short.tolist()):
        if 0 < cut < remainder.shape[1]:
            keys_matter[i] = remainder[i, cut - 1] == remainder[i, cut]
    for array in (table, keys_matter):
        array.setflags(write=False)
    return table, keys_matter


def assign_grades(
    scores: np.ndarray,
    units: np.ndarray,
    rating: RatingPolicy,
    draws: TieDraws | None = None,
) -> np.ndarray:
    """Grades (0 = best) for the rated employees, whose scores and ranking units are given."""
    if rating.scheme == "absolute":
        return absolute_grades(scores, rating.grade_thresholds())
    return forced_grades(scores, units, rating.grade_shares(), rating.rounding, draws)


def draws_ties(rating: RatingPolicy) -> bool:
    return rating.scheme == "forced_distribution" and rating.rounding.ties == "random"


def tie_draws(sim: SimState, rated: np.ndarray) -> TieDraws | None:
    """This review's random tie keys for the rated rows, if the policy breaks ties at random.

    Draws one key per team and grade and one per position, whatever the ranking unit, so
    the stream stays aligned across policies (unit labels never exceed the team count). In
    a pilot's mixed run, when either arm breaks ties at random.
    """
    rating = sim.policy.rating
    arms = sim.pilot_arms
    if arms is not None and any(draws_ties(p.rating) for p, _ in arms.each()):
        rating = next(p.rating for p, _ in arms.each() if draws_ties(p.rating))
    if not draws_ties(rating):
        return None
    rng = sim.streams[TIES_STREAM]
    n_teams = len(sim.workforce.chart.team_department)
    grade_keys = rng.random((n_teams, len(rating.grades)))
    score_keys = rng.random(sim.workforce.size)
    return TieDraws(grade_keys, score_keys[rated])


def grade_review(sim: SimState, rated: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Grades of the ``rated`` rows, whose final rating ``scores`` are given, at a review."""
    units = ranking_units(sim)[rated]
    draws = tie_draws(sim, rated)
    if sim.pilot_arms is None or not sim.pilot_arms.differ("rating"):
        return assign_grades(scores, units, sim.policy.rating, draws)
    # A pilot: each arm's people are graded under its own rating, ranked among themselves.
    grades = np.empty(len(rated), dtype=np.int64)
    for policy, flags in sim.pilot_arms.each():
        mine = flags[rated]
        units = ranking_units(sim, policy.rating)[rated[mine]]
        keys = None if draws is None else TieDraws(draws.grade_keys, draws.score_keys[mine])
        grades[mine] = assign_grades(scores[mine], units, policy.rating, keys)
    return grades


def bottom_grades(grades: np.ndarray, n_grades: int, share: float = BOTTOM_SHARE) -> np.ndarray:
    """The bottom grades of a review, from the grade indices given (0 = best, -1 = none).

    The lowest grades that together hold at most ``share`` of the graded people; when the
    bottom grade alone holds more, the bottom grade only (on a 10/20/60/10 scale the bottom
    grade, not the last two, which hold 70%).
    """
    counts = np.bincount(grades[grades >= 0], minlength=n_grades)
    return (n_grades - 1 - _lowest(counts[::-1], share))[::-1]


def top_grades(grades: np.ndarray, n_grades: int, share: float = BOTTOM_SHARE) -> np.ndarray:
    """The top grades, as :func:`bottom_grades` from the other end of the scale."""
    counts = np.bincount(grades[grades >= 0], minlength=n_grades)
    return _lowest(counts, share)


def _lowest(counts: np.ndarray, share: float) -> np.ndarray:
    """Indices 0..k-1 of the first grades of ``counts`` holding at most ``share`` (k >= 1)."""
    total = counts.sum()
    if total == 0:
        return np.arange(1)
    held = np.cumsum(counts) / total
    k = max(1, int(np.count_nonzero(held <= share + 1e-12)))
    return np.arange(k)


def ranking_units(sim: SimState, rating: RatingPolicy | None = None) -> np.ndarray:
    """The unit each position is ranked in under the policy (or ``rating``): team,
    department or all."""
    chart = sim.workforce.chart
    unit = (rating or sim.policy.rating).ranking_unit
    if unit == "team":
        return chart.team
    if unit == "department":
        return chart.department
    return np.zeros(chart.positions, dtype=np.int64)


MECHANISM = Mechanism(
    "grading",
    summary="scores become grades: absolute thresholds or a forced distribution by unit",
)
