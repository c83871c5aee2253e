"""Means, standard deviations, correlations and clipping in numpy's own steps, without its
overhead.

Hot paths call these on arrays of a few hundred values, where the general-purpose machinery
of ``np.mean``, ``np.std``, ``np.corrcoef`` and ``np.clip`` (argument handling, dispatch, temporary
arrays) costs more than the arithmetic. Each function below takes numpy's own steps in
numpy's own order, so its result is bit for bit what the numpy function gives for a
one-dimensional float array (``tests/unit/test_moments.py`` checks it).
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np


def _clip_ufunc_of_numpy() -> Any:
    """The ufunc ``np.clip`` ends in once its argument handling is done (``np.clip`` itself
    in a numpy that keeps it elsewhere)."""
    try:
        return importlib.import_module("numpy._core.umath").clip
    except (ImportError, AttributeError):  # pragma: no cover
        return np.clip


_clip_ufunc = _clip_ufunc_of_numpy()


def mean(values: np.ndarray) -> np.float64:
    """``values.mean()``: the pairwise sum over the count."""
    return np.add.reduce(values) / len(values)


def mean_sd(values: np.ndarray) -> tuple[np.float64, np.float64]:
    """``(values.mean(), values.std())``: the population SD (``ddof=0``)."""
    n = len(values)
    centre = np.add.reduce(values) / n
    deviation = values - centre
    deviation *= deviation
    return centre, np.sqrt(np.add.reduce(deviation) / n)


def nan_mean(values: np.ndarray) -> np.float64:
    """``np.nanmean(values)``: the sum with NaNs as 0 over the count of the rest."""
    missing = np.isnan(values)
    return np.add.reduce(np.where(missing, 0.0, values)) / np.count_nonzero(~missing)


def correlation(x: np.ndarray, y: np.ndarray) -> np.float64:
    """``np.corrcoef(x, y)[0, 1]``: the same covariance product, scaled and clipped."""
    pair = np.array([x, y], dtype=float)
    pair -= pair.mean(axis=1)[:, None]
    c = np.dot(pair, pair.T.conj())
    c *= np.true_divide(1, pair.shape[1] - 1)
    sd = np.sqrt(np.diag(c).real)
    c /= sd[:, None]
    c /= sd[None, :]
    np.clip(c.real, -1, 1, out=c.real)
    return c[0, 1]


def clip(values: np.ndarray, low: float, high: float, out: np.ndarray | None = None) -> np.ndarray:
    """``np.clip(values, low, high, out=out)`` for a float array and two float bounds."""
    return _clip_ufunc(values, low, high, out=out)
