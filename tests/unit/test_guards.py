"""The resource guard: estimates scale with the run, refusals state the estimate, --force wins."""

from __future__ import annotations

import time

import pytest

from simlib import compare, load_scenario, simulate
from simlib.cli.main import main
from simlib.engine import guards
from simlib.engine.guards import ResourceLimitError, check_resources, estimate_resources
from tests.conftest import SCENARIOS

HUGE = {
    "organization.headcount": 2_000_000,
    "environment.years": 100,
    "experiment.reps": 1_000,
}


@pytest.fixture
def baseline():
    return load_scenario(SCENARIOS / "baseline.yaml")


def test_estimate_scales_with_reps_policies_and_workers(baseline):
    one = estimate_resources(baseline, reps=1, policies=["absolute"])
    ten = estimate_resources(baseline, reps=10, policies=["absolute"])
    both = estimate_resources(baseline, reps=10)
    assert ten.seconds == pytest.approx(10 * one.seconds)
    assert both.seconds > ten.seconds and both.simulations == 20
    assert ten.peak_bytes > one.peak_bytes  # the result frame grows with replications
    bigger = estimate_resources(
        load_scenario(baseline, overrides={"organization.headcount": 50_000})
    )
    assert bigger.seconds > both.seconds and bigger.peak_bytes > both.peak_bytes


def test_estimate_is_in_the_measured_range(baseline):
    """Calibration: ~4M agent-weeks/s for the 500-person baseline, ~100M for Scullen's design."""
    base = estimate_resources(baseline, reps=1, policies=["absolute"])
    assert 1e6 < base.agent_weeks / base.seconds < 1.6e7
    scullen = load_scenario(
        SCENARIOS / "scullen2005.yaml", overrides={"organization.headcount": 100_000}
    )
    est = estimate_resources(scullen, reps=1, policies=["forced_distribution"])
    assert 2.5e7 < est.agent_weeks / est.seconds < 4e8
    assert 100 < est.peak_bytes / 1e6 < 2_000  # a few hundred bytes a position, plus Python


def test_huge_run_is_refused_with_the_estimate(baseline):
    scenario = load_scenario(baseline, overrides=HUGE)
    with pytest.raises(ResourceLimitError) as info:
        check_resources(scenario)
    message = str(info.value)
    assert "2,000 simulations (2 policies x 1,000 replications)" in message
    assert "2,000,000 positions over 100 years" in message
    assert "days on 1 worker (limit 24 h" in message
    assert "--force (allow_large=True)" in message
    assert check_resources(scenario, allow_large=True).seconds > 86_400


def test_memory_limit_names_the_selection_ratio(baseline, monkeypatch):
    monkeypatch.setattr(guards, "available_memory", lambda: 4e9)
    scenario = load_scenario(
        baseline, overrides={"organization.headcount": 200_000, "hiring.selection_ratio": 0.001}
    )
    with pytest.raises(ResourceLimitError) as info:
        check_resources(scenario, reps=1)
    message = str(info.value)
    assert "GB of memory (4 GB available)" in message
    assert "hiring.selection_ratio (now 1,000 applicants per hire)" in message


def test_time_limit_comes_from_the_environment(baseline, monkeypatch):
    check_resources(baseline)
    monkeypatch.setenv("SIMLIB_MAX_HOURS", "0.0001")
    with pytest.raises(ResourceLimitError, match=r"limit 0\.36 s, SIMLIB_MAX_HOURS"):
        check_resources(baseline)


def test_compare_and_simulate_refuse_before_allocating(baseline):
    start = time.perf_counter()
    with pytest.raises(ResourceLimitError):
        compare(load_scenario(baseline, overrides=HUGE))
    # Two million positions with 10,000 applicants each would need ~650 GB at hiring.
    monster = load_scenario(
        baseline, overrides={"organization.headcount": 2_000_000, "hiring.selection_ratio": 0.0001}
    )
    with pytest.raises(ResourceLimitError, match="applicants per hire"):
        simulate(monster, "absolute")
    assert time.perf_counter() - start < 5.0


def test_check_command_applies_the_guard(capsys):
    args = ["check", str(SCENARIOS / "baseline.yaml")]
    args += [f"--set={k}={v}" for k, v in HUGE.items()]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("simlib: error: run too large for this machine")
    assert main([*args, "--force"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK ") and "beyond this machine; allowed by --force" in out


def test_check_reports_the_estimate_for_a_normal_scenario(capsys):
    assert main(["check", str(SCENARIOS / "baseline.yaml")]) == 0
    out = capsys.readouterr().out
    assert "a full run needs about" in out and "of memory" in out
    assert "beyond" not in out
