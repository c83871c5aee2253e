"""The ratings-against-objective-measures study reads what the company's records show."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.analysis.findings.objective_measures import (
    BAND,
    POLICY,
    rating_kpi_pairs,
    review_correlations,
)
from simlib.engine.simulation import Simulation
from simlib.engine.turnover_anchor import anchor_quit_rate
from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.registry import MECHANISMS
from simlib.scenario.loading import load_scenario


def small_scenario(years: int = 1, gameable_share: float = 0.05):
    return load_scenario(
        {
            "name": "objective_measures_test",
            "organization": {"headcount": 80},
            "environment": {"years": years},
            "behaviour": {"goals": {"gameable_share": gameable_share}},
            "policies": {POLICY: {"preset": "absolute", "goals": {"regime": "kpi"}}},
        }
    )


def observed_reviews(scenario):
    """Per review: rating scores, KPI output, and the review's own scores and true performance."""
    seen = []

    def observe(sim, review):
        scores, kpi = rating_kpi_pairs(sim, review)
        rows = review.rated
        seen.append((scores, kpi, review.scores[rows], review.true_performance[rows], sim))

    recorder = Mechanism("test_recorder", steps=(Step("review", observe),), observer=True)
    intercept = anchor_quit_rate(scenario, MECHANISMS, Simulation)
    Simulation(
        scenario,
        POLICY,
        seed=4,
        rep=0,
        mechanisms=(*MECHANISMS, recorder),
        neutral_quit_rate=intercept,
    ).run()
    assert len(seen) == scenario.environment.years
    return seen


def test_without_gaming_the_objective_measure_is_the_cycles_real_output():
    (scores, kpi, review_scores, true_perf, sim) = observed_reviews(small_scenario())[0]
    k = sim.scenario.behaviour.output_per_sd
    np.testing.assert_allclose(scores, review_scores)
    # The KPI is output, not a rating: 1 for an average hire, k per SD of the cycle's
    # true performance (luck included) ...
    scenario = small_scenario(gameable_share=0.0)
    (_, kpi0, _, true0, sim0) = observed_reviews(scenario)[0]
    np.testing.assert_allclose(kpi0, 1.0 + sim0.scenario.behaviour.output_per_sd * true0)
    # ... and gaming adds to it, at most the gameable share of the real output.
    real = 1.0 + k * true_perf
    excess = kpi - real
    assert excess.max() > 0
    assert np.all(excess <= 0.05 * np.maximum(real, 0.0) + 1e-12)


def test_one_correlation_per_review_and_the_band_is_the_sources_spread():
    r = review_correlations(small_scenario(years=3), seed=4, rep=0)
    assert len(r) == 3
    assert np.all((r > 0) & (r < 1))
    assert BAND == pytest.approx((0.27, 0.508))
