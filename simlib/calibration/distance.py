"""How far a trial's simulated moments are from the observed ones.

Two distances, both -2 log of a Gaussian synthetic likelihood (Wood 2010) up to a constant:

* :func:`distances` (the search's): ``sum_j (sim_j - obs_j)^2 / (var_obs_j + var_sim_j)``,
  the moments taken as independent, ``var_obs_j`` the observed moment's formula variance
  (:func:`simlib.calibration.observed.sampling_variance`), ``var_sim_j`` the variance of the
  simulated mean. Cheap and good enough to find the best fit.
* :func:`mahalanobis` (the posterior's): ``(m - obs)' Sigma_total^-1 (m - obs)``, ``m`` the
  mean of the trial's ``R`` replications and ``Sigma_total = Sigma_sim (1 + 1/R)``, where
  ``Sigma_sim`` is the covariance of one organization's moments, estimated from many
  replications at the best fit (:func:`moment_covariance`). The simulated organization has
  the data's size, so ``Sigma_sim`` stands for the observed moments' sampling covariance
  and ``Sigma_sim / R`` for the simulated mean's. The moments are not independent (pooled
  turnover is a mix of the by-grade rates; spreads and stability move together): summing
  them as independent counts the same information twice and makes the intervals too
  narrow, which the covariance undoes.
"""

from __future__ import annotations

import warnings

import numpy as np

MISSING_TERM = 25.0
"""A moment the trial could not compute (e.g. nobody rated in a grade) counts as 5 SD off."""

VARIANCE_FLOOR = 0.1
"""A moment's simulated variance is kept at least this share of its formula variance, so a
moment that happened not to vary across the replications cannot get an infinite weight."""


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


def shrunk_covariance(samples: np.ndarray) -> tuple[np.ndarray, float]:
    """The covariance of ``samples`` (rows: replications, columns: moments), its correlations
    shrunk toward none by Ledoit & Wolf (2004)'s optimal intensity, and that intensity.

    The columns are standardised first, so the target is the diagonal of the sample
    variances and the shrinkage acts on the correlations only (each moment keeps its own
    variance). NaNs (a moment undefined in a replication) are set to the column's mean."""
    x = np.asarray(samples, dtype=float)
    n, p = x.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmean(x, axis=0)
    centre = np.nan_to_num(centre)
    x = np.where(np.isnan(x), centre[None, :], x) - centre[None, :]
    sd = np.sqrt(np.sum(x * x, axis=0) / max(n - 1, 1))
    safe = np.where(sd > 0, sd, 1.0)
    z = x / safe[None, :]
    s = z.T @ z / n
    target = np.eye(p) * np.trace(s) / p
    delta = float(np.sum((s - target) ** 2))
    beta = float(sum(np.sum((np.outer(row, row) - s) ** 2) for row in z)) / (n * n)
    intensity = 1.0 if delta <= 0 else min(1.0, beta / delta)
    shrunk = intensity * target + (1.0 - intensity) * s
    scale = np.sqrt(np.diag(shrunk))
    scale = np.where(scale > 0, scale, 1.0)
    corr = shrunk / np.outer(scale, scale)
    return corr * np.outer(sd, sd), intensity


def moment_covariance(samples: np.ndarray, formula: np.ndarray) -> tuple[np.ndarray, float]:
    """``Sigma_sim``: the shrunk covariance of one organization's moments over replications,
    each variance at least :data:`VARIANCE_FLOOR` x its formula variance; and the shrinkage."""
    cov, intensity = shrunk_covariance(samples)
    sd = np.sqrt(np.diag(cov))
    floor = np.sqrt(VARIANCE_FLOOR * np.asarray(formula, dtype=float))
    wanted = np.fmax(sd, floor)
    scale = np.where(sd > 0, wanted / np.where(sd > 0, sd, 1.0), 0.0)
    cov = cov * np.outer(scale, scale)
    cov[np.diag_indices_from(cov)] = np.fmax(np.diag(cov), wanted**2)
    return cov, intensity


def mahalanobis(sims: np.ndarray, observed: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """One distance per trial: ``(m - obs)' (covariance (1 + 1/R))^-1 (m - obs)``, ``m`` the
    trial's mean over its ``R`` replications (``sims``: ``(trials, R, moments)``); a moment
    undefined in every replication of a trial adds :data:`MISSING_TERM` instead."""
    reps = sims.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(sims, axis=1)
    missing = np.isnan(mean)
    gap = np.where(missing, 0.0, mean - observed[None, :])
    factor = np.linalg.cholesky(covariance * (1.0 + 1.0 / reps))
    solved = np.linalg.solve(factor, gap.T)
    return np.asarray(np.sum(solved**2, axis=0) + MISSING_TERM * missing.sum(axis=1), dtype=float)
