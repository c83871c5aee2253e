"""Calibration through the model itself: an organization simulated with known assumptions,
recorded as an HR export, is calibrated back from its moments.

The true values must fall inside the posterior's 90% interval, and the calibrated status
quo must reproduce the data's voluntary turnover within 2.5 points and its grade shares
within 5 points. A 400-person organization in the default run (well under a minute on two
cores); 1,000 people with the default budget are slow-marked.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from simlib.calibration.assumptions import INTERCEPT
from simlib.calibration.fit import calibrate, fit_table
from simlib.hr.moments import observed_moments
from simlib.scenario.loading import load_scenario

panel = pytest.importorskip("simlib.hr.panel")

ROOT = Path(__file__).resolve().parents[2]
TRUTH = {"behaviour.exits.u_curvature": 0.14, "behaviour.raters.reliability": 0.6}


def organization(headcount: int):
    return load_scenario(
        ROOT / "scenarios" / "baseline.yaml",
        overrides={
            "organization.headcount": headcount,
            "environment.years": 4,
            "behaviour.voluntary_quit_rate": 0.12,
        },
    )


def recover(headcount: int, trials: int, particles: int, reps: int):
    start = organization(headcount)
    truth = load_scenario(start, overrides=TRUTH)
    observed = observed_moments(panel.record_panel(truth, truth.baseline, seed=999))
    began = time.perf_counter()
    cal = calibrate(start, observed, trials=trials, particles=particles, reps=reps, seed=3)
    return cal, observed, time.perf_counter() - began


def check(cal, observed):
    for path, true in TRUTH.items():
        low, high = cal.interval(path)
        assert low <= true <= high, (path, true, low, high)
    table = fit_table(cal)
    pooled = table[table.cycle.isna()].set_index("moment")
    observed_rate = float(pooled.at["voluntary_attrition", "observed"])
    assert abs(cal.realised_quit_rate - observed_rate) < 0.025
    assert abs(cal.scenario.behaviour.voluntary_quit_rate - observed_rate) < 0.025
    shares = pooled[pooled.index.str.startswith("grade_share:")]
    assert len(shares) == 5
    assert np.abs(shares.simulated - shares.observed).max() < 0.05
    assert INTERCEPT in {a.path for a in cal.identified}


def test_a_small_organization_is_calibrated_back_to_its_known_assumptions():
    cal, observed, seconds = recover(400, trials=24, particles=24, reps=2)
    check(cal, observed)
    assert seconds < 60


@pytest.mark.slow
def test_a_thousand_people_over_four_cycles_with_the_default_budget():
    from simlib.calibration.fit import DEFAULT_PARTICLES, DEFAULT_REPS, DEFAULT_TRIALS

    cal, observed, seconds = recover(1000, DEFAULT_TRIALS, DEFAULT_PARTICLES, DEFAULT_REPS)
    check(cal, observed)
    assert seconds < 600
