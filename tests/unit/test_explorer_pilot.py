"""The explorer's Pilot tab: one metric at a time, arms together when the policies mix."""

from __future__ import annotations

from pathlib import Path

import pytest

from simlib import load_scenario
from simlib.present.explorer_pilot import pilot_answer, pilot_metrics

SMALL = """\
name: small
organization: {headcount: 300, span_of_control: 8}
environment: {years: 2}
policies:
  absolute: {preset: absolute, goals: {regime: kpi}}
  okr: {preset: okr}
  curve: {preset: forced_distribution, goals: {regime: kpi}}
  matrix: {preset: pay_matrix}
experiment: {reps: 6, seed: 5, baseline: absolute}
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


def test_the_pilot_tab_offers_only_what_a_pilot_can_measure(small):
    scenario = load_scenario(small)
    offered = pilot_metrics(scenario, "okr", "absolute")
    assert "engagement" in offered and "kpi_attainment" in offered
    assert "grade_share:S" in offered
    assert "workforce_potential" not in offered and "manager_hours" not in offered


def test_the_pilot_answer_runs_the_arms_together_when_they_mix(small):
    scenario = load_scenario(small)
    answer = pilot_answer(scenario, "okr", "absolute", "engagement", reps=6)
    assert answer.arms == "together"
    assert answer.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(answer.table.metric) == {"engagement"}
    assert set(answer.table.cycles) == {1, 2}  # two yearly reviews in two years
    teams = answer.table.units.max()
    assert teams <= 40 and answer.advice.startswith(("Pilot in", "No design"))


def test_the_pilot_answer_says_when_the_arms_were_run_apart(small):
    scenario = load_scenario(small)
    assert pilot_answer(scenario, "curve", "absolute", "engagement", reps=4).arms == "together"
    answer = pilot_answer(scenario, "matrix", "absolute", "engagement", reps=4)
    assert answer.arms == "apart"  # a promotion pool in one arm only: not mixed
    assert "no spillovers" in answer.advice


def test_the_explorer_has_a_pilot_tab_that_fills_from_the_scenario(small):
    pytest.importorskip("ipywidgets")
    from simlib.present.explorer import Explorer
    from simlib.present.explorer_session import FIGURE_TABS

    explorer = Explorer(scenario=small, years=2, reps=3, live=False)
    assert explorer.tabs.get_title(len(FIGURE_TABS)) == "Pilot"
    explorer.tabs.selected_index = len(FIGURE_TABS)
    tab = explorer.pilot
    assert tab.baseline_box.value == "absolute" and tab.policy_box.value == "okr"
    tab.metric_box.value = "voluntary_attrition"
    answer = tab.run()
    assert answer is not None and set(answer.table.metric) == {"voluntary_attrition"}
    assert bytes(tab.image.value)[:4] == b"\x89PNG"
    assert tab.policy_box.value == "okr"  # running keeps the choices
