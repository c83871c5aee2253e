"""Layoffs and discharges for cause: base rates, who is let go, aligned draws, off switches."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtri

import simlib
from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.errors import ScenarioError
from simlib.mechanisms.layoffs import discharge_probability


def scenario(years: int = 1, **exits) -> dict:
    """An organization where nobody quits and nobody is dismissed by a rule."""
    return {
        "organization": {"headcount": 400, "span_of_control": 8},
        "environment": {"years": years, "exit_check_weeks": 4},
        "behaviour": {"voluntary_quit_rate": 0.0, "exits": exits},
        "policies": {"absolute": {"preset": "absolute"}, "fd": {"preset": "forced_distribution"}},
    }


def run(spec: dict, policy: str = "absolute", seed: int = 3, **kwargs) -> Simulation:
    sim = Simulation(load_scenario(spec), policy, seed=seed, **kwargs)
    sim.run()
    return sim


def test_discharge_chance_follows_the_liability_model_with_the_stated_mean():
    rng = np.random.default_rng(0)
    z = rng.standard_normal(400_000)
    active = np.ones(len(z), dtype=bool)
    chance, rho = 0.02, 0.32
    p = discharge_probability(z, active, chance, rho)
    assert p.mean() == pytest.approx(chance, rel=1e-9)  # scaled to the stated mean exactly
    # The liability model drawn directly: conduct = rho (-z) + sqrt(1 - rho^2) e, worst 2%.
    conduct = -rho * z + np.sqrt(1 - rho**2) * rng.standard_normal(len(z))
    discharged = conduct > ndtri(1 - chance)
    for low, high in ((-3, -1), (-1, 0), (0, 1), (1, 3)):
        band = (z > low) & (z <= high)
        assert p[band].mean() == pytest.approx(discharged[band].mean(), rel=0.08)
    # Weakly related: the point-biserial correlation with performance is small but negative.
    r = np.corrcoef(z, discharged)[0, 1]
    assert -0.15 < r < -0.02
    assert p[z < -1].mean() > 2 * p[z > 1].mean()


def test_discharge_chance_is_flat_without_a_relation_and_zero_without_a_rate():
    z = np.linspace(-3, 3, 101)
    active = np.ones(101, dtype=bool)
    assert np.all(discharge_probability(z, active, 0.01, 0.0) == 0.01)
    assert np.all(discharge_probability(z, active, 0.0, 0.32) == 0.0)
    p = discharge_probability(z, active, 0.01, 0.32)
    assert np.all(np.diff(p) < 0)  # the weaker, the likelier


def test_realised_rates_are_the_stated_ones_and_leavers_are_replaced():
    spec = scenario(years=4, layoff_rate=0.10, discharge_rate=0.05)
    layoffs = discharges = exposure = 0.0
    for seed in range(3):
        sim = run(spec, seed=seed)
        layoffs += sim.counts.layoffs
        discharges += sim.counts.discharges
        exposure += 400 * 4
        # No exit rule and no quits: every leaver was laid off or discharged, and replaced.
        assert sim.counts.quits == 0
        assert sim.counts.exits == sim.counts.layoffs + sim.counts.discharges
        # Every leaver replaced or still searched for (the last few searches may be open).
        assert sim.counts.hires + sim.requisitions.open == sim.counts.exits
        assert sim.requisitions.open <= 20
    # Vacancies take a few weeks to fill, so slightly fewer person-years are at risk.
    assert layoffs / exposure == pytest.approx(0.10, abs=0.01)
    assert discharges / exposure == pytest.approx(0.05, abs=0.008)


def test_discharges_fall_on_weaker_performers_and_layoffs_on_anyone():
    """After the first check (week 4), vacancies still open keep each leaver's traits."""
    gaps = {}
    for name, exits in (
        ("discharge", {"layoff_rate": 0.0, "discharge_rate": 0.3}),
        ("layoff", {"layoff_rate": 0.3, "discharge_rate": 0.0}),
    ):
        spec = scenario(**exits, discharge_performance_correlation=0.6)
        spec["hiring"] = {"time_to_fill_weeks": 60}
        spec["behaviour"].update(incentives=None, performance_noise_sd=0.0)
        diffs = []
        for seed in range(6):
            sim = Simulation(load_scenario(spec), "absolute", seed=seed, trace=True)
            sim.start()
            sim.env.run(until=5)
            wf = sim.workforce
            assert [(w, e) for w, e, _ in sim.trace if e in ("layoff", "discharge")] == [
                (4.0, name)
            ]
            perf = wf.potential + wf.skill
            diffs.append(perf[~wf.active].mean() - perf[wf.active].mean())
        gaps[name] = float(np.mean(diffs))
    assert gaps["discharge"] < -0.4  # the discharged were clearly weaker than those kept
    assert abs(gaps["layoff"]) < 0.15  # the laid off were like everyone else


def test_policies_see_the_same_layoffs():
    """One draw per position per check from the layoffs stream, whatever the policy."""
    spec = scenario(layoff_rate=0.3, discharge_rate=0.0)
    spec["hiring"] = {"time_to_fill_weeks": 60}
    left = {}
    for policy in ("absolute", "fd"):
        sim = Simulation(load_scenario(spec), policy, seed=5)
        sim.start()
        sim.env.run(until=30)  # several checks, before the first review
        left[policy] = ~sim.workforce.active
    assert left["absolute"].any()
    assert np.array_equal(left["absolute"], left["fd"])


def test_rates_of_zero_or_no_exit_behaviour_switch_it_off():
    base = scenario(years=2, layoff_rate=0.0, discharge_rate=0.0)
    off = run(base, trace=True)
    assert off.counts.exits == 0
    assert not any(e in ("layoff", "discharge") for _, e, _ in off.trace)
    assert "layoffs" not in off.streams._cache  # nothing drawn from its stream
    frame = simlib.simulate(load_scenario(base), "absolute", seed=1)
    assert "layoffs_and_discharges" not in set(frame.metric)
    assert (frame[frame.metric == "involuntary_exits"].value == 0).all()
    null = scenario(years=2)
    null["behaviour"]["exits"] = None
    sim = run(null)
    assert sim.counts.exits == 0 and "layoffs" not in sim.streams._cache


def test_the_results_count_them_among_involuntary_exits():
    spec = scenario(years=2, layoff_rate=0.06, discharge_rate=0.02)
    frame = simlib.simulate(load_scenario(spec), "absolute", seed=2)
    by = frame[frame.week > 0].pivot(index="week", columns="metric", values="value")
    # No exit rule under the absolute preset: every involuntary exit is a layoff or discharge.
    assert np.allclose(by["involuntary_exits"], by["layoffs_and_discharges"])
    assert (by["layoffs_and_discharges"] > 0.03).all()
    fd = simlib.simulate(load_scenario(spec), "fd", seed=2)
    fd_by = fd[fd.week > 0].pivot(index="week", columns="metric", values="value")
    # The forced curve adds its own exits on top (two consecutive D grades by year two).
    assert fd_by["involuntary_exits"].iloc[-1] > fd_by["layoffs_and_discharges"].iloc[-1]


def test_a_rate_out_of_range_names_the_field():
    with pytest.raises(ScenarioError, match="layoff_rate"):
        load_scenario(scenario(layoff_rate=1.5))
