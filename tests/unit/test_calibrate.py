"""Calibration's parts: the distance, the posterior's weights, the outputs, the command's
refusals and the posterior's draws in compare. The fitter runs here against a cheap
stand-in for the status quo's recorded moments (tests/unit/calibration_standin.py); the
recovery of known values through the model itself is tests/integration/test_calibrate_model.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from simlib.calibration import draws, posterior
from simlib.calibration.assumptions import INTERCEPT
from simlib.calibration.distance import (
    MISSING_TERM,
    distances,
    mahalanobis,
    moment_covariance,
    shrunk_covariance,
)
from simlib.calibration.fit import backtest, calibrate, fit_table
from simlib.calibration.observed import sampling_variance
from simlib.calibration.outputs import commented_yaml, write_outputs
from simlib.calibration.report import write_report
from simlib.cli.main import main
from simlib.scenario.loading import load_scenario
from simlib.storage.checksums import file_sha256

sys.path.insert(0, str(Path(__file__).parent))
from calibration_standin import standin_moments  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TRUTH = {
    "behaviour.exits.u_curvature": 0.15,
    "behaviour.raters.leniency_sd": 0.6,
    "behaviour.raters.error_sd": 0.9,
}
TRUE_INTERCEPT = 0.12


@pytest.fixture(scope="module")
def organization():
    return load_scenario(
        ROOT / "scenarios" / "baseline.yaml",
        overrides={"environment.years": 4, "behaviour.raters.model": "biased"},
    )


@pytest.fixture(scope="module")
def observed(organization):
    truth = load_scenario(organization, overrides=TRUTH)
    return standin_moments(truth, 999, 0, TRUE_INTERCEPT)


@pytest.fixture(scope="module")
def fitted(organization, observed):
    return calibrate(
        organization, observed, trials=40, particles=150, reps=3, seed=1, moments=standin_moments
    )


def test_the_distance_is_the_sum_of_squared_standardised_gaps():
    sims = np.array([[[0.2, 1.0], [0.4, 1.0]]])  # one trial, two reps, two moments
    got = distances(sims, observed=np.array([0.1, 1.0]), variance=np.array([0.01, 0.5]))
    # moment 1: mean .3, gap .2, var .01 + var of the mean (.02 / 2 = .01): .04 / .02 = 2
    assert got == pytest.approx([2.0])
    missing = np.array([[[np.nan, 1.0], [np.nan, 1.0]]])
    assert distances(missing, np.array([0.1, 1.0]), np.array([0.01, 0.5])) == pytest.approx(
        [MISSING_TERM]
    )


def test_the_posterior_distance_is_mahalanobis_with_the_replications_added():
    """Diagonal covariance: the squared standardised gaps, the variance times (1 + 1/R)."""
    sims = np.array([[[0.2, 1.0], [0.4, 1.0]]])  # R = 2: mean (0.3, 1.0)
    cov = np.diag([0.01, 0.5])
    got = mahalanobis(sims, np.array([0.1, 2.0]), cov)
    assert got == pytest.approx([(0.04 / 0.01 + 1.0 / 0.5) / 1.5])
    missing = np.array([[[np.nan, 1.0], [np.nan, 1.0]]])
    assert mahalanobis(missing, np.array([0.1, 1.0]), cov) == pytest.approx([MISSING_TERM])


def test_moments_that_move_together_are_not_counted_twice():
    """The same gap in two moments that are nearly the same quantity (pooled turnover and a
    by-grade rate that makes up most of it): independent terms count it twice, the
    covariance about once."""
    rng = np.random.default_rng(5)
    common = rng.normal(0, 0.01, 400)
    samples = np.column_stack([common, common + rng.normal(0, 0.001, 400)])
    cov, intensity = moment_covariance(samples, np.array([1e-4, 1e-4]))
    assert 0 <= intensity < 0.1
    sims = np.array([[[0.02, 0.02]] * 4])
    observed = np.zeros(2)
    joint = mahalanobis(sims, observed, cov)[0]
    single = mahalanobis(sims[:, :, :1], observed[:1], cov[:1, :1])[0]
    independent = mahalanobis(sims, observed, np.diag(np.diag(cov)))[0]
    assert joint == pytest.approx(single, rel=0.1)
    assert independent == pytest.approx(2 * single, rel=0.1)


def test_ledoit_wolf_shrinks_noisy_correlations_more_when_replications_are_few():
    true = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 4.0]])
    rng = np.random.default_rng(8)
    many = rng.multivariate_normal(np.zeros(3), true, size=20_000)
    cov, many_intensity = shrunk_covariance(many)
    assert cov == pytest.approx(true, abs=0.06)
    few = [rng.multivariate_normal(np.zeros(3), true, size=8) for _ in range(50)]
    few_intensity = np.mean([shrunk_covariance(sample)[1] for sample in few])
    assert many_intensity < 0.01 < few_intensity
    floored, _i = moment_covariance(np.zeros((10, 2)), np.array([0.1, 0.4]))
    assert np.diag(floored) == pytest.approx([0.01, 0.04])  # a moment that never varied


def test_a_correlated_posterior_is_recovered_through_the_multivariate_proposal():
    """Stage after stage the proposal learns the posterior's correlation; the weighted draws
    recover its mean and correlation."""
    rng = np.random.default_rng(4)
    centre = np.array([0.3, 0.6])
    cov = np.array([[0.02**2, 0.8 * 0.02 * 0.05], [0.8 * 0.02 * 0.05, 0.05**2]])
    inverse = np.linalg.inv(cov)
    low, high = np.zeros(2), np.ones(2)
    q = posterior.Proposal(np.array([0.35, 0.5]), np.diag([0.1**2, 0.1**2]), low, high)
    proposals, counts = [], []
    points = np.empty((0, 2))
    for _stage in range(3):
        proposals.append(q)
        counts.append(3000)
        points = np.vstack([points, q.draw(3000, rng)])
        gap = points - centre
        d = np.einsum("ij,jk,ik->i", gap, inverse, gap)
        w = posterior.weights(d, posterior.mixture_log_density(proposals, counts, points))
        q = posterior.refined(proposals[0], points, w)
    mean = w @ points
    spread = np.sqrt(w @ (points - mean) ** 2)
    corr = (w @ ((points[:, 0] - mean[0]) * (points[:, 1] - mean[1]))) / spread.prod()
    assert mean == pytest.approx(centre, abs=0.005)
    assert corr == pytest.approx(0.8, abs=0.05)
    assert posterior.effective_sample_size(w) > 0.2 * len(w)


def test_sampling_variances_follow_their_formulas():
    assert sampling_variance("voluntary_attrition", 0.1, 100) == pytest.approx(0.0009)
    assert sampling_variance("rating_stability", 0.6, 101) == pytest.approx(0.64**2 / 100)
    assert sampling_variance("manager_mean_rating_sd", 0.5, 51) == pytest.approx(0.25 / 100)
    assert sampling_variance("grade_share:S", 0.0, 50) > 0  # an observed zero still varies


def test_importance_weights_undo_the_proposal():
    """A Gaussian likelihood N(0.3, 0.05) drawn through an off-centre proposal: the weighted
    draws recover its mean and SD, which they would not without dividing by the proposal."""
    rng = np.random.default_rng(3)
    q = posterior.Proposal(np.array([0.4]), np.array([[0.15**2]]), np.array([0.0]), np.array([1.0]))
    points = q.draw(20_000, rng)
    d = ((points[:, 0] - 0.3) / 0.05) ** 2
    w = posterior.weights(d, q.log_density(points))
    mean = np.sum(w * points[:, 0])
    sd = np.sqrt(np.sum(w * (points[:, 0] - mean) ** 2))
    assert mean == pytest.approx(0.3, abs=0.003)
    assert sd == pytest.approx(0.05, abs=0.003)
    naive = np.exp(-d / 2) / np.exp(-d / 2).sum()  # without the proposal's density
    assert np.sum(naive * points[:, 0]) > 0.303
    assert posterior.effective_sample_size(np.full(10, 0.1)) == pytest.approx(10)


def test_the_fit_recovers_known_values_and_narrows_their_box(fitted):
    """The machinery on a stand-in: each true value inside the posterior's 99% interval,
    which is narrower than the box it was fitted in. (Whether 90% intervals cover 90% of
    the time is the model's recovery test, tests/integration/test_calibrate_model.py.)"""
    assert {a.path for a in fitted.identified} == set(TRUTH) | {INTERCEPT}
    for a in fitted.identified:
        if a.path in TRUTH:
            low, high = fitted.interval(a.path, level=0.99)
            assert low <= TRUTH[a.path] <= high, (a.path, low, high)
            assert high - low < 0.8 * (a.high - a.low)
    low, high = post_interval = fitted.interval(INTERCEPT)  # the realised rate, not intercept
    assert low < high and post_interval == (low, high)
    assert fitted.ess > 3
    assert "behaviour.exits.pay_lag_sensitivity" in {a.path for a in fitted.unidentified}


def test_the_same_seed_gives_the_same_fit_and_posterior(organization, observed, fitted):
    again = calibrate(
        organization, observed, trials=40, particles=150, reps=3, seed=1, moments=standin_moments
    )
    assert again.best == fitted.best
    pd.testing.assert_frame_equal(again.particles, fitted.particles)
    other = calibrate(
        organization, observed, trials=40, particles=150, reps=3, seed=2, moments=standin_moments
    )
    assert other.best != fitted.best


def test_the_fit_table_says_whether_each_observed_value_is_within(fitted):
    table = fit_table(fitted)
    assert list(table.columns[:7]) == [
        "moment", "cycle", "observed", "simulated", "lower", "upper", "within",
    ]  # fmt: skip
    inside = (table.observed >= table.lower) & (table.observed <= table.upper)
    assert (table.within == inside).all()
    assert table.within.mean() > 0.7


def test_the_holdout_fits_earlier_cycles_and_forecasts_the_last(organization, observed):
    cal = calibrate(
        organization,
        observed,
        trials=24,
        particles=24,
        reps=2,
        seed=1,
        holdout="last",
        moments=standin_moments,
    )
    used = cal.observed[cal.observed.used]
    assert used.cycle.max() == 3
    table = backtest(cal)
    assert set(table.moment) >= {"voluntary_attrition", "rating_stability"}
    naive = observed[(observed.cycle == 3) & (observed.moment == "voluntary_attrition")]
    row = table[table.moment == "voluntary_attrition"].iloc[0]
    assert row.naive == pytest.approx(float(naive.value.iloc[0]))
    assert (table.lower <= table.predicted).all() and (table.predicted <= table.upper).all()


def test_outputs_carry_intervals_posterior_and_manifest(fitted, tmp_path, organization):
    src = tmp_path / "organization.yaml"
    src.write_text(yaml.safe_dump(organization.restated(), sort_keys=False))
    obs = tmp_path / "observed.csv"
    obs.write_text("moment,value,n,cycle\n")
    paths = write_outputs(fitted, tmp_path / "cal", {"scenario": src, "observed": obs}, {"t": 1})
    text = paths["scenario"].read_text()
    low, high = fitted.interval("behaviour.raters.error_sd")
    line = next(x for x in text.splitlines() if x.strip().startswith("error_sd:"))
    assert f"{low:.3g}-{high:.3g}" in line
    again = load_scenario(paths["scenario"])
    assert again.behaviour.raters.error_sd == pytest.approx(
        fitted.best["behaviour.raters.error_sd"], 1e-3
    )
    assert again.behaviour.voluntary_quit_rate == pytest.approx(fitted.realised_quit_rate, 1e-3)
    table = pd.read_parquet(paths["posterior"])
    assert table.weight.sum() == pytest.approx(1.0)
    assert {"behaviour.raters.error_sd", "neutral_quit_rate", INTERCEPT} <= set(table.columns)
    manifest = json.loads(paths["manifest"].read_text())
    assert manifest["inputs"]["observed"] == file_sha256(obs)
    assert 0 <= manifest["covariance_shrinkage"] <= 1
    assert "behaviour.exits.pay_lag_sensitivity" in manifest["unidentified"]
    page, png = write_report(fitted, tmp_path / "cal")
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "behaviour.exits.pay_lag_sensitivity" in page.read_text()


def test_comments_land_on_the_line_of_their_path():
    data = {"a": {"x": 1, "b": {"x": 2}}, "x": 3}
    text = commented_yaml(data, {"a.b.x": "here"}, "")
    assert [line for line in text.splitlines() if "# here" in line] == ["    x: 2  # here"]


@pytest.fixture
def inputs(tmp_path, organization, observed):
    src = tmp_path / "organization.yaml"
    src.write_text(yaml.safe_dump(organization.restated(), sort_keys=False))
    obs = tmp_path / "observed.csv"
    observed.to_csv(obs, index=False)
    return src, obs


def _run(argv, capsys):
    code = main(argv)
    return code, capsys.readouterr().err


def test_a_missing_observed_file_is_refused(inputs, tmp_path, capsys):
    src, _obs = inputs
    code, err = _run(
        ["calibrate", str(src), "--observed", str(tmp_path / "no.csv"), "--out", "c"], capsys
    )
    assert code == 2 and "no.csv: no such file" in err


def test_an_unknown_moment_is_refused_by_name(inputs, tmp_path, capsys):
    src, obs = inputs
    bad = tmp_path / "bad.csv"
    bad.write_text(obs.read_text() + "happiness_index,0.5,100,1\n")
    code, err = _run(["calibrate", str(src), "--observed", str(bad), "--out", "c"], capsys)
    assert code == 2 and "unknown moment happiness_index" in err


def test_observed_moments_with_nothing_usable_are_refused(inputs, tmp_path, capsys):
    src, _obs = inputs
    bad = tmp_path / "empty.csv"
    bad.write_text("moment,value,n,cycle\nvoluntary_attrition,,100,1\nraise_by_grade:S,0.04,9,\n")
    code, err = _run(["calibrate", str(src), "--observed", str(bad), "--out", "c"], capsys)
    assert code == 2 and "no usable moment" in err


def test_a_trial_budget_below_one_is_refused(inputs, capsys):
    src, obs = inputs
    code = None
    with pytest.raises(SystemExit) as stop:
        code = main(["calibrate", str(src), "--observed", str(obs), "--out", "c", "--trials", "0"])
    assert code is None and stop.value.code == 2
    assert "give a whole number of trials, at least 1" in capsys.readouterr().err


def test_the_command_writes_every_output(inputs, tmp_path, monkeypatch, capsys):
    from simlib.calibration import simulated

    monkeypatch.setattr(simulated, "panel_moments", standin_moments)
    src, obs = inputs
    out = tmp_path / "cal"
    argv = ["calibrate", str(src), "--observed", str(obs), "--out", str(out), "--jobs", "1"]
    code = main([*argv, "--trials", "8", "--particles", "8", "--reps", "2", "--holdout", "last"])
    assert code == 0
    written = {p.name for p in out.iterdir()}
    assert written >= {
        "scenario.yaml", "fit.csv", "posterior.parquet", "backtest.csv", "manifest.json",
        "report.html", "fit.png",
    }  # fmt: skip
    assert "carrying the previous cycle forward" in (out / "report.html").read_text()
    assert main(["check", str(out / "scenario.yaml")]) == 0
    assert "effective sample size" in capsys.readouterr().out


def test_posterior_draws_are_seeded_by_replication_and_follow_the_weights():
    table = pd.DataFrame({"behaviour.raters.halo": [0.1, 0.2, 0.3], "weight": [0.0, 0.5, 0.5]})
    rows = draws.draw_rows(table, 200, seed=5)
    assert rows == draws.draw_rows(table, 200, seed=5)
    assert rows[:50] == draws.draw_rows(table, 50, seed=5)  # rep r's draw does not move
    assert 0 not in rows and {1, 2} <= set(rows)
    assert draws.assumptions_of(table, 2) == {"behaviour.raters.halo": 0.3}


def test_a_posterior_column_that_is_no_field_is_refused(tmp_path):
    path = tmp_path / "p.parquet"
    pd.DataFrame({"behaviour.raters.halox": [0.2], "weight": [1.0]}).to_parquet(path)
    with pytest.raises(Exception, match="halox"):
        draws.read_posterior(path)


def test_compare_draws_each_replication_s_assumptions_from_the_posterior(tmp_path):
    from simlib.experiments.compare import compare

    small = {"organization.headcount": 60, "environment.years": 1}
    path = tmp_path / "posterior.parquet"
    pd.DataFrame({"behaviour.raters.reliability": [0.9, 0.6], "weight": [1.0, 0.0]}).to_parquet(
        path
    )
    scenario = ROOT / "scenarios" / "baseline.yaml"
    drawn = compare(scenario, reps=2, seed=4, overrides=small, posterior=path)
    assert drawn.manifest["posterior"] == {"sha256": file_sha256(path), "rows": [0, 0]}
    fixed = compare(
        scenario, reps=2, seed=4, overrides={**small, "behaviour.raters.reliability": 0.9}
    )
    plain = compare(scenario, reps=2, seed=4, overrides=small)
    pd.testing.assert_frame_equal(drawn.frame, fixed.frame)
    assert not drawn.frame.equals(plain.frame)


def test_absolute_thresholds_move_until_the_status_quo_gives_the_observed_shares(organization):
    from simlib.calibration.grades import status_quo_grades

    wanted = [0.10, 0.25, 0.45, 0.15, 0.05]
    grades = organization.policies[organization.baseline].rating.grades
    observed = pd.DataFrame(
        {
            "moment": [f"grade_share:{g}" for g in grades],
            "value": wanted,
            "n": 1000,
            "cycle": pd.array([pd.NA] * 5, dtype="Int64"),
        }
    )
    moved, runs = status_quo_grades(organization, observed, standin_moments, 1, 2)
    assert runs == 10
    rating = moved.policies[moved.baseline].rating
    assert rating.thresholds != organization.policies[organization.baseline].rating.thresholds
    got = standin_moments(moved, 1, 0, 0.1)
    shares = got[got.moment.str.startswith("grade_share:")].value.to_numpy()
    assert np.abs(shares - wanted).max() < 0.01


def test_resume_keeps_a_finished_calibration_and_redoes_a_changed_one(
    inputs, tmp_path, monkeypatch, capsys
):
    from simlib.calibration import simulated

    calls = []

    def counted(*args):
        calls.append(1)
        return standin_moments(*args)

    monkeypatch.setattr(simulated, "panel_moments", counted)
    src, obs = inputs
    out = tmp_path / "cal"
    argv = ["calibrate", str(src), "--observed", str(obs), "--out", str(out), "--jobs", "1"]
    argv += ["--trials", "4", "--particles", "4", "--reps", "1", "--resume", "--quiet"]
    assert main(argv) == 0
    first = len(calls)
    assert main(argv) == 0
    assert len(calls) == first and "up to date" in capsys.readouterr().out
    (out / "fit.csv").write_text("tampered")
    assert main(argv) == 0
    assert len(calls) == 2 * first
    assert main([*argv, "--seed", "9"]) == 0
    assert len(calls) == 3 * first


def test_a_forced_distribution_takes_the_observed_shares_without_simulating(organization):
    from simlib.calibration.grades import status_quo_grades

    forced = load_scenario(organization, overrides={"experiment.baseline": "forced_distribution"})
    grades = forced.policies["forced_distribution"].rating.grades
    observed = pd.DataFrame(
        {
            "moment": [f"grade_share:{g}" for g in grades],
            "value": [0.1, 0.3, 0.4, 0.15, 0.05],
            "n": 500,
            "cycle": pd.array([pd.NA] * 5, dtype="Int64"),
        }
    )
    moved, runs = status_quo_grades(forced, observed, standin_moments, 1, 2)
    assert runs == 0
    assert moved.policies["forced_distribution"].rating.grade_shares() == [
        0.1,
        0.3,
        0.4,
        0.15,
        0.05,
    ]
