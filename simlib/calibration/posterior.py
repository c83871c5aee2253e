"""Phase 2: an approximate posterior by importance sampling around the best fit.

Proposal (known, so its density can be divided out): independent normals centred on the
best fit, each SD twice the spread of the best quarter of phase 1's trials (at least 5% and
at most half of the box), truncated to the prior box. Weights:
``w = exp(-distance / 2) x prior / proposal`` with a uniform prior on the box, i.e. a
Gaussian synthetic likelihood (Wood 2010) of the moments. It is an approximation: the
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
MIN_SD = 0.05  # share of the box
MAX_SD = 0.5


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


def weights(distance: np.ndarray, log_proposal: np.ndarray) -> np.ndarray:
    """Normalised importance weights (uniform prior on the box)."""
    log_w = -0.5 * distance - log_proposal
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
