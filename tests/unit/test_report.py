"""The decision-grade report's parts: plain numbers, the answer in words, money that adds up,
fairness beside the rating gap, the register without nulls, what flips a verdict."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import simlib
from simlib.analysis import ensemble as reading
from simlib.analysis.results import Results
from simlib.errors import ScenarioError
from simlib.experiments.ensemble import Assumption, assumptions, variations
from simlib.present import plots, report, wording
from simlib.present.briefing import (
    BEST_MARK,
    assumptions_register,
    executive_summary,
    register_html,
)

MINUS = wording.MINUS


def synthetic(values: dict[str, dict[str, list[float]]], policies: list[str]) -> Results:
    """Results with the given horizon values per metric and policy, one per replication."""
    rows = []
    for metric, per_policy in values.items():
        for policy, reps in per_policy.items():
            for rep, v in enumerate(reps):
                rows.append((policy, rep, 104.0, metric, v))
    frame = pd.DataFrame(rows, columns=["policy", "rep", "week", "metric", "value"])
    manifest = {
        "policies": policies,
        "baseline": policies[0],
        "reps": len(next(iter(next(iter(values.values())).values()))),
        "seed": 0,
        "scenario_name": "Synthetic",
        "parameters": {
            "description": "Which policy?",
            "policies": {p: {} for p in policies},
            "environment": {"years": 2},
            "organization": {"salary_bands": {"currency": "EUR"}},
        },
    }
    return Results(frame, manifest)


# --- numbers in plain words -----------------------------------------------------------------


def test_numbers_have_three_significant_figures_and_thousands_separators():
    assert wording.number(34_644_969.0) == "34,600,000"
    assert wording.number(0.012345) == "0.0123"
    assert wording.number(-4.177) == f"{MINUS}4.18"
    assert wording.money(34_644_969.0, "EUR") == "€34.6 million"
    assert wording.money(-12_345.0, "CHF", signed=True) == f"{MINUS}CHF 12,300"
    assert wording.level(0.1191, "share") == "11.9%"
    assert wording.number(float("nan")) == wording.MISSING


def test_differences_read_in_their_units_and_an_interval_off_zero_never_shows_zero():
    assert wording.interval(0.0336, 0.0072, 0.06, "share") == (
        "+3.4 percentage points",
        "[0.7, 6.0]",
    )
    value, bounds = wording.interval(-0.017, -0.034, -0.0001, "share")
    assert value.endswith("percentage points") and not re.search(r"[\s\[]0\.0*\]", bounds)
    assert wording.interval(137_697, 114_195, 161_199, "money", "EUR") == (
        "+€138,000",
        "[114,000, 161,000]",
    )
    assert wording.interval(-2.24e6, -4.86e6, 0.38e6, "money", "EUR")[0] == f"{MINUS}€2.2 million"
    assert wording.unit_kind("voluntary_attrition") == "share"
    assert wording.unit_kind("net_value") == "money"
    assert wording.unit_kind("business_value") == "points"
    assert wording.label("voluntary_attrition") == "Voluntary turnover"


# --- the answer in words --------------------------------------------------------------------


def test_only_differences_whose_interval_excludes_zero_are_called_differences():
    r = synthetic(
        {
            "business_value": {"a": [100, 101, 99, 100], "b": [110, 111, 109, 110.5]},
            "engagement": {"a": [0.60, 0.62, 0.61, 0.60], "b": [0.58, 0.66, 0.59, 0.63]},
            "voluntary_attrition": {"a": [0.10, 0.11, 0.12, 0.1], "b": [0.15, 0.16, 0.17, 0.15]},
        },
        ["a", "b"],
    )
    text = report.summary_html(r, ["business_value", "engagement", "voluntary_attrition"])
    assert "Which policy?" in text  # the question comes first
    rows = dict(re.findall(r"<th>([^<]+)<div class='unit'>.*?</th><td>(.*?)</td>", text))
    assert rows["Business value"].startswith("<b>b</b>: +10.1 points [")
    assert "keep <b>a</b>" in rows["Engagement"]  # interval includes zero: alike
    assert "keep <b>a</b>" in rows["Voluntary turnover"]  # b is worse: not recommended
    assert "b worse: +5.00 percentage points" in text
    assert (
        "<b>In short:</b> on business value, <b>b</b> does best: +10.1 points [9.7, 10.5] "
        "against a, at a cost in voluntary turnover +5.00 percentage points" in text
    )


def test_the_star_marks_only_a_clearly_best_policy():
    r = synthetic(
        {
            "business_value": {"a": [100, 101, 99], "b": [110, 111, 109]},  # clear
            "engagement": {"a": [0.6, 0.7, 0.5], "b": [0.61, 0.69, 0.52]},  # noise
            "cooperation": {"a": [0.4, 0.4, 0.4], "b": [0.4, 0.4, 0.4]},  # tie
        },
        ["a", "b"],
    )
    table = executive_summary(r)
    assert table.loc["business_value", "b"].endswith(BEST_MARK)
    assert BEST_MARK not in "".join(table.loc["engagement"])
    assert BEST_MARK not in "".join(table.loc["cooperation"])


# --- money ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_results() -> Results:
    scenario = simlib.load_scenario(
        {
            "name": "small",
            "organization": {
                "headcount": 60,
                "span_of_control": 6,
                "groups": {"group_a": 0.5, "group_b": 0.5},
            },
            "environment": {"years": 2},
            "policies": {
                "absolute": {"preset": "absolute"},
                "forced_distribution": {"preset": "forced_distribution"},
                "pay_matrix": {"preset": "pay_matrix"},
            },
            "experiment": {"reps": 3, "seed": 7},
        }
    )
    return simlib.compare(scenario)


def test_the_net_value_table_reconciles(small_results):
    table = report.money_table(small_results)
    paired = small_results.paired_diff().set_index(["policy", "metric"])
    for policy in ("forced_distribution", "pay_matrix"):
        rows = table[table["policy"] == policy].set_index("part")
        parts = rows.drop(index=["net_value", "payback"])["contribution_k"]
        # The parts shown add up to the net value shown, exactly ...
        assert parts.sum() == rows.loc["net_value", "contribution_k"]
        # ... and that is the simulated difference in net value, in thousands.
        net = paired.loc[(policy, "net_value"), "mean"] / 1e3
        assert abs(rows.loc["net_value", "contribution_k"] - net) <= 0.5
        assert rows.loc["net_value", "low_k"] <= net <= rows.loc["net_value", "high_k"]
    text = report.money_html(small_results)
    assert "Payback period" in text and "thousands of EUR" in text


def test_sections_leak_no_none_nan_or_escaped_newlines(small_results):
    text = "".join(
        [
            report.header_html(small_results),
            report.summary_html(small_results),
            report.money_html(small_results),
            report.fairness_html(small_results),
            report.sanity_html(small_results),
        ]
    )
    visible = re.sub(r"<[^>]+>", " ", text)
    assert not re.search(r"\b(None|NaN|nan|inf)\b", visible)
    assert "\\n" not in visible


def test_the_report_names_the_recorded_objectives_the_scenario_asks_for(small_results):
    assert report.objectives(small_results, ["engagement", "headcount", "nope"]) == [
        "engagement"  # headcount has no better way; nope is not recorded
    ]
    assert report.objectives(small_results)[0] == "net_value"


# --- fairness -------------------------------------------------------------------------------


def _fairness(similar_to_me: float) -> str:
    scenario = simlib.load_scenario(
        "scenarios/rater_bias.yaml",
        overrides={
            "behaviour.raters.similar_to_me": similar_to_me,
            "experiment.policies": ["absolute"],
        },
    )
    return report.fairness_html(simlib.compare(scenario, reps=5, seed=11))


def test_a_group_favoured_by_its_raters_shows_the_four_fifths_flag_and_none_without_bias():
    biased, fair = _fairness(0.30), _fairness(0.0)
    assert "Below the four-fifths threshold: absolute (top grades)" in biased
    assert "<tr class='flag'>" in biased
    assert "No decision falls below the four-fifths threshold" in fair
    assert "<tr class='flag'>" not in fair
    for text in (biased, fair):
        assert "Rating gap between groups at equal true performance" in text


# --- the appendix ---------------------------------------------------------------------------


def test_the_register_shows_values_used_without_nulls_or_escaped_newlines():
    scenario = simlib.load_scenario("scenarios/policy_showdown.yaml")
    register = assumptions_register(scenario, "scenarios/policy_showdown.yaml")
    assert any(v is None for v in register["value"])  # the register itself holds nulls
    text = register_html(register, scenario.policy_names)
    visible = re.sub(r"<[^>]+>", " ", text)
    assert not re.search(r"\bNone\b", visible) and "\\n" not in visible
    assert "derived: manager band midpoint" in visible  # what a null stands for
    assert "<th>okr</th>" in text  # the policies' levers side by side


def test_the_size_register_covers_the_costs():
    from simlib.scenario.sources import register

    paths = {e.path: e for e in register()}
    assert paths["costs.hiring_cost_share"].size.kind == "sourced"
    assert paths["costs.labour_share"].size.range_text() == "0.4–0.8"


# --- the scenario's report key -------------------------------------------------------------


def test_report_metrics_are_checked_against_the_catalogue():
    base = {"policies": {"absolute": {"preset": "absolute"}}}
    ok = simlib.load_scenario({**base, "report": {"metrics": ["engagement"]}})
    assert ok.report.metrics == ["engagement"]
    with pytest.raises(ScenarioError, match="did you mean 'business_value'"):
        simlib.compare({**base, "report": {"metrics": ["busines_value"]}}, reps=1)
    with pytest.raises(ScenarioError, match="report.metrics: listed more than once"):
        simlib.load_scenario({**base, "report": {"metrics": ["engagement", "engagement"]}})


# --- charts ---------------------------------------------------------------------------------


def test_a_policy_keeps_its_colour_by_name_in_every_comparison():
    one = plots.policy_colors(["absolute", "okr"])
    other = plots.policy_colors(["okr", "forced_distribution", "my_policy"])
    assert one["okr"] == other["okr"]
    assert len(set(other.values())) == 3  # a new name takes a colour not in use
    assert plots.policy_colors(["x", "my_policy"])["my_policy"] == plots.policy_colour("my_policy")


def test_time_axes_tick_whole_years_and_headcount_is_always_charted(small_results):
    chosen = plots.report_metrics(small_results, ["engagement"])
    assert chosen == ["headcount", "engagement"]
    fig = plots.plot_over_time(small_results, chosen, ncols=2)
    fig.canvas.draw()
    for ax in fig.axes[:2]:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)


# --- what we don't know ---------------------------------------------------------------------


def test_a_flipping_assumption_gets_its_threshold_by_interpolation():
    a = Assumption("behaviour.x", used=1.0, low=0.0, high=3.0, integer=False, meaning="x")
    gains = pd.DataFrame(
        {
            "variation": [0, 1, 2],
            "metric": ["business_value"] * 3,
            "policy": ["b"] * 3,
            "gain": [1.0, 2.0, -3.0],  # as stated +1; low end +2; high end -3 (shift -4)
            "path": ["", "behaviour.x", "behaviour.x"],
            "end": ["as stated", "low", "high"],
            "value_used": [np.nan, 0.0, 3.0],
        }
    )
    # The comparison's own improvement is +2: moved by +1 at the low end, by -4 at the high.
    (r,) = reading.robustness(gains, {("b", "business_value"): 2.0}, [a])
    assert (r.holds, r.total) == (2, 3)
    (flip,) = r.flips
    assert flip.side == "above" and flip.threshold == pytest.approx(2.0)  # 1 + 2 x 2/4


def test_the_ensemble_varies_behavioural_assumptions_within_their_ranges():
    scenario = simlib.load_scenario("scenarios/baseline.yaml")
    found = assumptions(scenario)
    assert len(found) > 40 and all(a.path.startswith("behaviour.") for a in found)
    assert all(a.low <= a.high for a in found)
    points = variations(found)
    assert points[0].path is None
    assert all(v.value != next(a.used for a in found if a.path == v.path) for v in points[1:])
    with pytest.raises(ScenarioError, match="not a behavioural assumption"):
        assumptions(scenario, ["behaviour.output_per_sd"])  # sourced, not assumed


def test_user_text_in_the_report_is_plain_text_not_links_images_or_scripts():
    """A scenario's name, description and organization are the user's words: a
    ``javascript:`` link, a remote image or a script in them is shown, never live."""
    r = synthetic({"business_value": {"a": [100, 101], "b": [110, 111]}}, ["a", "b"])
    hostile = (
        "Which? [click me](javascript:alert(1)) ![t](http://example.com/pixel.png) "
        "<script>alert(2)</script> <a href='javascript:alert(3)'>x</a>"
    )
    r.manifest["parameters"]["description"] = hostile
    r.manifest["scenario_name"] = "<img src=http://example.com/a.png>"
    r.manifest["parameters"]["organization"]["name"] = "<script>alert(4)</script>"
    page = report.header_html(r) + report.summary_html(r, ["business_value"])
    from html.parser import HTMLParser

    class Tags(HTMLParser):
        found: list[tuple[str, list[tuple[str, str | None]]]] = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, attrs))

    parser = Tags()
    parser.feed(page)
    tags = {tag for tag, _ in parser.found}
    assert not tags & {"script", "img", "a", "iframe"}, tags
    assert not [a for _, attrs in parser.found for a in attrs if a[0] in ("href", "src")]
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page  # shown as text
    assert "[click me](javascript:alert(1))" in page  # Markdown is not rendered
