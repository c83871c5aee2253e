"""The model's raters reproduce the published structure of ratings, by running them.

Scullen, Mount & Goff (2000): ratee 21–25%, idiosyncratic 53–62%, error 11–18% of rating
variance (their two data sets); supervisors agree .45–.61 (Viswesvaran, Ones & Schmidt 1996:
.52; Salgado & Moscoso 2019: .45 administrative, .61 research), peers .37–.47 (Conway &
Huffcutt 1997: .37; Viswesvaran et al.: .42); self-ratings correlate .22–.35 with
supervisors' and are .32–.49 SD lenient (Heidemeier & Moser 2009; Harris & Schaubroeck 1988).
The bands are the sources' ranges, the same as the validation's.
"""

from __future__ import annotations

import pytest

import simlib
from simlib.analysis.validation import rating_variance

BANDS = {
    "ratee": (0.21, 0.25),
    "idiosyncratic": (0.53, 0.62),
    "error": (0.11, 0.18),
    "supervisor_interrater_r": (0.45, 0.61),
    "peer_interrater_r": (0.37, 0.47),
    "self_supervisor_r": (0.22, 0.35),
    "self_leniency_d": (0.32, 0.49),
}
# The defaults sit about .01 inside the bands' edges; 100,000 ratees keep a correlation's
# sampling error near .003.
RATEES = 100_000


@pytest.mark.parametrize("seed", [0, 1])
def test_default_raters_land_in_the_published_bands(seed):
    got = rating_variance(seed=seed, ratees=RATEES)
    for key, (low, high) in BANDS.items():
        assert low <= got[key] <= high, f"{key} = {got[key]:.3f}, published band {low}–{high}"
    shares = got["ratee"] + got["idiosyncratic"] + got["perspective"] + got["error"]
    assert shares == pytest.approx(1.0)
    assert 0.0 < got["perspective"] < 0.2


def test_same_seed_same_figures_and_scenario_raters_are_used():
    assert rating_variance(seed=3) == rating_variance(seed=3)
    # rater_bias only adds similar-to-me bias, which one group in the design cannot show.
    assert rating_variance("scenarios/rater_bias.yaml", seed=3) == rating_variance(seed=3)


def test_the_check_fails_for_raters_that_break_the_structure():
    """Perfect raters, or raters without a shared view of the records, miss the bands."""
    perfect = {
        "name": "perfect",
        "policies": {"a": {}},
        "behaviour": {
            "raters": {
                "model": "biased",
                "leniency_sd": 0,
                "idiosyncratic_sd": 0,
                "error_sd": 0.1,
                "measurement_noise_self_reported_sd": 0,
            }
        },
    }
    got = rating_variance(perfect)
    assert got["ratee"] > 0.35 and got["idiosyncratic"] < 0.45
    assert got["supervisor_interrater_r"] > 0.6
    no_records = {
        "name": "no_records",
        "policies": {"a": {}},
        "behaviour": {"raters": {"measurement_noise_self_reported_sd": 0}},
    }
    assert rating_variance(no_records)["supervisor_interrater_r"] < 0.45


def paired(reps, policies):
    results = simlib.compare("scenarios/rater_bias.yaml", policies=policies, reps=reps, seed=11)
    table = results.paired_diff(metrics=["rating_accuracy", "group_rating_gap"])
    return {(row.policy, row.metric): row for row in table.itertuples()}


def test_calibration_and_360_make_ratings_more_accurate():
    diff = paired(8, ["absolute", "calibrated", "feedback_360"])
    for policy in ("calibrated", "feedback_360"):
        row = diff[(policy, "rating_accuracy")]
        assert row.ci_low > 0, f"{policy}: {row.mean:+.3f} [{row.ci_low:+.3f}, {row.ci_high:+.3f}]"
    assert diff[("feedback_360", "rating_accuracy")].mean > 0.1


@pytest.mark.slow
def test_group_gap_under_360_and_trained_raters():
    """Trained raters show less similar-to-me bias; 360 ratings, less noisy, show the peers'
    and supervisor's shared bias more plainly (in SD units of the rating)."""
    diff = paired(30, ["absolute", "feedback_360", "trained_raters"])
    assert diff[("trained_raters", "group_rating_gap")].ci_high < 0
    assert diff[("feedback_360", "group_rating_gap")].ci_low > 0
