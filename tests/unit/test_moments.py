"""The lean statistics of hot paths are numpy's own, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.state.moments import clip, correlation, mean, mean_sd, nan_mean


def samples(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(n)
    return [
        rng.standard_normal(n) * 1e3 + 7.0,
        np.round(rng.standard_normal(n), 1),  # ties, and both signed zeros
        rng.exponential(size=n) ** 3,  # skewed
        np.full(n, 0.1),  # no spread (a mean that is not exactly 0.1)
    ]


def bits(x: float) -> int:
    return int(np.float64(x).view(np.int64))


@pytest.mark.parametrize("n", [1, 2, 3, 7, 37, 480, 5_001])
def test_mean_and_sd_are_numpys(n):
    for values in samples(n):
        centre, sd = mean_sd(values)
        assert bits(mean(values)) == bits(values.mean()) == bits(centre)
        assert bits(sd) == bits(values.std())


@pytest.mark.parametrize("n", [3, 37, 480, 5_001])
def test_correlation_and_nan_mean_are_numpys(n):
    for x, y in zip(samples(n)[:3], samples(n + 1)[:3], strict=True):
        y = y[:n] + 0.5 * x
        assert bits(correlation(x, y)) == bits(np.corrcoef(x, y)[0, 1])
        with_gaps = np.where(np.arange(n) % 5 == 0, np.nan, x)
        assert bits(nan_mean(with_gaps)) == bits(np.nanmean(with_gaps))


@pytest.mark.parametrize("n", [1, 37, 480])
def test_clip_is_numpys(n):
    for values in samples(n):
        values = np.concatenate([values, [np.nan, -0.0, 0.0, np.inf, -np.inf]])
        for low, high in [(0.0, 1.0), (-0.5, 0.5), (7.0, 7.5)]:
            expected = np.clip(values, low, high)
            out = np.empty_like(values)
            assert clip(values, low, high, out=out) is out
            assert (out.view(np.int64) == expected.view(np.int64)).all()
            assert (clip(values, low, high).view(np.int64) == expected.view(np.int64)).all()
