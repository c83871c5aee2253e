"""Quintile cut points: numpy's own percentiles, bit for bit, at a fraction of the cost."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.state.counts import linear_quantiles, quintile_counts, quintile_cuts, quintiles


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 10, 37, 480, 5_001])
def test_cut_points_are_numpys_percentiles_bit_for_bit(n):
    rng = np.random.default_rng(n)
    samples = [
        rng.standard_normal(n) * 1e3,
        np.round(rng.standard_normal(n), 1),  # ties, and both signed zeros
        rng.integers(-2, 3, n).astype(float),
        np.full(n, -0.0),
        np.where(rng.random(n) < 0.5, 0.0, -0.0),  # zeros of both signs only
    ]
    for values in samples:
        expected = np.quantile(values, [0.2, 0.4, 0.6, 0.8])
        got = quintile_cuts(values)
        assert got.view(np.int64).tolist() == expected.view(np.int64).tolist()


@pytest.mark.parametrize("n", [1, 2, 5, 37, 480])
@pytest.mark.parametrize("cut", [0.8, 0.9, 0.05])
def test_any_quantile_is_numpys_bit_for_bit(n, cut):
    rng = np.random.default_rng(n)
    for values in (rng.standard_normal(n), np.round(rng.standard_normal(n), 1)):
        (got,) = linear_quantiles(values, (cut,))
        assert np.float64(got).view(np.int64) == np.quantile(values, cut).view(np.int64)


def test_quintiles_split_those_counted_into_fifths():
    values = np.arange(100.0)
    among = np.ones(100, dtype=bool)
    among[::2] = False  # only odd values count
    q = quintiles(values, among)
    assert np.bincount(q[among], minlength=5).tolist() == [10] * 5
    assert q[0] == 0 and q[99] == 4


@pytest.mark.parametrize("seed", range(20))
def test_quintile_counts_bin_as_quintiles_do(seed: int) -> None:
    """Counts read off the sorted values equal binning every value, ties and all."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    values = rng.normal(size=n)
    if seed % 3 == 0:
        values = np.round(values, 1)  # many ties, some on the cuts
    if seed % 5 == 0:
        values[: n // 2] = 0.0
    among = rng.random(n) < 0.8
    among[0] = True
    chosen = np.flatnonzero(among & (rng.random(n) < 0.3))
    exposed, picked = quintile_counts(values, among, chosen)
    quintile = quintiles(values, among)
    assert exposed.tolist() == np.bincount(quintile[among], minlength=5).tolist()
    assert picked.tolist() == np.bincount(quintile[chosen], minlength=5).tolist()
