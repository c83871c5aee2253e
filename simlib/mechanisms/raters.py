"""Raters: how true cycle performance becomes a rating score (DESIGN §3).

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

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.scenario.definition import RaterBehaviour
from simlib.scenario.policy import RatingPolicy
from simlib.state.raters import RaterPanel, RaterTraits
from simlib.state.simulation_state import Review, SimState
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


# --- the sources of one review --------------------------------------------------------


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


# --- one review's ratings -------------------------------------------------------------


@dataclass
class ReviewRatings:
    """Scores of one review for every position (rating SD units)."""

    final: np.ndarray  # the rating that is graded (all sources combined, before calibration)
    self_assessment: np.ndarray | None  # the self-rating (None for the reliability model)


def purpose_shift(beh: RaterBehaviour, rating: RatingPolicy) -> float:
    """Leniency of ratings that decide pay (rating SD units; 0 for developmental ratings)."""
    return beh.pay_decision_leniency if rating.purpose == "administrative" else 0.0


def rate_employees(
    sim: SimState,
    cycle_mean: np.ndarray,
    cycle_weeks: np.ndarray,
    luck_mean: np.ndarray,
) -> ReviewRatings:
    """Every position's rating at this review under the scenario's rater model.

    Draws a fixed number of numbers per position from each stream (``rating``,
    ``self_rating``, ``recent_performance`` and, for 360 sources, ``peer_rating`` and
    ``subordinate_rating``) whatever the policy, so policies see the same raters' noise.
    """
    beh = sim.scenario.behaviour.raters
    true_perf = cycle_mean + luck_mean
    if beh.model == "reliability":
        return ReviewRatings(
            reliability_scores(true_perf, beh.reliability, sim.streams["rating"]), None
        )
    wf = sim.workforce
    rating = sim.policy.rating
    panel = sim.raters
    panel.refresh(wf, sim.streams["raters"])
    traits = panel.traits(beh, rating)
    late = late_performance(
        panel,
        wf,
        cycle_mean,
        cycle_weeks,
        luck_mean,
        sim.scenario.behaviour.performance_noise_sd,
        sim.streams["recent_performance"],
    )
    inputs = RatingInputs(true_perf, late, wf.chart.team, wf.group, wf.active)
    shift = purpose_shift(beh, rating)
    supervisor = supervisor_scores(
        inputs,
        traits,
        panel,
        beh,
        beh.measurement_noise_sd(rating.data_capture),
        shift,
        sim.streams["rating"].standard_normal((wf.size, 3)),
    )
    rows = np.arange(wf.size)
    supervisor = with_halo(supervisor, panel.last_rating(wf, rows), traits.halo[wf.chart.team])
    own = self_scores(inputs, beh, shift, sim.streams["self_rating"].standard_normal(wf.size))
    sources = rating.sources
    if not sources.multi_source:
        return ReviewRatings(supervisor, own)
    n_teams = len(wf.chart.team_manager)
    scores = {"supervisor": supervisor, "self": own}
    available = {"supervisor": wf.active, "self": wf.active}
    if sources.peers > 0:
        scores["peers"], available["peers"] = peer_scores(
            inputs,
            beh,
            panel,
            n_teams,
            sources.peer_count,
            shift,
            sim.streams["peer_rating"].standard_normal((wf.size, 2)),
        )
    if sources.subordinates > 0:
        scores["subordinates"], available["subordinates"] = subordinate_scores(
            inputs,
            beh,
            panel,
            wf.chart.team_manager,
            sources.subordinate_count,
            shift,
            sim.streams["subordinate_rating"].standard_normal((wf.size, 2)),
        )
    weights = {
        "supervisor": sources.supervisor,
        "peers": sources.peers,
        "self": sources.self_rating,
        "subordinates": sources.subordinates,
    }
    return ReviewRatings(combine_sources(scores, available, weights), own)


def recency_snapshots(sim: SimState) -> Generator[Any, Any, None]:
    """Mark the start of each cycle's late part, where recency looks (biased raters only)."""
    beh = sim.scenario.behaviour.raters
    weeks = sim.scenario.environment.weeks_per_cycle
    window = beh.recency_weeks
    if beh.model != "biased" or beh.recency <= 0 or window >= weeks:
        return
    panel = sim.raters
    yield sim.env.timeout(weeks - window)
    while True:
        sim.catch_up()
        panel.snapshot(sim.workforce, sim.now)
        yield sim.env.timeout(weeks)


def remember_ratings(sim: SimState, review: Review) -> None:
    """Raters remember this review's ratings (for halo), when they make self-ratings."""
    if review.self_assessment is not None:
        sim.raters.remember(sim.workforce, review.rated, review.scores[review.rated])


def late_cycle_snapshots(sim: SimState) -> list[Generator[Any, Any, None]]:
    return [recency_snapshots(sim)]


MECHANISM = Mechanism(
    "raters",
    steps=(Step("review", remember_ratings),),
    after_reviews=(late_cycle_snapshots,),
    summary="leniency, compression, halo, recency, similar-to-me; supervisor, peers, self, reports",
)
