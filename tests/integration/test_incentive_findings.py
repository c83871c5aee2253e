"""Published findings about incentive responses, checked by running the model.

Each finding has a fast check in the default run and, where more replications tighten
it, a slow one (``pytest -m slow``). Paired differences use common random numbers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.metrics.catalogue import METRIC_UNITS

ROOT = Path(__file__).resolve().parents[2]


def organization(policies: dict, headcount: int = 400, years: int = 3, **extra) -> dict:
    scenario = {
        "name": "findings",
        "organization": {"headcount": headcount, "span_of_control": 8},
        "environment": {"years": years},
        "policies": policies,
    }
    for section, values in extra.items():
        scenario.setdefault(section, {}).update(values)
    return scenario


def runs(scenario: dict, reps: int, seed: int = 5) -> dict[str, list[Simulation]]:
    s = load_scenario(scenario)
    out: dict[str, list[Simulation]] = {}
    for policy in s.policies:
        sims = []
        for rep in range(reps):
            sim = Simulation(s, policy, seed=seed, rep=rep)
            sim.frame = sim.run()
            sims.append(sim)
        out[policy] = sims
    return out


def at_horizon(sims: list[Simulation], metric: str) -> np.ndarray:
    values = []
    for sim in sims:
        f = sim.frame[sim.frame.metric == metric]
        values.append(f.value.iloc[-1])
    return np.array(values)


def mean_over_cycles(sims: list[Simulation], metric: str) -> np.ndarray:
    return np.array([s.frame[s.frame.metric == metric].value.mean() for s in sims])


def quit_rates(sims: list[Simulation]) -> np.ndarray:
    """Quits per person at risk by performance quintile (bottom first), pooled over runs."""
    quits = np.array([s.counts.quits_by_quintile for s in sims]).sum(0)
    risk = np.array([s.counts.at_risk_by_quintile for s in sims]).sum(0)
    return quits / risk


# --- Trevor, Gerhart & Boudreau (1997): U-shaped turnover, pay growth and top performers ---


def check_turnover(reps: int, headcount: int) -> None:
    policies = {"merit": {"preset": "absolute"}, "flat": {"pay": {"scheme": "flat"}}}
    r = runs(organization(policies, headcount=headcount), reps)
    merit = quit_rates(r["merit"])
    assert merit[0] > merit[2] and merit[4] > merit[2], merit  # U-shaped
    flat = quit_rates(r["flat"])
    # Without merit differentiation the best quit more; the middle hardly changes.
    assert flat[4] > merit[4] * 1.04, (flat, merit)
    paired = np.array(
        [
            f.counts.quits_by_quintile[4] / f.counts.at_risk_by_quintile[4]
            - m.counts.quits_by_quintile[4] / m.counts.at_risk_by_quintile[4]
            for f, m in zip(r["flat"], r["merit"], strict=True)
        ]
    )
    assert paired.mean() > 2 * paired.std(ddof=1) / np.sqrt(len(paired))


def test_turnover_u_shaped_and_top_quits_rise_without_merit_differentiation():
    check_turnover(reps=10, headcount=800)


@pytest.mark.slow
def test_turnover_findings_with_tight_intervals():
    check_turnover(reps=30, headcount=1000)


# --- Berger, Harbring & Sliwka (2013): forced distribution, effort and sabotage ---


def forced_gain(sabotage: float, reps: int) -> np.ndarray:
    policies = {"absolute": {"preset": "absolute"}, "forced": {"preset": "forced_distribution"}}
    r = runs(
        organization(policies, behaviour={"incentives": {"sabotage_propensity": sabotage}}), reps
    )
    fd = mean_over_cycles(r["forced"], "output_per_head")
    ab = mean_over_cycles(r["absolute"], "output_per_head")
    return (fd - ab) / ab


def check_forced_distribution(reps: int) -> None:
    without = forced_gain(0.0, reps)
    with_sabotage = forced_gain(0.5, reps)
    half = 2 * without.std(ddof=1) / np.sqrt(reps)
    assert without.mean() - half > 0.04  # a clear gain (Berger et al.: ~6-12%)
    assert 0.04 < without.mean() < 0.14
    assert with_sabotage.mean() < 0.015  # gone, or reversed, when sabotage is possible
    assert (without - with_sabotage).mean() > 0.04


def test_forced_distribution_pays_off_only_without_sabotage():
    check_forced_distribution(reps=5)


@pytest.mark.slow
def test_forced_distribution_sabotage_finding_with_tight_intervals():
    check_forced_distribution(reps=25)


# --- Kerr (1975) / Holmström & Milgrom (1991): KPIs met while value falls ---


def check_measured_pay_weight(reps: int) -> None:
    weights = (0.0, 0.2, 0.6, 1.0)
    policies = {
        f"w{w}": {"preset": "pay_matrix", "goals": {"regime": "kpi", "kpi_weight": w}}
        for w in weights
    }
    r = runs(organization(policies), reps)
    kpi = {w: mean_over_cycles(r[f"w{w}"], "kpi_attainment").mean() for w in weights}
    value = {w: mean_over_cycles(r[f"w{w}"], "business_value") for w in weights}
    gaming = {w: at_horizon(r[f"w{w}"], "gaming").mean() for w in weights}
    # KPIs look better the more pay rests on them (gaming lifts them up to what can be gamed)
    assert kpi[1.0] > kpi[0.0] + 0.03
    assert gaming[0.0] == 0 and gaming[1.0] > gaming[0.6] > gaming[0.2] > 0
    best = max(weights, key=lambda w: value[w].mean())
    assert best < 1.0  # business value peaks short of full weight ...
    fall = value[best] - value[1.0]  # ... and falls past that point (paired)
    assert fall.mean() > 3.0 and fall.min() > 0


def test_more_pay_weight_on_measured_kpis_raises_attainment_and_past_a_point_lowers_value():
    check_measured_pay_weight(reps=3)


@pytest.mark.slow
def test_measured_pay_weight_finding_with_tight_intervals():
    check_measured_pay_weight(reps=15)


# --- Locke & Latham: specific difficult goals vs "do your best"; goals far too hard ---


@pytest.mark.slow
def test_goal_difficulty_effect_sizes_with_many_replications():
    ds = {}
    for stretch in (1.25, 4.0):
        policies = {
            "goal": {"goals": {"regime": "kpi", "stretch_sd": stretch, "kpi_weight": 0.0}},
            "best": {},
        }
        s = load_scenario(organization(policies, headcount=1000, years=1))
        d = []
        for rep in range(20):
            perf = {}
            for policy in policies:
                frame = Simulation(s, policy, seed=21, rep=rep).run()
                perf[policy] = frame[frame.metric == "output_per_head"].value.iloc[-1]
            d.append(perf["goal"] - perf["best"])
        # Output index points -> SD units of individual performance (output_per_sd = 0.2:
        # 20 points per SD, and individual performance has an SD of about 1).
        ds[stretch] = np.mean(d) / 20.0
    assert 0.3 <= ds[1.25] <= 0.9
    assert ds[4.0] < 0


# --- Re-baselining after a demand shock ---


@pytest.mark.slow
def test_demand_shock_without_rebaselining_lowers_engagement_with_tight_intervals():
    shock = {"market_shocks": [{"week": 13, "size_sd": -1.0}]}
    policies = {
        "fixed": {"goals": {"regime": "kpi"}},
        "rebaselined": {"goals": {"regime": "kpi", "rebaseline": True}},
    }
    r = runs(organization(policies, years=1, environment=shock), reps=15)
    diff = at_horizon(r["rebaselined"], "engagement") - at_horizon(r["fixed"], "engagement")
    assert diff.mean() - 2 * diff.std(ddof=1) / np.sqrt(len(diff)) > 0.01


# --- The showdown from the command line ---


def test_policy_showdown_prints_every_policy_and_metric_with_paired_differences():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "simlib.cli.main",
            "compare",
            "scenarios/policy_showdown.yaml",
            "--reps",
            "2",
            "--years",
            "1",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Paired differences against absolute" in out
    for policy in ("absolute", "forced_distribution", "okr", "pay_matrix"):
        assert policy in out
    paired = out[out.index("Paired differences") :]
    for metric in (
        "business_value",
        "kpi_attainment",
        "engagement",
        "perceived_fairness",
        "cooperation",
        "gaming",
        "regretted_attrition",
        "pay_performance_corr",
        "manager_hours",
        "output_per_head",
        "voluntary_attrition",
    ):
        assert metric in METRIC_UNITS
        assert metric in paired, metric
