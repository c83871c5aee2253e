"""Calibration: shrinking ratings toward the shared records (or managers' means and spreads
toward the organization's), and committees with limited hours."""

from __future__ import annotations

import numpy as np
import pytest

import simlib
from simlib import load_scenario
from simlib.mechanisms.calibration import (
    calibrate,
    meeting_hours,
    run_season,
    shrink_toward_evidence,
    shrink_toward_norm,
)
from simlib.scenario.rating import CalibrationRule

SCORES = np.array([2.0, 3.0, 4.0, -1.0, 0.0, 1.0, -0.5, 0.5])
RATER = np.array([0, 0, 0, 1, 1, 1, 2, 2])


def by_rater(x):
    return [x[RATER == r] for r in range(3)]


def test_full_strength_gives_every_manager_the_organizations_mean_and_spread():
    out = shrink_toward_norm(SCORES, RATER, 1.0)
    for part in by_rater(out):
        assert part.mean() == pytest.approx(SCORES.mean())
        assert part.std() == pytest.approx(SCORES.std())


def test_strength_moves_mean_and_spread_part_of_the_way_keeping_the_order():
    out = shrink_toward_norm(SCORES, RATER, 0.5)
    for before, after in zip(by_rater(SCORES), by_rater(out), strict=True):
        assert after.mean() == pytest.approx(before.mean() + 0.5 * (SCORES.mean() - before.mean()))
        assert after.std() == pytest.approx(before.std() + 0.5 * (SCORES.std() - before.std()))
        np.testing.assert_array_equal(np.argsort(after), np.argsort(before))
    np.testing.assert_array_equal(shrink_toward_norm(SCORES, RATER, 0.0), SCORES)


def test_only_the_calibrated_raters_move():
    out = shrink_toward_norm(SCORES, RATER, 1.0, calibrated=np.array([True, False, True]))
    np.testing.assert_array_equal(out[RATER == 1], SCORES[RATER == 1])
    assert out[RATER == 0].mean() == pytest.approx(SCORES.mean())


def test_a_manager_with_one_ratee_moves_in_mean_only():
    out = shrink_toward_norm(np.array([1.0, 2.0, 5.0]), np.array([0, 0, 1]), 1.0)
    assert np.isfinite(out).all()
    assert out[2] == pytest.approx(np.mean([1.0, 2.0, 5.0]))


def test_committee_hours_limit_which_departments_are_calibrated():
    """Meetings of 2, 3 and 4 hours; one committee with 6 hours reaches the first two."""
    rule = CalibrationRule(
        strength=1.0, committee_hours=6, minutes_per_employee=60, overhead_hours=0
    )
    rated = np.array([2.0, 3.0, 4.0])
    raters = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(meeting_hours(rule, rated), [2, 3, 4])
    season = run_season(rule, rated, raters)
    assert season.departments_met.tolist() == [True, True, False]
    np.testing.assert_allclose(season.meeting_hours, [2, 3, 0])
    assert season.manager_hours == pytest.approx(2 * 1 + 3 * 2)
    # Two committees in parallel: 0-2 and 0-3, then 2-6: all three fit.
    two = run_season(rule.model_copy(update={"committees": 2}), rated, raters)
    assert two.departments_met.all()
    assert two.manager_hours == pytest.approx(2 + 6 + 12)


def test_calibrate_leaves_unreached_departments_alone():
    rule = CalibrationRule(
        strength=1.0, committee_hours=3.5, minutes_per_employee=60, overhead_hours=0
    )
    rater_department = np.array([0, 0, 1])
    out, season = calibrate(SCORES, RATER, rater_department, rule)
    # Department 0 (6 ratees, 6 hours) does not fit in 3.5 hours; department 1 (2) does.
    assert season.departments_met.tolist() == [False, True]
    np.testing.assert_array_equal(out[RATER < 2], SCORES[RATER < 2])
    assert out[RATER == 2].mean() == pytest.approx(SCORES.mean())


def rater_bias(**overrides):
    return load_scenario(
        "scenarios/rater_bias.yaml",
        overrides={"organization.headcount": 200, "environment.years": 1, **overrides},
    )


def test_calibrated_policy_spends_manager_hours_in_meetings():
    s = rater_bias()
    raters = 200 // 9 + 1 + 3  # 23 working teams of 8 + a manager, 3 department heads
    hours = {
        p: simlib.simulate(s, p, seed=2).query("metric == 'manager_hours'").value.iloc[-1]
        for p in ("absolute", "calibrated")
    }
    per_review = s.behaviour.raters.review_hours
    assert 0.8 * 200 * per_review < hours["absolute"] * raters <= 200 * per_review
    # Every rater sits through their department's meeting: at least the overhead plus five
    # minutes for each of the ~190 people rated in their department.
    rule = s.policies["calibrated"].rating.calibration
    extra = (hours["calibrated"] - hours["absolute"]) * raters
    assert extra > raters * (rule.overhead_hours + rule.minutes_per_employee / 60 * 0.2 * 190)


def test_calibration_removes_manager_leniency_from_the_ratings():
    """With lenient raters and nothing else, calibration brings ratings back to the truth."""
    quiet = {
        "behaviour.raters.idiosyncratic_sd": 0.0,
        "behaviour.raters.error_sd": 0.0,
        "behaviour.raters.measurement_noise_self_reported_sd": 0.0,
        "behaviour.raters.halo": 0.0,
        "behaviour.raters.leniency_sd": 1.0,
        "organization.headcount": 400,
    }
    s = rater_bias(**quiet)
    acc = {
        p: simlib.simulate(s, p, seed=4).query("metric == 'rating_accuracy'").value.iloc[-1]
        for p in ("absolute", "calibrated")
    }
    assert acc["calibrated"] > acc["absolute"] + 0.1


# --- against the shared records ------------------------------------------------------------

RECORDS = np.array([1.0, 2.0, 3.0, -1.0, 0.0, 1.0, -0.5, 0.5])  # rater 0 rates 1 SD high


def test_full_strength_puts_ratings_where_the_records_predict_keeping_mean_and_spread():
    out = shrink_toward_evidence(SCORES, RECORDS, 1.0)
    assert np.corrcoef(out, RECORDS)[0, 1] == pytest.approx(1.0)
    assert out.mean() == pytest.approx(SCORES.mean())
    assert out.std() == pytest.approx(SCORES.std())
    np.testing.assert_array_equal(shrink_toward_evidence(SCORES, RECORDS, 0.0), SCORES)


def test_a_lenient_managers_departure_shrinks_with_strength():
    def departure(strength):
        out = shrink_toward_evidence(SCORES, RECORDS, strength)
        slope, intercept = np.polyfit(RECORDS, out, 1)
        return (out - (intercept + slope * RECORDS))[RATER == 0].mean()

    gaps = [departure(s) for s in (0.0, 0.5, 1.0)]
    assert gaps[0] > 0.2 and gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] == pytest.approx(0.0, abs=1e-9)


def test_only_the_calibrated_ratings_move_and_decide_the_fit():
    chosen = RATER != 1
    out = shrink_toward_evidence(SCORES, RECORDS, 1.0, calibrated=chosen)
    np.testing.assert_array_equal(out[~chosen], SCORES[~chosen])
    assert np.corrcoef(out[chosen], RECORDS[chosen])[0, 1] == pytest.approx(1.0)


def test_calibrate_uses_the_records_when_there_are_any():
    rule = CalibrationRule(strength=1.0, committee_hours=100)
    with_records, _ = calibrate(SCORES, RATER, np.array([0, 0, 0]), rule, RECORDS)
    assert np.corrcoef(with_records, RECORDS)[0, 1] == pytest.approx(1.0)
    normed, _ = calibrate(SCORES, RATER, np.array([0, 0, 0]), rule)
    np.testing.assert_allclose(normed, shrink_toward_norm(SCORES, RATER, 1.0))


def test_rating_accuracy_rises_with_strength_where_raters_differ_and_the_hours_still_cost():
    accuracy, hours = {}, {}
    for strength in (0.0, 0.4, 0.8):
        s = rater_bias(**{"policies.calibrated.rating.calibration.strength": strength})
        frames = [simlib.simulate(s, "calibrated", seed=4, rep=rep) for rep in range(3)]
        accuracy[strength] = np.mean(
            [f.query("metric == 'rating_accuracy'").value.mean() for f in frames]
        )
        hours[strength] = np.mean(
            [f.query("metric == 'manager_hours'").value.mean() for f in frames]
        )
    assert accuracy[0.0] + 0.03 < accuracy[0.4] < accuracy[0.8] - 0.02
    assert hours[0.4] > hours[0.0] * 1.2
    assert hours[0.8] == pytest.approx(hours[0.4], rel=0.02)  # strength costs no extra hours
