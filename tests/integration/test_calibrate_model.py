"""Calibration through the model itself: an organization simulated with known assumptions,
recorded as an HR export, is calibrated back from its moments.

Each true value must fall inside the posterior's 90% interval, and the calibrated status
quo must reproduce the data's voluntary turnover within 2.5 points and its grade shares
within 5 points, in the calibration's own moments and in ``simlib compare``'s metrics over
the written ``scenario.yaml``. A 400-person organization in the default run (well under a
minute on two cores); 1,000 people with the default budget are slow-marked. Each parameter
is checked at its own 90% interval: with coverage near 90% a check of P parameters holds
about 0.9^P of the time for a given seed (benchmarks/calibration_coverage.py measures how
often it does).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from simlib.calibration.assumptions import INTERCEPT
from simlib.calibration.fit import calibrate, fit_table
from simlib.hr import panel
from simlib.hr.moments import observed_moments
from simlib.scenario.loading import load_scenario

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


@pytest.fixture(scope="module")
def small():
    return recover(400, trials=24, particles=48, reps=2)


def test_a_small_organization_is_calibrated_back_to_its_known_assumptions(small):
    cal, observed, seconds = small
    check(cal, observed)
    assert seconds < 60


def test_compare_over_the_calibrated_scenario_shows_the_observed_turnover_and_shares(
    small, tmp_path
):
    """``simlib compare CAL/scenario.yaml`` at the status quo: the ledger's voluntary
    turnover and grade shares (mean over cycles and replications) within 2.5 and 5 points
    of the data's pooled moments. The ledger counts managers (they are rated and can quit);
    the observed moments leave them out (docs/hr_moments.md), so the two differ by the
    managers' share and the ledger is the looser match."""
    from simlib.calibration.outputs import write_outputs
    from simlib.experiments.compare import compare

    cal, observed, _seconds = small
    inputs = {"observed": tmp_path / "observed.csv"}
    observed.to_csv(inputs["observed"], index=False)
    paths = write_outputs(cal, tmp_path / "cal", inputs, {"trials": 24})
    results = compare(paths["scenario"], policies=[cal.scenario.baseline], reps=4, seed=11)
    frame = results.frame[results.frame.week > 0]
    ledger = frame.groupby("metric")["value"].mean()
    pooled = observed[observed.cycle.isna()].set_index("moment")["value"]
    assert abs(ledger["voluntary_attrition"] - pooled["voluntary_attrition"]) < 0.025
    grades = cal.scenario.policies[cal.scenario.baseline].rating.grades
    for grade in grades:
        name = f"grade_share:{grade}"
        assert abs(ledger[name] - pooled[name]) < 0.05, (grade, ledger[name], pooled[name])


def test_a_snapshot_export_imports_and_calibrates(tmp_path):
    """Department, monthly salary, a two-level rating, tenure and a yes/no attrition flag,
    no ids: imported, then calibrated against the model read as a snapshot. The status quo
    reproduces the data's turnover within 2.5 points, its turnover by grade within the
    simulated intervals, and its grade shares within 5 points."""
    from simlib.calibration.observed import read_observed
    from simlib.cli.hr_import import import_export
    from simlib.hr.example import write_example

    export = tmp_path / "export"
    write_example(export, shape="snapshot")
    written, _warnings, _summary = import_export(
        export / "employees.csv", None, export / "mapping.yaml", tmp_path / "org"
    )
    start = load_scenario(written["organization"])
    grades = start.policies[start.baseline].rating.grades
    assert len(grades) == 2
    observed = read_observed(written["observed"], grades)
    assert observed.attrs["shape"] == "snapshot" and observed.cycle.isna().all()
    cal = calibrate(start, observed, trials=12, particles=32, reps=2, seed=1)
    table = fit_table(cal).set_index("moment")
    rate = table.at["voluntary_attrition", "observed"]
    assert abs(table.at["voluntary_attrition", "simulated"] - rate) < 0.025
    by_grade = table[table.index.str.startswith("voluntary_attrition_by_grade:")]
    assert len(by_grade) == 2 and by_grade.within.all(), by_grade
    shares = table[table.index.str.startswith("grade_share:")]
    assert np.abs(shares.simulated - shares.observed).max() < 0.05


@pytest.mark.slow
def test_a_thousand_people_over_four_cycles_with_the_default_budget():
    from simlib.calibration.fit import DEFAULT_PARTICLES, DEFAULT_REPS, DEFAULT_TRIALS

    cal, observed, seconds = recover(1000, DEFAULT_TRIALS, DEFAULT_PARTICLES, DEFAULT_REPS)
    check(cal, observed)
    assert seconds < 600
