"""Sweep designs, factor checks, derived outcomes, regret, satisficing and conditions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simlib.analysis.outcomes import horizon_values, load_outcomes
from simlib.analysis.robustness import (
    SweepTable,
    explain_changes,
    parse_condition,
    parse_objectives,
    recommend,
    recommendation_changes,
    regret,
    regret_summary,
    satisficing,
    satisficing_summary,
)
from simlib.errors import ScenarioError
from simlib.experiments.model import FunctionModel
from simlib.experiments.sampling import make_design
from simlib.experiments.sweep import check_factors, parse_vary, run_sweep
from simlib.scenario.loading import load_scenario
from simlib.storage.design import Factor
from simlib.storage.store import ExperimentError

# --- parsing and checking factors --------------------------------------------------------


def test_parse_vary():
    assert parse_vary("behaviour.voluntary_quit_rate=0.05:0.2") == Factor(
        "behaviour.voluntary_quit_rate", 0.05, 0.2
    )
    for bad, message in [
        ("behaviour.voluntary_quit_rate", "path=low:high"),
        ("behaviour.voluntary_quit_rate=0.1", "path=low:high"),
        ("behaviour.voluntary_quit_rate=a:b", "must be numbers"),
        ("behaviour.voluntary_quit_rate=0.3:0.1", "must be below high"),
        ("behaviour.voluntary_quit_rate=nan:1", "finite"),
    ]:
        with pytest.raises(ScenarioError, match=message):
            parse_vary(bad)


def test_only_behaviour_and_environment_can_be_swept(tiny):
    scenario = load_scenario(tiny)
    check_factors(
        scenario,
        [Factor("behaviour.raters.reliability", 0.3, 0.9), Factor("environment.years", 1, 4)],
    )
    cases = [
        (Factor("organization.headcount", 10, 20), "only the uncertain assumptions"),
        (Factor("policies.keep_all.rating.bottom_cut", 0.1, 0.2), "only the uncertain"),
        (Factor("behaviour.voluntary_quit_rat", 0.1, 0.2), "did you mean 'behaviour.volun"),
        (Factor("behaviour.raters.reliabilty", 0.1, 0.2), "'behaviour.raters.reliability'"),
        (Factor("environment.market_shocks", 0, 1), "is not a number"),
        (Factor("behaviour.voluntary_quit_rate", 0.1, 2.0), "allowed 0 to 1"),
    ]
    for factor, message in cases:
        with pytest.raises(ScenarioError, match=message):
            check_factors(scenario, [factor])
    with pytest.raises(ScenarioError, match="given twice"):
        check_factors(scenario, [Factor("environment.years", 1, 2)] * 2)
    with pytest.raises(ScenarioError, match="at least one"):
        check_factors(scenario, [])


# --- designs -----------------------------------------------------------------------------


FACTORS = [Factor("a", 0.0, 1.0), Factor("b", 10.0, 20.0), Factor("c", -1.0, 1.0)]


@pytest.mark.parametrize(
    "method,samples,expected",
    [("grid", 3, 27), ("lhs", 20, 20), ("sobol", 8, 8 * 5), ("morris", 6, 6 * 4)],
)
def test_design_sizes_and_bounds(method, samples, expected):
    design = make_design(FACTORS, samples, method, seed=4)
    x = design.variants
    assert len(x) == expected and list(x.columns) == ["a", "b", "c"]
    for f in FACTORS:
        assert x[f.path].between(f.low, f.high).all()
    again = make_design(FACTORS, samples, method, seed=4)
    pd.testing.assert_frame_equal(x, again.variants)


def test_grid_levels_and_lhs_strata():
    grid = make_design(FACTORS[:2], 3, "grid").variants
    assert sorted(grid["a"].unique()) == [0.0, 0.5, 1.0]
    assert sorted(grid["b"].unique()) == [10.0, 15.0, 20.0]
    lhs = make_design(FACTORS, 10, "lhs", seed=1).variants
    # a Latin hypercube puts exactly one point in each tenth of every factor's range
    for f in FACTORS:
        strata = np.floor((lhs[f.path] - f.low) / (f.high - f.low) * 10).clip(0, 9)
        assert sorted(strata.astype(int)) == list(range(10))
    assert len(make_design(FACTORS, 8, "sobol", second_order=True).variants) == 8 * 8


def test_design_errors():
    with pytest.raises(ScenarioError, match="power of 2, e.g. 8 or 16"):
        make_design(FACTORS, 10, "sobol")
    with pytest.raises(ScenarioError, match="did you mean 'sobol'"):
        make_design(FACTORS, 8, "sobl")
    with pytest.raises(ScenarioError, match="allowed at most"):
        make_design(FACTORS * 1, 200, "grid")
    with pytest.raises(ScenarioError, match="at least 2 levels"):
        make_design(FACTORS, 1, "grid")


# --- derived outcomes --------------------------------------------------------------------


def test_horizon_values_and_payroll_growth():
    records = pd.DataFrame(
        {
            "variant": [0] * 6,
            "policy": ["p"] * 6,
            "rep": [0] * 6,
            "week": [0.0, 0.0, 52.0, 104.0, 104.0, 52.0],
            "metric": ["payroll", "headcount", "payroll", "payroll", "headcount", "quits"],
            "value": [100.0, 10.0, 105.0, 121.0, 12.0, 0.1],
        }
    )
    h = horizon_values(records).set_index("metric")["value"]
    assert h["payroll"] == 121.0 and h["headcount"] == 12.0 and h["quits"] == 0.1
    assert h["payroll_growth"] == pytest.approx(0.10)  # 100 -> 121 over two years


# --- conditions ----------------------------------------------------------------------------


def test_conditions_evaluate_like_the_arithmetic_they_spell():
    table = pd.DataFrame({"a": [0.1, 0.2, 0.3, np.nan], "b": [1.0, 2.0, 3.0, 4.0]})
    cases = {
        "a < 0.25": [True, True, False, False],
        "a < 0.25 and b > 1": [False, True, False, False],
        "a < 0.15 or b >= 3": [True, False, True, True],
        "not a < 0.15": [False, True, True, True],
        "0.15 < a <= 0.3": [False, True, True, False],
        "a * 10 - b == 0": [True, True, True, False],
        "(a + 0.1) / 2 > 0.15 and not (b == 2)": [False, False, True, False],
        "-b < -2.5": [False, False, True, True],
    }
    for text, expected in cases.items():
        assert parse_condition(text).holds(table).tolist() == expected, text


@pytest.mark.parametrize(
    "text,message",
    [
        ("__import__('os').system('true')", "function call is not allowed"),
        ("a.real < 1", "attribute is not allowed"),
        ("a < 'x'", "is not allowed"),
        ("a[0] < 1", "is not allowed"),
        ("(lambda: 1)() < 2", "is not allowed"),
        ("a", "compare 'a' with a threshold"),
        ("a < 1 and b", "join comparisons"),
        ("a in b", "compare with"),
        ("a <", "not a valid expression"),
        ("", "empty"),
    ],
)
def test_unsafe_or_malformed_conditions_are_refused(text, message):
    with pytest.raises(ScenarioError, match=message):
        parse_condition(text)


def test_unknown_metric_in_a_condition_gets_a_suggestion():
    cond = parse_condition("voluntary_atrition < 0.1")
    with pytest.raises(ScenarioError, match="did you mean 'voluntary_attrition'"):
        cond.holds(pd.DataFrame({"voluntary_attrition": [0.1]}))


# --- regret and satisficing on a model with known answers --------------------------------


def two_policies(x: float, policy: str, rep: int) -> dict:
    """'steady' earns 0.5 always; 'bold' earns x (better when x > 0.5). Costs: bold x/10."""
    gain = 0.5 if policy == "steady" else x
    return {"gain": gain + 0.0 * rep, "cost": 0.02 if policy == "steady" else x / 10}


@pytest.fixture
def known(tmp_path) -> SweepTable:
    design = make_design([Factor("x", 0.0, 1.0)], 5, "grid")  # x = 0, .25, .5, .75, 1
    run_sweep(
        FunctionModel(two_policies, policies=["steady", "bold"]),
        design,
        tmp_path / "known",
        reps=2,
        task_size=3,
    )
    return SweepTable.load(tmp_path / "known")


def test_regret_against_the_best_policy_in_each_variant(known):
    r = regret(known, {"gain": "max"}).set_index(["variant", "policy"])
    np.testing.assert_allclose(
        r.xs("bold", level="policy")["regret"], [0.5, 0.25, 0.0, 0.0, 0.0], atol=1e-12
    )
    np.testing.assert_allclose(
        r.xs("steady", level="policy")["regret"], [0.0, 0.0, 0.0, 0.25, 0.5], atol=1e-12
    )
    summary = regret_summary(known, {"gain": "max", "cost": "min"}).set_index(["metric", "policy"])
    assert summary.loc[("gain", "bold"), "max_regret"] == pytest.approx(0.5)
    assert summary.loc[("gain", "bold"), "mean_regret"] == pytest.approx(0.15)
    assert summary.loc[("gain", "steady"), "share_best"] == pytest.approx(0.6)  # ties count
    # cost: bold costs 0, .025, .05, .075, .1 against steady's .02
    assert summary.loc[("cost", "bold"), "max_regret"] == pytest.approx(0.08)
    assert summary.loc[("cost", "steady"), "max_regret"] == pytest.approx(0.02)
    assert summary.loc[("cost", "steady"), "direction"] == "min"


def test_satisficing_share_and_map(known):
    shares = satisficing_summary(known, "gain >= 0.5 and cost < 0.06").set_index("policy")
    assert shares.loc["steady", "share"] == 1.0
    assert shares.loc["bold", "share"] == pytest.approx(1 / 5)  # only x = 0.5
    cells = satisficing(known, "gain > 0.6")
    assert cells[cells["holds"]]["x"].tolist() == [0.75, 1.0]
    assert set(cells["policy"][cells["holds"]]) == {"bold"}


def test_which_assumption_changes_the_recommendation(known):
    # max and mean regret tie at .5 and .15: the first policy of the sweep is kept
    assert recommend(known, "gain", "max") == "steady"
    changes = recommendation_changes(known, "gain", "max", bins=5)
    best = dict(zip(changes["low"], changes["best_policy"], strict=True))
    assert best[0.0] == "steady" and best[0.75] == "bold" and best[1.0] == "bold"
    margin = dict(zip(changes["low"], changes["margin"], strict=True))
    assert margin[0.0] == pytest.approx(0.5) and margin[0.75] == pytest.approx(0.25)
    text = explain_changes(known, "gain", "max", bins=5)
    assert "the robust choice is 'steady'" in text
    assert "x would change the recommendation: at x = 0.75, 'bold' is better by 0.25" in text
    # in thirds of the range: only the top third favours bold
    thirds = recommendation_changes(known, "gain", "max", bins=3)
    assert thirds["best_policy"].tolist()[-1] == "bold"
    assert "steady" in thirds["best_policy"].tolist()
    # on cost (lower is better) steady is cheaper except where bold costs under .02
    assert recommend(known, "cost", "min") == "steady"


def test_recommendations_in_words(known):
    from simlib.analysis.robustness import summarize_recommendations

    text = summarize_recommendations(known, {"gain": "max", "cost": "min"})
    assert "Every objective points to the same policy: 'steady'" in text
    # the dearer policy on cost: bold costs more than steady's .02 in 4 of 5 variants
    assert "'bold' is the robust choice" in summarize_recommendations(known, {"cost": "max"})
    mixed = summarize_recommendations(known, {"gain": "min", "cost": "max"})
    assert "disagree: the robust choice is 'steady' on gain, 'bold' on cost" in mixed


def test_objectives_take_the_metric_tables_direction():
    assert parse_objectives(["voluntary_attrition", "gain=max", "gap=zero"]) == {
        "voluntary_attrition": "min",
        "gain": "max",
        "gap": "zero",
    }
    assert parse_objectives(["payroll_growth"]) == {"payroll_growth": "min"}
    with pytest.raises(ScenarioError, match="no default direction"):
        parse_objectives(["headcount"])
    with pytest.raises(ScenarioError, match="allowed max, min, zero"):
        parse_objectives(["gain=up"])


def test_analysis_of_an_unfinished_or_foreign_folder_is_refused(tmp_path, known):
    with pytest.raises(ExperimentError, match="not an experiment folder"):
        load_outcomes(tmp_path)
    design = make_design([Factor("x", 0.0, 1.0)], 4, "grid")
    out = tmp_path / "partial"
    run_sweep(FunctionModel(two_policies, policies=["steady", "bold"]), design, out)
    (out / "parts" / "task-000002.parquet").unlink()
    with pytest.raises(ExperimentError, match="incomplete, 1 of 4 tasks missing"):
        SweepTable.load(out)


def test_a_sweep_beyond_the_machine_is_refused_unless_forced(tmp_path, tiny, monkeypatch):
    from simlib.engine.guards import ResourceLimitError
    from simlib.storage.store import finished_tasks

    design = make_design([Factor("environment.years", 1, 3)], 3, "grid")
    monkeypatch.setenv("SIMLIB_MAX_HOURS", "1e-9")
    with pytest.raises(ResourceLimitError, match="sweep too large for this machine: 3 variants"):
        run_sweep(tiny, design, tmp_path / "big", reps=1)
    assert finished_tasks(tmp_path / "big") == set()  # refused before anything ran
    summary = run_sweep(tiny, design, tmp_path / "big", reps=1, allow_large=True)
    assert summary.computed == 3
    monkeypatch.delenv("SIMLIB_MAX_HOURS")
    assert run_sweep(tiny, design, tmp_path / "small", reps=1).computed == 3
