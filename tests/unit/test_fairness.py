"""Adverse impact by group: rates, the four-fifths flag, Fisher's test and the shortfall."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact

import simlib
from simlib.metrics.fairness import adverse_impact_table, impact_ratio, worst_ratio


def _frame(outcome: str, counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """One review's records: ``group -> (rated, selected)``."""
    rows = []
    for group, (rated, selected) in counts.items():
        rows.append(("p", 0, 52.0, f"rated_in_group:{group}", float(rated)))
        rows.append(("p", 0, 52.0, f"selection_rate:{outcome}/{group}", selected / rated))
    return pd.DataFrame(rows, columns=["policy", "rep", "week", "metric", "value"])


def test_a_favourable_rate_below_four_fifths_of_the_highest_is_flagged():
    table = adverse_impact_table(_frame("promotions", {"a": (200, 50), "b": (100, 15)}))
    a, b = table.set_index("group").loc["a"], table.set_index("group").loc["b"]
    assert (a["rate"], b["rate"]) == (0.25, 0.15)
    assert b["impact_ratio"] == pytest.approx(0.6) and b["four_fifths_flag"]
    assert a["impact_ratio"] == 1.0 and not a["four_fifths_flag"]
    assert b["p_value"] == pytest.approx(fisher_exact([[15, 85], [50, 150]])[1])
    assert b["shortfall"] == pytest.approx(0.25 * 100 - 15)  # ten promotions short


def test_adverse_decisions_compare_the_least_affected_group_with_each():
    table = adverse_impact_table(_frame("exits", {"a": (200, 4), "b": (100, 4)}))
    b = table.set_index("group").loc["b"]
    assert b["impact_ratio"] == pytest.approx(0.02 / 0.04) and b["four_fifths_flag"]
    assert b["shortfall"] == pytest.approx(4 - 0.02 * 100)  # two exits in excess
    assert impact_ratio(np.zeros(2), favourable=False) is None


def test_rates_within_four_fifths_are_not_flagged():
    table = adverse_impact_table(_frame("top_grades", {"a": (100, 20), "b": (100, 17)}))
    assert not table["four_fifths_flag"].any()
    assert worst_ratio(np.array([0.2, 0.17])) == pytest.approx(0.85)


def _audit(similar_to_me: float) -> pd.DataFrame:
    scenario = simlib.load_scenario(
        "scenarios/rater_bias.yaml",
        overrides={
            "behaviour.raters.similar_to_me": similar_to_me,
            "experiment.policies": ["absolute"],
        },
    )
    table = adverse_impact_table(simlib.compare(scenario, reps=5, seed=11).frame)
    return table[table["outcome"] == "top_grades"].set_index("group")


def test_raters_who_favour_their_own_group_show_adverse_impact_on_top_grades():
    biased = _audit(0.30)  # the shipped rater_bias scenario's similar-to-me bias
    fair = _audit(0.0)  # the same organization, raters without it
    assert biased.loc["minority", "four_fifths_flag"]
    assert biased.loc["minority", "p_value"] < 0.001
    assert biased.loc["minority", "shortfall"] > 0
    assert not fair["four_fifths_flag"].any()
    assert fair["impact_ratio"].min() > 0.9
