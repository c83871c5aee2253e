"""The turnover study: panel from a simulation, logistic regression, meta-analytic corrections."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simlib import load_scenario
from simlib.analysis.turnover_study import (
    PANEL_COLUMNS,
    PanelObserver,
    base_rate_adjusted,
    corrected_correlation,
    logit,
    person_years,
)
from simlib.engine.simulation import Simulation
from simlib.mechanisms.registry import MECHANISMS

SCENARIO = {
    "organization": {"headcount": 120, "span_of_control": 8},
    "environment": {"years": 3},
    "behaviour": {"voluntary_quit_rate": 0.15},
    "policies": {"ranked": {"preset": "forced_distribution"}, "merit": {"preset": "pay_matrix"}},
}


def test_a_50_50_split_needs_no_adjustment_and_rarer_events_need_more():
    assert base_rate_adjusted(-0.3, 0.5) == pytest.approx(-0.3)
    rare = base_rate_adjusted(-0.1, 0.02)
    assert -1.0 < rare < base_rate_adjusted(-0.1, 0.2) < -0.1
    # the formula of Kemery, Dunlap & Griffeth (1988) with u = .5 / sqrt(pq)
    u = 0.5 / math.sqrt(0.02 * 0.98)
    assert rare == pytest.approx(u * -0.1 / math.sqrt((u * u - 1) * 0.01 + 1))
    assert math.isnan(base_rate_adjusted(0.2, 0.0))


def test_the_corrected_correlation_disattenuates_for_rating_reliability():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(20_000)
    left = (x + rng.standard_normal(20_000) < 0).astype(float)  # a 50/50 split
    r = np.corrcoef(x, left)[0, 1]
    assert corrected_correlation(x, left, 0.64) == pytest.approx(r / 0.8, rel=0.02)
    assert math.isnan(corrected_correlation(x, np.zeros(20_000), 0.5))


def test_logit_recovers_known_coefficients():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50_000, 2))
    p = 1 / (1 + np.exp(-(-1.5 + 0.8 * x[:, 0] - 0.4 * x[:, 1])))
    y = (rng.random(50_000) < p).astype(float)
    beta, se = logit(x, y)
    assert np.allclose(beta, [-1.5, 0.8, -0.4], atol=4 * se.max())
    assert np.all(se < 0.05)


def test_the_panel_observes_without_changing_the_simulation():
    s = load_scenario(SCENARIO)
    plain = Simulation(s, "ranked", seed=3, rep=0, neutral_quit_rate=0.1).run()
    panel = person_years(s, "ranked", seed=3, rep=0, neutral_quit_rate=0.1)
    # the same run with the observer and the departures log: results are unchanged
    observed = Simulation(
        s,
        "ranked",
        seed=3,
        rep=0,
        neutral_quit_rate=0.1,
        mechanisms=(*MECHANISMS, PanelObserver().mechanism),
    )
    observed.turnover.departures = []
    pd.testing.assert_frame_equal(observed.run(), plain)
    assert list(panel.columns) == PANEL_COLUMNS
    # two windows (after the reviews at weeks 52 and 104), everyone rated in each
    assert sorted(panel["week"].unique()) == [52.0, 104.0]
    assert panel.groupby("week")["score_z"].mean().abs().max() < 1e-9
    # who left: quits and exits as the simulation counted them, per window
    log = observed.turnover.departures
    quits = sum(len(d.rows) for d in log if d.voluntary and 52 <= d.week < 156)
    assert 0 < panel["voluntary"].sum() <= quits  # leavers who had been rated
    assert set(panel["voluntary"].unique()) <= {0.0, 1.0}
    assert not ((panel["voluntary"] == 1) & (panel["involuntary"] == 1)).any()


def test_the_panel_sees_promotions_and_salary_growth():
    s = load_scenario(SCENARIO)
    panel = person_years(s, "merit", seed=3, rep=0, neutral_quit_rate=0.1)
    promoted = panel[panel["promoted"] == 1]
    assert len(promoted) > 0 and (promoted["promotions"] >= 1).all()
    seen = panel[(panel["years_seen"] >= 1) & panel["salary_growth"].notna()]
    # a promotion raise of 10% in the year: the promoted grew faster than anyone else
    first_year = seen[seen["week"] == 52.0]
    assert first_year[first_year["promoted"] == 1]["salary_growth"].min() > 0.10
    assert first_year[first_year["promoted"] == 0]["salary_growth"].max() < 0.10
