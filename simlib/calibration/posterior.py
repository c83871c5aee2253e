"""Phase 2: an approximate posterior by importance sampling around the best fit.

Two stages of population Monte Carlo (Cappé et al. 2004), each proposal known so its
density can be divided out. Stage 1: independent normals centred on the best fit, each SD
twice the spread of the best quarter of phase 1's trials (at least 15% and at most half of
the box), truncated to the prior box. Stage 2: normals at stage 1's weighted mean with 2x
its weighted SD (at least 5% of the box), truncated likewise. Every draw is weighed against
the mixture of both proposals (deterministic-mixture weights, Owen & Zhou 2000):
``w = exp(-distance / 2) x prior / (n1 q1 + n2 q2) / n`` with a uniform prior on the box,
i.e. a Gaussian synthetic likelihood (Wood 2010) of the moments, widened by a bandwidth
when it rests on too few draws (:func:`bandwidth`). It is an approximation: the
likelihood is Gaussian in the moments, the simulated moments are averages of few
replications, and a few heavy weights mean few effective draws (the effective sample size,
``(sum w)^2 / sum w^2``, says how many).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import truncnorm

from simlib.calibration.assumptions import Assumption

INFLATE = 2.0
MIN_SD = 0.15  # share of the box
MAX_SD = 0.5
MIN_ESS_SHARE = 0.1
MAX_BANDWIDTH = 4.0
REFINE_INFLATE = 2.0
REFINE_MIN_SD = 0.05  # share of the box


@dataclass(frozen=True)
class Proposal:
    """Truncated normals, one per assumption."""

    centre: np.ndarray
    sd: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def _dist(self) -> truncnorm:
        a = (self.low - self.centre) / self.sd
        b = (self.high - self.centre) / self.sd
        return truncnorm(a, b, loc=self.centre, scale=self.sd)

    def draw(self, count: int, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(self._dist().rvs(size=(count, len(self.centre)), random_state=rng))

    def log_density(self, points: np.ndarray) -> np.ndarray:
        return np.asarray(self._dist().logpdf(points).sum(axis=1))


def proposal(
    assumptions: Sequence[Assumption], best: dict[str, float], trials: pd.DataFrame
) -> Proposal:
    """The proposal around ``best`` from phase 1's ``trials`` (a column per path + distance)."""
    paths = [a.path for a in assumptions]
    low = np.array([a.low for a in assumptions])
    high = np.array([a.high for a in assumptions])
    width = high - low
    top = trials.nsmallest(max(3, len(trials) // 4), "distance")
    spread = top[paths].std(ddof=1).to_numpy(dtype=float) if len(top) > 1 else width
    spread = np.nan_to_num(spread, nan=MAX_SD * width[0])
    sd = np.clip(INFLATE * spread, MIN_SD * width, MAX_SD * width)
    centre = np.array([best[p] for p in paths])
    return Proposal(centre, sd, low, high)


def refined(first: Proposal, points: np.ndarray, w: np.ndarray) -> Proposal:
    """Stage 2's proposal from stage 1's weighted draws."""
    centre = np.average(points, axis=0, weights=w)
    spread = np.sqrt(np.average((points - centre) ** 2, axis=0, weights=w))
    width = first.high - first.low
    sd = np.clip(REFINE_INFLATE * spread, REFINE_MIN_SD * width, MAX_SD * width)
    return Proposal(np.clip(centre, first.low, first.high), sd, first.low, first.high)


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
