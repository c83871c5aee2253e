"""The okr_sweet_spot check measures the okr preset as shipped and can fail."""

from __future__ import annotations

import pytest

from simlib.analysis.findings import FINDINGS, Run
from simlib.scenario.loading import load_scenario

STRETCH = "policies.okr.goals.stretch_sd"


@pytest.fixture(scope="module")
def run() -> Run:
    return Run(reps=6, seed=3, quick=True)


def test_the_check_measures_the_presets_stretch(run):
    preset = load_scenario({"policies": {"okr": {"preset": "okr"}}}).policies["okr"].goals
    result = FINDINGS["okr_sweet_spot"].check(run)
    assert result.details["stretch_sd"] == preset.stretch
    assert result.holds, result.row()


def test_without_striving_for_the_target_the_grade_falls_short(run):
    # Goals that draw no extra performance for their difficulty: only luck, the estimate's
    # error and the small gain of having a goal at all move people toward the target.
    on = FINDINGS["okr_sweet_spot"].check(run)
    off = FINDINGS["okr_sweet_spot"].check(run, overrides={"behaviour.goals.difficulty_slope": 0.0})
    assert off.simulated < off.low
    assert off.simulated < on.simulated - 0.05
