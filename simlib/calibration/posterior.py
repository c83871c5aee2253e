"""Phase 2: an approximate posterior by adaptive importance sampling around the best fit.

Population Monte Carlo (Cappé et al. 2004) in :data:`STAGES` stages, each proposal a
multivariate normal truncated to the prior box, known so its density can be divided out.
Stage 1 is centred on the best fit, its covariance ``INFLATE^2`` times that of the best
quarter of phase 1's trials (each SD at least 3% and at most half of the box). Each later
stage is centred on the weighted mean of all draws so far, its covariance
``REFINE_INFLATE^2`` times their weighted covariance (each SD at least 0.5% of the box), so it
follows the posterior's correlations (e.g. the quit intercept against the U-shape). Every
draw is weighed against the mixture of all stages (deterministic-mixture weights, Owen &
Zhou 2000): ``w = exp(-distance / 2) x prior / sum_s (n_s / n) q_s`` with a uniform prior on
the box, ``distance`` the Mahalanobis distance of :mod:`simlib.calibration.distance` (a
Gaussian synthetic likelihood with the moments' covariance, Wood 2010), widened by a
bandwidth when it rests on too few draws (:func:`bandwidth`). It is an approximation: the
likelihood is Gaussian in the moments and the simulated moments are averages of few
replications; the effective sample size, ``(sum w)^2 / sum w^2``, says how many draws carry
the weight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import multivariate_normal

from simlib.calibration.assumptions import Assumption

STAGES = 5
MIN_STAGE_DRAWS = 20  # fewer draws per stage, fewer stages: each estimates a covariance
INFLATE = 2.0
MIN_SD = 0.03  # share of the box
MAX_SD = 0.5
MIN_ESS_SHARE = 0.15
MAX_BANDWIDTH = 4.0
REFINE_INFLATE = 2.0
REFINE_MIN_SD = 0.005  # share of the box: a guard against a degenerate proposal
MASS_DRAWS = 20_000  # Monte Carlo draws for the share of a proposal inside the box
MASS_STREAM = 0x3A55


@dataclass(frozen=True)
class Proposal:
    """A multivariate normal truncated to the box ``[low, high]``."""

    centre: np.ndarray
    cov: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def _normal(self) -> multivariate_normal:
        return multivariate_normal(self.centre, self.cov, allow_singular=False)

    def _inside(self, points: np.ndarray) -> np.ndarray:
        return np.all((points >= self.low) & (points <= self.high), axis=1)

    def mass(self) -> float:
        """The normal's probability inside the box (Monte Carlo, fixed stream)."""
        rng = np.random.default_rng(MASS_STREAM)
        points = rng.multivariate_normal(self.centre, self.cov, size=MASS_DRAWS)
        return max(float(self._inside(points).mean()), 1.0 / MASS_DRAWS)

    def draw(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """``count`` draws inside the box (rejection)."""
        kept: list[np.ndarray] = []
        total = 0
        while total < count:
            batch = rng.multivariate_normal(self.centre, self.cov, size=max(64, 2 * count))
            batch = batch[self._inside(batch)]
            kept.append(batch)
            total += len(batch)
        return np.vstack(kept)[:count]

    def log_density(self, points: np.ndarray) -> np.ndarray:
        log_q = np.atleast_1d(self._normal().logpdf(points)) - np.log(self.mass())
        return np.asarray(np.where(self._inside(points), log_q, -np.inf))


def _bounded(cov: np.ndarray, low_sd: np.ndarray, high_sd: np.ndarray) -> np.ndarray:
    """``cov`` with each SD clipped to ``[low_sd, high_sd]``, its correlations kept (shrunk a
    little toward none, so the matrix stays well conditioned)."""
    sd = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    corr = cov / np.outer(sd, sd)
    corr = 0.9 * corr + 0.1 * np.eye(len(sd))
    new_sd = np.clip(sd, low_sd, high_sd)
    return np.asarray(corr * np.outer(new_sd, new_sd))


def proposal(
    assumptions: Sequence[Assumption], best: dict[str, float], trials: pd.DataFrame
) -> Proposal:
    """The proposal around ``best`` from phase 1's ``trials`` (a column per path + distance)."""
    paths = [a.path for a in assumptions]
    low = np.array([a.low for a in assumptions])
    high = np.array([a.high for a in assumptions])
    width = high - low
    top = trials.nsmallest(max(3, len(trials) // 4), "distance")
    if len(top) > len(paths):
        cov = np.atleast_2d(np.cov(top[paths].to_numpy(float), rowvar=False))
        cov = np.nan_to_num(cov) * INFLATE**2
    else:
        cov = np.diag((MAX_SD * width) ** 2)
    cov = _bounded(cov, MIN_SD * width, MAX_SD * width)
    centre = np.array([best[p] for p in paths])
    return Proposal(centre, cov, low, high)


def refined(first: Proposal, points: np.ndarray, w: np.ndarray) -> Proposal:
    """The next stage's proposal from the weighted draws so far."""
    centre = np.average(points, axis=0, weights=w)
    gap = points - centre
    cov = (gap * w[:, None]).T @ gap / w.sum()
    width = first.high - first.low
    cov = _bounded(cov * REFINE_INFLATE**2, REFINE_MIN_SD * width, MAX_SD * width)
    return Proposal(np.clip(centre, first.low, first.high), cov, first.low, first.high)


def mixture_log_density(
    proposals: Sequence[Proposal], counts: Sequence[int], points: np.ndarray
) -> np.ndarray:
    """Log density of the mixture of ``proposals`` in proportion to their draws."""
    total = float(sum(counts))
    parts = [
        np.log(c / total) + q.log_density(points)
        for q, c in zip(proposals, counts, strict=True)
        if c > 0
    ]
    return np.asarray(np.logaddexp.reduce(np.vstack(parts), axis=0))


def bandwidth(distance: np.ndarray, log_proposal: np.ndarray) -> float:
    """The kernel's bandwidth ``h`` (weights ``exp(-distance / (2 h))``): 1, the synthetic
    likelihood itself, unless so few draws then carry the weight that the intervals would
    rest on one or two of them; then the smallest ``h`` on a doubling grid that gives an
    effective sample size of at least :data:`MIN_ESS_SHARE` of the draws (ABC's adaptive
    tolerance, Del Moral, Doucet & Jasra 2012). ``h > 1`` widens the posterior: its
    intervals are then conservative."""
    need = max(3.0, MIN_ESS_SHARE * len(distance))
    h = 1.0
    while h < MAX_BANDWIDTH and effective_sample_size(weights(distance, log_proposal, h)) < need:
        h *= 2.0
    return h


def weights(distance: np.ndarray, log_proposal: np.ndarray, h: float = 1.0) -> np.ndarray:
    """Normalised importance weights (uniform prior on the box), kernel bandwidth ``h``."""
    log_w = -0.5 * distance / h - log_proposal
    log_w = log_w - np.max(log_w)
    w = np.exp(log_w)
    return np.asarray(w / w.sum())


def effective_sample_size(w: np.ndarray) -> float:
    return float(w.sum() ** 2 / np.sum(w**2))


def weighted_quantile(values: np.ndarray, w: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Quantiles of ``values`` under weights ``w`` (inverse of the weighted CDF, midpoints)."""
    order = np.argsort(values)
    v, ww = values[order], w[order]
    cdf = (np.cumsum(ww) - 0.5 * ww) / ww.sum()
    return np.interp(q, cdf, v)
