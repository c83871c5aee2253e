"""Rater judgement: how a rater turns what they saw into a rating score (DESIGN §3).

Two rater models, chosen by ``behaviour.raters.model``:

``reliability``
    The rater of Scullen, Bergey & Aiman-Smith (2005): ``score = sqrt(rel) * y +
    sqrt(1 - rel) * e`` with ``e ~ N(0, 1)``, so that with true performance of unit variance
    ``rel`` is the share of rating variance due to true performance.

``biased`` (default)
    Each team has one rater (its manager, or a virtual rater when managers are not
    modelled) with traits drawn from the ``raters`` stream when the manager is hired. A
    supervisor's rating of ratee ``i`` by rater ``r`` is::

        observed   = (1 - recency_r) * y_i + recency_r * y_late_i + m_i
        impression = observed + idiosyncratic_ri + mean error over the rated dimensions
        score      = leniency_r + purpose + similar_r * (same_group - share_of_group)
                     + (1 - compression_r) * impression / scale
        final      = (1 - halo_r) * score + halo_r * last_final   (when there is one)

    ``y`` is true cycle performance (SD units), ``y_late`` the performance of the last
    ``recency_weeks``, ``m`` measurement noise of the performance records (lower when data
    are captured automatically), ``scale`` the nominal SD of the impression so that an
    unbiased rater's scores have unit variance. Leniency, purpose and similar-to-me are in
    rating SD units. Training shrinks a trained rater's leniency, compression, halo,
    recency and similar-to-me by ``training_effect``.

    Peers, subordinates and the self rate with the same machinery: peers and subordinates
    see no performance records but share a view of their own (a perspective effect), the
    self is lenient and sees itself through a distortion. Scores are in SD units.
"""

from __future__ import annotations

import numpy as np

from simlib.scenario.rater_behaviour import RaterBehaviour
from simlib.state.raters import RaterPanel
from simlib.state.workforce import Workforce


def reliability_scores(
    true_performance: np.ndarray, reliability: float, rng: np.random.Generator
) -> np.ndarray:
    """Rating scores for every position (noise drawn for all rows, for aligned streams)."""
    noise = rng.standard_normal(len(true_performance))
    return np.sqrt(reliability) * true_performance + np.sqrt(1.0 - reliability) * noise


# --- the judgement every rater makes ------------------------------------------------------


def impression_scale(
    beh: RaterBehaviour, measurement_sd: float = 0.0, perspective_sd: float = 0.0
) -> float:
    """Nominal SD of an impression: true performance (SD 1) plus the rater's noises.

    Dividing by it puts an unbiased, uncompressed rater's scores on a unit-variance scale,
    as raters use the whole rating scale whatever the quality of their information.
    """
    return float(
        np.sqrt(
            1.0
            + measurement_sd**2
            + perspective_sd**2
            + beh.idiosyncratic_sd**2
            + beh.error_sd**2 / beh.dimensions
        )
    )


def judge(
    impression: np.ndarray,
    scale: float,
    leniency: np.ndarray | float,
    compression: np.ndarray | float,
    bias: np.ndarray | float = 0.0,
) -> np.ndarray:
    """A rating score (rating SD units) from an impression (SD units of true performance).

    ``leniency`` and ``bias`` shift the score; ``compression`` (0–1) pulls it toward the
    rater's midpoint.
    """
    return leniency + bias + (1.0 - compression) * impression / scale


def with_halo(score: np.ndarray, last: np.ndarray, halo: np.ndarray | float) -> np.ndarray:
    """Blend each score with the ratee's last rating (``nan`` = none: no halo)."""
    has_last = np.isfinite(last)
    return np.where(has_last, (1.0 - halo) * score + halo * np.where(has_last, last, 0.0), score)


def similar_to_me_bias(
    rater_group: np.ndarray,
    ratee_group: np.ndarray,
    strength: np.ndarray | float,
    group_share: np.ndarray,
    biased_groups: np.ndarray,
) -> np.ndarray:
    """Similar-to-me bias (rating SD units), centred on the rater's expected ratee mix.

    A rater of a biased group rates ratees of their own group ``strength`` higher than
    others at equal performance; the centring (minus the group's share of the
    organization) keeps the organization's mean unmoved. One group: no bias at all.
    """
    same = (rater_group == ratee_group).astype(float)
    return strength * biased_groups[rater_group] * (same - group_share[rater_group])


def late_performance(
    panel: RaterPanel,
    workforce: Workforce,
    cycle_mean: np.ndarray,
    cycle_weeks: np.ndarray,
    cycle_luck_mean: np.ndarray,
    noise_sd: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Performance over the late part of the cycle (SD units), exactly.

    ``cycle_mean`` is the cycle's mean rate as raters see it (the true rate, or the true rate
    flattered by gamed KPIs); any difference from the true rate is spread evenly. The rate
    part is the accrued performance integral since the snapshot. The luck part is drawn
    given the cycle's mean luck (a Brownian bridge: the late share of the luck sum is
    normal with mean ``S k / W`` and variance ``sd^2 k (W - k) / W``), so it agrees with
    the luck already in true cycle performance. Without a snapshot in this cycle, or for
    someone hired after it, the late part is the whole cycle.
    """
    draws = rng.standard_normal(workforce.size)
    if not np.isfinite(panel.snapshot_week):
        return cycle_mean + cycle_luck_mean
    # What raters see beyond the true rate (e.g. gamed KPIs) is spread evenly over the cycle.
    seen_offset = cycle_mean - workforce.cycle_performance()[0]
    valid = workforce.hired_week <= panel.snapshot_week
    k = np.where(valid, workforce.weeks_cum - panel.snapshot_weeks, cycle_weeks)
    k = np.clip(k, 0.0, cycle_weeks)
    total_w = np.maximum(cycle_weeks, 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        late_rate = np.where(
            valid & (k > 0),
            (workforce.perf_cum - panel.snapshot_perf) / np.maximum(k, 1e-12) + seen_offset,
            cycle_mean,
        )
        luck_sum = cycle_luck_mean * total_w
        late_sum = (
            luck_sum * k / total_w
            + noise_sd * np.sqrt(np.maximum(k * (total_w - k) / total_w, 0.0)) * draws
        )
        late_luck = np.where(k > 0, late_sum / np.maximum(k, 1e-12), cycle_luck_mean)
    return np.where(k > 0, late_rate + late_luck, cycle_mean + cycle_luck_mean)
