"""Money metrics: each cost from what the simulation counted, and net value's parts adding up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simlib
from simlib.errors import ScenarioError
from simlib.metrics.money import NET_VALUE_PARTS, net_value_components, payback_years
from simlib.present.tables import money_table


def at(frame: pd.DataFrame, policy: str, week: float) -> pd.Series:
    rows = frame[(frame["policy"] == policy) & (frame["rep"] == 0) & (frame["week"] == week)]
    return rows.set_index("metric")["value"]


def test_one_exit_a_year_costs_one_hire_and_its_severance(tiny):
    results = simlib.compare(simlib.load_scenario(tiny))
    fired = at(results.frame, "fire_bottom", 52.0)
    kept = at(results.frame, "keep_all", 52.0)
    mean_salary = fired["payroll"] / fired["headcount"]
    # One person let go and replaced at once (time to fill 0): one hire, four weeks' pay.
    assert fired["hiring_cost"] == pytest.approx(0.086 * mean_salary)
    assert fired["severance_cost"] == pytest.approx(4.0 * mean_salary / 52.0)
    assert kept["hiring_cost"] == 0.0 and kept["severance_cost"] == 0.0


def test_net_value_is_output_value_less_its_costs_in_every_record(tiny):
    frame = simlib.compare(simlib.load_scenario(tiny)).frame
    wide = frame.pivot_table(index=["policy", "rep", "week"], columns="metric", values="value")
    wide = wide.dropna(subset=["net_value"])
    summed = sum(sign * wide[name] for name, sign in NET_VALUE_PARTS.items())
    np.testing.assert_allclose(wide["net_value"], summed, rtol=1e-12)
    np.testing.assert_allclose(wide["net_value_per_head"], wide["net_value"] / 10, rtol=1e-12)


def test_net_value_against_the_baseline_reconciles_with_its_parts():
    scenario = simlib.load_scenario(
        "scenarios/policy_showdown.yaml",
        overrides={"organization.headcount": 200, "environment.years": 2},
    )
    results = simlib.compare(scenario, reps=3)
    parts = net_value_components(results.paired_diff())
    assert set(parts["policy"]) == {"forced_distribution", "okr", "pay_matrix"}
    for _, table in parts.groupby("policy"):
        by_part = table.set_index("part")["contribution"]
        assert by_part.drop("net_value").sum() == pytest.approx(by_part["net_value"], rel=1e-9)
    # The table the comparison prints shows the same parts, signed as they enter the sum.
    shown = money_table(results)
    assert list(shown.index) == [*NET_VALUE_PARTS, "net_value", "payback"]


def test_costs_move_net_value_by_exactly_their_amount(tiny):
    free = dict(tiny, costs={"hiring_cost_share": 0.0, "severance_weeks_policy_exit": 0.0})
    priced = simlib.compare(simlib.load_scenario(tiny)).frame
    unpriced = simlib.compare(simlib.load_scenario(free)).frame
    a, b = at(priced, "fire_bottom", 104.0), at(unpriced, "fire_bottom", 104.0)
    assert b["hiring_cost"] == 0.0 and b["severance_cost"] == 0.0
    saved = a["hiring_cost"] + a["severance_cost"]
    assert saved > 0
    assert b["net_value"] - a["net_value"] == pytest.approx(saved)
    assert b["output_value"] == a["output_value"]  # the same people did the same work


def test_output_is_priced_from_salaries_and_the_labour_share_unless_stated(tiny):
    stated = dict(tiny, costs={"output_value_per_point": 1000.0})
    derived = at(simlib.compare(simlib.load_scenario(tiny)).frame, "keep_all", 52.0)
    priced = at(simlib.compare(simlib.load_scenario(stated)).frame, "keep_all", 52.0)
    heads = 10  # everyone worked the whole year
    assert priced["output_value"] == pytest.approx(1000.0 * priced["business_value"] * heads)
    midpoint = 0.5 * (45_000 + 75_000)  # default individual contributor band
    per_point = midpoint / 0.6 / 100
    assert derived["output_value"] == pytest.approx(per_point * derived["business_value"] * heads)


def test_manager_time_costs_hours_at_the_loaded_rate(tiny):
    rate = dict(tiny, costs={"manager_hourly_rate": 50.0})
    frame = simlib.compare(simlib.load_scenario(rate)).frame
    first = at(frame, "keep_all", 52.0)
    hours_per_rater = first["manager_hours"]  # one rater, one year
    assert first["manager_time_cost"] == pytest.approx(50.0 * hours_per_rater)
    assert hours_per_rater > 0


def test_a_currency_other_than_the_salary_bands_is_refused(tiny):
    with pytest.raises(ScenarioError, match="costs.currency"):
        simlib.load_scenario(dict(tiny, costs={"currency": "USD"}))
    assert simlib.load_scenario(dict(tiny, costs={"currency": "EUR"})).costs.currency == "EUR"
    with pytest.raises(ScenarioError, match="hiring_cost_share"):
        simlib.load_scenario(dict(tiny, costs={"hiring_cost_share": -0.1}))


def _net_value_frame(baseline: list[float], policy: list[float]) -> pd.DataFrame:
    rows = []
    for name, values in (("base", baseline), ("new", policy)):
        for year, value in enumerate(values, start=1):
            rows.append((name, 0, 52.0 * year, "net_value", value))
    return pd.DataFrame(rows, columns=["policy", "rep", "week", "metric", "value"])


def test_payback_is_when_the_running_difference_turns_positive():
    # -100 in year 1, +50 a year after: the deficit is repaid half-way through year 3.
    frame = _net_value_frame([0, 0, 0, 0], [-100, 50, 100, 100])
    assert payback_years(frame, "new", "base") == pytest.approx(2.5)
    assert payback_years(_net_value_frame([0, 0], [10, -5]), "new", "base") == 0.0
    assert payback_years(_net_value_frame([0, 0], [-10, 5]), "new", "base") is None
