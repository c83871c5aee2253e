from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simlib.mechanisms.grading import absolute_grades, forced_grades
from simlib.state.workforce import largest_remainder


def test_largest_remainder_examples():
    assert largest_remainder(8, np.array([0.05, 0.2, 0.6, 0.1, 0.05])).tolist() == [0, 2, 5, 1, 0]
    assert largest_remainder(10, np.array([0.9, 0.1])).tolist() == [9, 1]
    assert largest_remainder(20, np.array([0.05, 0.2, 0.6, 0.1, 0.05])).tolist() == [1, 4, 12, 2, 1]


@st.composite
def shares_strategy(draw):
    k = draw(st.integers(2, 6))
    weights = draw(
        st.lists(st.integers(0, 100), min_size=k, max_size=k).filter(lambda w: sum(w) > 0)
    )
    w = np.array(weights, dtype=float)
    return (w / w.sum()).tolist()


@settings(max_examples=200, deadline=None)
@given(
    shares=shares_strategy(),
    sizes=st.lists(st.integers(1, 60), min_size=1, max_size=12),
    seed=st.integers(0, 2**32 - 1),
)
def test_forced_counts_match_quotas_in_every_unit(shares, sizes, seed):
    rng = np.random.default_rng(seed)
    units = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    scores = rng.standard_normal(len(units))
    grades = forced_grades(scores, units, shares)
    for unit, size in enumerate(sizes):
        counts = np.bincount(grades[units == unit], minlength=len(shares))
        expected = largest_remainder(size, np.array(shares))
        assert counts.tolist() == expected.tolist()
        assert expected.sum() == size
        # Better scores never get a worse grade within a unit.
        s, g = scores[units == unit], grades[units == unit]
        order = np.argsort(-s)
        assert np.all(np.diff(g[order]) >= 0)


def test_absolute_grades_against_thresholds():
    scores = np.array([2.0, 1.5, 1.0, 0.0, -1.0, -3.0])
    grades = absolute_grades(scores, [1.5, 0.7, -0.9, -1.65])
    assert grades.tolist() == [0, 0, 1, 2, 3, 4]
