"""Quintile cut points: numpy's own percentiles, bit for bit, at a fraction of the cost."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.state.counts import quintile_cuts, quintiles


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 10, 37, 480, 5_001])
def test_cut_points_are_numpys_percentiles_bit_for_bit(n):
    rng = np.random.default_rng(n)
    samples = [
        rng.standard_normal(n) * 1e3,
        np.round(rng.standard_normal(n), 1),  # ties, and both signed zeros
        rng.integers(-2, 3, n).astype(float),
        np.full(n, -0.0),
    ]
    for values in samples:
        expected = np.quantile(values, [0.2, 0.4, 0.6, 0.8])
        got = quintile_cuts(values)
        assert got.view(np.int64).tolist() == expected.view(np.int64).tolist()


def test_quintiles_split_those_counted_into_fifths():
    values = np.arange(100.0)
    among = np.ones(100, dtype=bool)
    among[::2] = False  # only odd values count
    q = quintiles(values, among)
    assert np.bincount(q[among], minlength=5).tolist() == [10] * 5
    assert q[0] == 0 and q[99] == 4
