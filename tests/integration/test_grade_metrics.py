"""Grade metrics by running the model: misclassification by share of people, grade shares.

Misclassification counts the true top 20% graded in the bottom 20% of people; on a
10/20/60/10 scale that is the bottom grade alone, not the last two grades (70% of people).
Grade shares are one metric per grade of the policy's scale, read like any other metric.
"""

from __future__ import annotations

import numpy as np
import pytest

import simlib
from simlib.engine.simulation import Simulation
from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.registry import MECHANISMS
from simlib.metrics.catalogue import METRIC_DIRECTION, METRIC_UNITS, metric
from simlib.present.tables import summary_table
from simlib.state.simulation_state import Review

CURVE = {"A": 0.10, "B": 0.20, "C": 0.60, "D": 0.10}
TEAM_CURVE = {"S": 0.05, "A": 0.20, "B": 0.60, "C": 0.10, "D": 0.05}


def four_grades() -> dict:
    """About 300 people, one 10/20/60/10 forced curve ranked within departments."""
    return {
        "name": "four_grades",
        "organization": {"headcount": 300, "span_of_control": 10},
        "environment": {"years": 3},
        "policies": {
            "absolute": {"preset": "absolute"},
            "curve": {
                "rating": {
                    "scheme": "forced_distribution",
                    "shares": CURVE,
                    "ranking_unit": "department",
                }
            },
        },
        "experiment": {"reps": 4, "seed": 13, "baseline": "absolute"},
    }


@pytest.fixture(scope="module")
def results() -> simlib.Results:
    return simlib.compare(four_grades())


def test_a_10_20_60_10_curve_misclassifies_few_top_performers(results):
    curve = results.summary(["misclassification"]).set_index("policy").loc["curve"]
    assert curve["mean"] < 0.2
    assert curve["ci_high"] < 0.2


def test_the_last_two_grades_would_count_most_of_the_top_as_bottom():
    """What the old definition counted: the true top 20% graded C or D (70% of people)."""
    scenario = simlib.load_scenario(four_grades())
    reviews: list[Review] = []
    keep = Mechanism(
        "keep", steps=(Step("after_review", lambda sim, r: reviews.append(r)),), observer=True
    )
    frame = Simulation(scenario, "curve", seed=13, mechanisms=(*MECHANISMS, keep)).run()
    review = reviews[-1]
    true = review.true_performance[review.rated]
    grades = review.grades[review.rated]
    top = true >= np.quantile(true, 0.8)
    last_two = float(np.isin(grades[top], [2, 3]).mean())
    bottom_grade = float((grades[top] == 3).mean())
    reported = frame[frame["metric"] == "misclassification"]["value"].iloc[-1]
    assert reported == pytest.approx(bottom_grade)
    assert last_two > 0.3 > 0.2 > reported


def test_grade_shares_are_metrics_of_the_policy_scale(results):
    f = results.frame
    shares = f[f["metric"].str.startswith("grade_share:")]
    by_policy = shares.groupby("policy")["metric"].unique()
    assert sorted(by_policy["curve"]) == sorted(f"grade_share:{g}" for g in CURVE)
    assert sorted(by_policy["absolute"]) == sorted(
        f"grade_share:{g}" for g in ("S", "A", "B", "C", "D")
    )
    totals = shares.groupby(["policy", "rep", "week"])["value"].sum()
    assert np.allclose(totals, 1.0)
    # Departments of ~100 rated round the 10/20/60/10 quota to within a person or two.
    curve = results.summary([f"grade_share:{g}" for g in CURVE])
    curve = curve[curve["policy"] == "curve"].set_index("metric")["mean"]
    for grade, share in CURVE.items():
        assert curve[f"grade_share:{grade}"] == pytest.approx(share, abs=0.02)


def test_grade_shares_read_through_the_catalogue(results):
    assert METRIC_UNITS["grade_share:D"] == "share of the rated (0-1)"
    assert "grade_share:D" not in METRIC_DIRECTION  # no better way
    assert metric("grade_share:D").label == "Share graded D"
    assert metric("grade_share") is None and metric("nonsense:D") is None
    table = summary_table(results)
    assert "grade_share:D" in table.index and "misclassification" in table.index
    diff = results.paired_diff(metrics=["grade_share:D"])
    assert list(diff["policy"]) == ["curve"]  # both policies have a D


def test_a_team_of_ten_gets_an_s_or_a_d_at_random():
    """Teams of 10 on 5/20/60/10/5 have half an S and half a D: random ties hand out each
    about equally often; 'better' ties always the S; the bottom rule always a D."""

    def shares(rounding: dict) -> dict[str, float]:
        scenario = simlib.load_scenario(
            {
                "name": "teams_of_ten",
                "organization": {
                    "headcount": 400,
                    "span_of_control": 10,
                    "include_managers": False,
                },
                "environment": {"years": 2},
                "policies": {
                    "curve": {
                        "rating": {
                            "scheme": "forced_distribution",
                            "shares": TEAM_CURVE,
                            "ranking_unit": "team",
                            "rounding": rounding,
                        }
                    }
                },
                "behaviour": {"voluntary_quit_rate": 0.0, "exits": None},
            }
        )
        frame = simlib.simulate(scenario, "curve", seed=5)
        rows = frame[frame["metric"].str.startswith("grade_share:")]
        return rows.groupby("metric")["value"].mean().to_dict()

    random_ties = shares({})  # 40 teams x 2 reviews: about 40 S and 40 D
    assert 0.03 < random_ties["grade_share:S"] < 0.07
    assert random_ties["grade_share:S"] + random_ties["grade_share:D"] == pytest.approx(0.1)
    better = shares({"ties": "better"})
    assert better["grade_share:S"] == pytest.approx(0.1) and better["grade_share:D"] == 0
    rule = shares({"ties": "better", "bottom_grade_min_unit": 10})
    assert rule["grade_share:D"] == pytest.approx(0.1) and rule["grade_share:S"] == 0
