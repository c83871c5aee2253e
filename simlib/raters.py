"""Raters: how true cycle performance becomes a rating score.

The reliability rater (Scullen, Bergey & Aiman-Smith 2005): ``score = sqrt(rel) * y +
sqrt(1 - rel) * e`` with ``e ~ N(0, 1)``, so that with true performance of unit variance
``rel`` is the share of rating variance due to true performance. Scores are in SD units.
"""

from __future__ import annotations

import numpy as np


def reliability_scores(
    true_performance: np.ndarray, reliability: float, rng: np.random.Generator
) -> np.ndarray:
    """Rating scores for every position (noise drawn for all rows, for aligned streams)."""
    noise = rng.standard_normal(len(true_performance))
    return np.sqrt(reliability) * true_performance + np.sqrt(1.0 - reliability) * noise
