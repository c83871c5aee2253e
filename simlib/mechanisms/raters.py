"""Raters: each review's ratings from every source, and the raters' late-cycle snapshots.

How a rater judges is in :mod:`simlib.mechanisms.rater_judgement` (the two rater models,
``reliability`` and ``biased``, are described there); what each source sees and how a 360
policy combines them in :mod:`simlib.mechanisms.rating_sources`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.rater_judgement import late_performance, reliability_scores, with_halo
from simlib.mechanisms.rating_sources import (
    RatingInputs,
    combine_sources,
    peer_scores,
    self_scores,
    subordinate_scores,
    supervisor_scores,
)
from simlib.scenario.rater_behaviour import RaterBehaviour
from simlib.scenario.rating import RatingPolicy
from simlib.state.simulation_state import Review, SimState

# --- one review's ratings -------------------------------------------------------------


@dataclass
class ReviewRatings:
    """Scores of one review for every position (rating SD units)."""

    final: np.ndarray  # the rating that is graded (all sources combined, before calibration)
    self_assessment: np.ndarray | None  # the self-rating (None for the reliability model)
    records: np.ndarray | None = None  # the cycle's performance records (SD units), as noisy
    # as the supervisor reads them: the evidence a calibration committee shares


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
    measurement_sd = beh.measurement_noise_sd(rating.data_capture)
    draws = sim.streams["rating"].standard_normal((wf.size, 3))
    supervisor = supervisor_scores(inputs, traits, panel, beh, measurement_sd, shift, draws)
    records = true_perf + measurement_sd * draws[:, 0]
    rows = np.arange(wf.size)
    supervisor = with_halo(supervisor, panel.last_rating(wf, rows), traits.halo[wf.chart.team])
    own = self_scores(inputs, beh, shift, sim.streams["self_rating"].standard_normal(wf.size))
    sources = rating.sources
    if not sources.multi_source:
        return ReviewRatings(supervisor, own, records)
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
    return ReviewRatings(combine_sources(scores, available, weights), own, records)


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
