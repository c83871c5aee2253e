"""Grading: rating scores become grades, by absolute thresholds or a forced distribution.

Forced distribution ranks the rated employees of each ranking unit (team, department or the
whole organization) by rating score and hands out grades by the policy's shares, rounded to
whole people by largest remainder, so that every unit's grade counts match its quota.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms.base import Mechanism
from simlib.scenario.rating import RatingPolicy
from simlib.state.simulation_state import SimState
from simlib.state.workforce import largest_remainder


def quota_table(sizes: np.ndarray, shares: list[float]) -> np.ndarray:
    """Grade counts for units of the given sizes: ``table[i, g]`` people get grade g."""
    shares_arr = np.asarray(shares)
    unique, inverse = np.unique(sizes, return_inverse=True)
    table = np.array([largest_remainder(int(n), shares_arr) for n in unique])
    return table[inverse]


def absolute_grades(scores: np.ndarray, thresholds: list[float]) -> np.ndarray:
    """Grade index (0 = best) of each score against descending minimum scores."""
    cuts = -np.asarray(thresholds)  # ascending
    return np.searchsorted(cuts, -scores, side="left").astype(np.int64)


def forced_grades(scores: np.ndarray, units: np.ndarray, shares: list[float]) -> np.ndarray:
    """Grade index of each score, ranked within ``units`` and handed out by ``shares``."""
    n = len(scores)
    grades = np.empty(n, dtype=np.int64)
    if n == 0:
        return grades
    # Best score first, then a stable sort by unit keeps that order within units (numpy
    # radix-sorts 16-bit keys, far faster than its merge sort of 64-bit ones).
    by_score = np.argsort(-scores)
    unit_keys = units[by_score]
    if unit_keys.min() >= 0 and unit_keys.max() <= np.iinfo(np.uint16).max:
        unit_keys = unit_keys.astype(np.uint16)
    order = by_score[np.argsort(unit_keys, kind="stable")]
    sorted_units = units[order]
    starts = np.flatnonzero(np.r_[True, sorted_units[1:] != sorted_units[:-1]])
    sizes = np.diff(np.r_[starts, n])
    position = np.arange(n) - np.repeat(starts, sizes)
    cumulative = np.cumsum(quota_table(sizes, shares), axis=1)
    unit_cum = np.repeat(cumulative, sizes, axis=0)
    grades[order] = (position[:, None] >= unit_cum).sum(axis=1)
    return grades


def assign_grades(scores: np.ndarray, units: np.ndarray, rating: RatingPolicy) -> np.ndarray:
    """Grades (0 = best) for the rated employees, whose scores and ranking units are given."""
    if rating.scheme == "absolute":
        return absolute_grades(scores, rating.grade_thresholds())
    return forced_grades(scores, units, rating.grade_shares())


def bottom_grades(n_grades: int) -> np.ndarray:
    """Grade indices counted as 'the bottom grades' for misclassification."""
    return np.arange(n_grades - (2 if n_grades >= 4 else 1), n_grades)


def ranking_units(sim: SimState) -> np.ndarray:
    """The unit each position is ranked in under the policy: team, department or all."""
    chart = sim.workforce.chart
    unit = sim.policy.rating.ranking_unit
    if unit == "team":
        return chart.team
    if unit == "department":
        return chart.department
    return np.zeros(chart.positions, dtype=np.int64)


MECHANISM = Mechanism(
    "grading",
    summary="scores become grades: absolute thresholds or a forced distribution by unit",
)
