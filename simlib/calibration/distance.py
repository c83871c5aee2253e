"""How far a trial's simulated moments are from the observed ones.

``distance = sum_j (sim_j - obs_j)^2 / (var_obs_j + var_sim_j)``: ``sim_j`` is the mean over
the replications, ``var_obs_j`` the observed moment's sampling variance
(:func:`simlib.calibration.observed.sampling_variance`) and ``var_sim_j`` the variance of
the simulated mean (the replications' variance / their count). Under a Gaussian
approximation of both errors it is -2 log of a synthetic likelihood (Wood 2010), up to a
constant: :mod:`simlib.calibration.posterior` weighs draws by ``exp(-distance / 2)``.
"""

from __future__ import annotations

import warnings

import numpy as np

MISSING_TERM = 25.0
"""A moment the trial could not compute (e.g. nobody rated in a grade) counts as 5 SD off."""


def distances(sims: np.ndarray, observed: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """One distance per trial; ``sims`` is ``(trials, reps, moments)``."""
    count = np.sum(~np.isnan(sims), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN moments are handled below
        mean = np.nanmean(np.where(count[:, None, :] > 0, sims, 0.0), axis=1)
        mean = np.where(count > 0, mean, np.nan)
        spread = np.nanvar(sims, axis=1, ddof=1) if sims.shape[1] > 1 else np.zeros_like(mean)
        var_mean = np.where(count > 1, spread / np.maximum(count, 1), 0.0)
        terms = (mean - observed[None, :]) ** 2 / (variance[None, :] + var_mean)
    terms = np.where(np.isnan(terms), MISSING_TERM, terms)
    return np.asarray(terms.sum(axis=1), dtype=float)
