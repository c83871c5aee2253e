"""Rating sources: what the supervisor, peers, subordinates and the employee each rate.

The judgement each source makes is that of :mod:`simlib.mechanisms.raters`; this module
holds what each source sees (records, a perspective of their own, a self-view) and how a
360 policy combines the sources' scores with weights. Scores are in rating SD units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.mechanisms.rater_judgement import impression_scale, judge, similar_to_me_bias
from simlib.scenario.rater_behaviour import RaterBehaviour
from simlib.state.raters import RaterPanel, RaterTraits


@dataclass
class RatingInputs:
    """What one review's raters look at, for every position (arrays of workforce size)."""

    true_performance: np.ndarray  # SD units
    late_performance: np.ndarray  # SD units, the late part of the cycle
    team: np.ndarray  # team index of each position
    group: np.ndarray  # group index of each ratee
    active: np.ndarray  # bool


def observed_performance(inputs: RatingInputs, recency: np.ndarray | float) -> np.ndarray:
    """Recency-weighted performance: ``(1 - w) y + w y_late``."""
    return (1.0 - recency) * inputs.true_performance + recency * inputs.late_performance


def supervisor_scores(
    inputs: RatingInputs,
    traits: RaterTraits,
    panel: RaterPanel,
    beh: RaterBehaviour,
    measurement_sd: float,
    purpose_shift: float,
    draws: np.ndarray,
) -> np.ndarray:
    """Every position's supervisor rating before halo (rating SD units).

    ``draws`` are three standard normals per position: measurement noise of the records,
    the idiosyncratic impression, and the mean error over the rated dimensions.
    """
    t = inputs.team
    impression = (
        observed_performance(inputs, traits.recency[t])
        + measurement_sd * draws[:, 0]
        + beh.idiosyncratic_sd * draws[:, 1]
        + beh.error_sd / np.sqrt(beh.dimensions) * draws[:, 2]
    )
    bias = purpose_shift + similar_to_me_bias(
        traits.group[t],
        inputs.group,
        traits.similar_to_me[t],
        panel.group_share,
        panel.biased_groups,
    )
    scale = impression_scale(beh, measurement_sd)
    return judge(impression, scale, traits.leniency[t], traits.compression[t], bias)


def self_scores(
    inputs: RatingInputs, beh: RaterBehaviour, purpose_shift: float, draws: np.ndarray
) -> np.ndarray:
    """Every position's self-rating (rating SD units): lenient and self-distorted."""
    noise_sd = np.sqrt(beh.self_distortion_sd**2 + beh.error_sd**2 / beh.dimensions)
    impression = observed_performance(inputs, beh.recency) + noise_sd * draws
    scale = float(np.sqrt(1.0 + noise_sd**2))
    return judge(impression, scale, beh.self_leniency + purpose_shift, beh.compression)


def group_bias_table(
    team: np.ndarray,
    group: np.ndarray,
    active: np.ndarray,
    n_teams: int,
    panel: RaterPanel,
    strength: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Team member counts per group, and the similar-to-me bias a member of each group
    receives summed over all of a team's members as raters.

    Returns ``counts[team, g]`` and ``bias_sum[team, h]`` = sum over the team's active
    members j of their bias toward a ratee of group h.
    """
    n_groups = len(panel.group_share)
    counts = (
        np.bincount(team[active] * n_groups + group[active], minlength=n_teams * n_groups)
        .reshape(n_teams, n_groups)
        .astype(float)
    )
    g = np.arange(n_groups)
    # per[g, h]: bias of one rater of group g toward a ratee of group h
    per = (
        strength
        * panel.biased_groups[:, None]
        * ((g[:, None] == g[None, :]) - panel.group_share[:, None])
    )
    return counts, counts @ per


def peer_scores(
    inputs: RatingInputs,
    beh: RaterBehaviour,
    panel: RaterPanel,
    n_teams: int,
    peer_count: int,
    purpose_shift: float,
    draws: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean rating by up to ``peer_count`` teammates, and whether anyone could rate.

    Peers share a view of the ratee (``peer_perspective_sd``); each peer adds their own
    leniency, impression and error, averaged over the k peers (drawn as one normal with
    the variance of that mean). Their similar-to-me bias is the mean over the teammates.
    ``draws``: two standard normals per position (shared view, mean of the peers' own).
    """
    counts, bias_sum = group_bias_table(
        inputs.team, inputs.group, inputs.active, n_teams, panel, beh.similar_to_me
    )
    others = counts.sum(axis=1)[inputs.team] - 1.0
    k = np.minimum(others, peer_count)
    available = inputs.active & (k >= 1)
    k = np.maximum(k, 1.0)
    own_bias = similar_to_me_bias(
        inputs.group, inputs.group, beh.similar_to_me, panel.group_share, panel.biased_groups
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        bias = np.where(
            others > 0,
            (bias_sum[inputs.team, inputs.group] - own_bias) / np.maximum(others, 1.0),
            0.0,
        )
    return _group_mean_scores(
        inputs, beh, beh.peer_perspective_sd, k, bias + purpose_shift, draws
    ), available


def subordinate_scores(
    inputs: RatingInputs,
    beh: RaterBehaviour,
    panel: RaterPanel,
    team_manager: np.ndarray,
    subordinate_count: int,
    purpose_shift: float,
    draws: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean rating of each manager by up to ``subordinate_count`` of their team."""
    n_teams = len(team_manager)
    counts, bias_sum = group_bias_table(
        inputs.team, inputs.group, inputs.active, n_teams, panel, beh.similar_to_me
    )
    managed = np.full(len(inputs.team), -1, dtype=np.int64)
    real = np.flatnonzero(team_manager >= 0)
    managed[team_manager[real]] = real
    team_size = np.where(managed >= 0, counts.sum(axis=1)[np.maximum(managed, 0)], 0.0)
    available = inputs.active & (team_size >= 1)
    k = np.maximum(np.minimum(team_size, subordinate_count), 1.0)
    bias = np.where(
        team_size > 0,
        bias_sum[np.maximum(managed, 0), inputs.group] / np.maximum(team_size, 1.0),
        0.0,
    )
    return _group_mean_scores(
        inputs, beh, beh.subordinate_perspective_sd, k, bias + purpose_shift, draws
    ), available


def _group_mean_scores(
    inputs: RatingInputs,
    beh: RaterBehaviour,
    perspective_sd: float,
    k: np.ndarray,
    bias: np.ndarray,
    draws: np.ndarray,
) -> np.ndarray:
    """Mean of k raters who share a perspective, each with their own leniency and noise."""
    scale = impression_scale(beh, 0.0, perspective_sd)
    keep = 1.0 - beh.compression
    own_var = beh.leniency_sd**2 + (keep / scale) ** 2 * (
        beh.idiosyncratic_sd**2 + beh.error_sd**2 / beh.dimensions
    )
    shared = observed_performance(inputs, beh.recency) + perspective_sd * draws[:, 0]
    return bias + keep * shared / scale + np.sqrt(own_var / k) * draws[:, 1]


def combine_sources(
    scores: dict[str, np.ndarray],
    available: dict[str, np.ndarray],
    weights: dict[str, float],
) -> np.ndarray:
    """Weighted mean of the sources each ratee has, reweighted over those available."""
    total = None
    weight = None
    for name, w in weights.items():
        if w <= 0:
            continue
        a = available[name] * w
        part = np.where(available[name], scores[name], 0.0) * w
        total = part if total is None else total + part
        weight = a if weight is None else weight + a
    assert total is not None and weight is not None
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, total / np.maximum(weight, 1e-300), scores["supervisor"])
