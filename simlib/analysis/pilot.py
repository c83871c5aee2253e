"""Pilot design: how many units and cycles a pilot needs, analysed as an analyst would.

Each simulated pilot randomly assigns ``size`` units (teams or departments) to policy P and
keeps the rest on baseline B, runs for ``cycles`` reviews, and compares the units' observable
outcomes as a cluster-randomized trial: units are the clusters, and the test is a two-sample
t-test on the unit means (pooled variance, the standard analysis of a cluster-randomized
trial with few clusters; statsmodels ``ttest_ind``). Repeating it over replications of the
organization and over random assignments gives

- ``power``: the share of pilots of P against B that reject "no effect" at 5%;
- ``false_positive_rate``: the same share for pilots of B against itself (nominally 0.05);
- ``pilot_estimate``: the mean difference a pilot reports (pilot units minus the others);
- ``rollout_effect``: the difference the same outcome shows when the whole organization
  runs P rather than B (the mean over units, P run minus B run), which the pilot estimates.

A unit's outcome after ``cycles`` reviews is its level at that review for a state (e.g.
engagement) and its mean over the reviews so far for a flow (e.g. quits per year).

The arms are simulated ``together`` (one organization per replication and pilot size, the
pilot units drawn at random and running P beside the others on B, with the spillovers the
model has; :mod:`simlib.state.pilot_arms` says which policy sections may differ) or
``apart`` (whole-organization runs of P and B on common random numbers, many random
assignments read from each pair: no spillovers). Together, each replication gives one
pilot per size, so power is a share over replications; the false-positive rate is the same
in both (a pilot of B against itself is a run of B).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from statsmodels.stats.weightstats import ttest_ind

from simlib.errors import ScenarioError
from simlib.experiments.pilot import (
    UnitKind,
    UnitOutcomes,
    check_pilot_metric,
    unit_count,
    unit_outcomes,
)
from simlib.i18n import _, ngettext
from simlib.metrics.catalogue import metric
from simlib.scenario.definition import Scenario
from simlib.state.pilot_arms import unmixed_sections

Arms = Literal["together", "apart"]

COLUMNS = [
    "units",
    "cycles",
    "metric",
    "rollout_effect",
    "pilot_estimate",
    "power",
    "false_positive_rate",
]
ALPHA = 0.05  # the pilot rejects "no effect" at 5% (two-sided)
TARGET_POWER = 0.8  # the conventional power a pilot should reach (Cohen 1988)


def check_design(
    scenario: Scenario,
    policy: str,
    baseline: str,
    metrics: Sequence[str],
    units: UnitKind,
    cycles: Sequence[int],
    sizes: Sequence[int],
    arms: Arms = "apart",
) -> None:
    """Raise :class:`ScenarioError` with one line per problem in a pilot design."""
    problems = [line for name in metrics if (line := check_pilot_metric(name)) is not None]
    if arms == "together" and policy in scenario.policies and baseline in scenario.policies:
        for section in unmixed_sections(scenario.policies[policy], scenario.policies[baseline]):
            problems.append(
                f"--arms together: policies {policy!r} and {baseline!r} differ in "
                f"{section}, which one organization cannot yet run two ways; use --arms apart "
                "(whole-organization runs, no spillovers)"
            )
    for flag, name in (("--policy", policy), ("--baseline", baseline)):
        if name not in scenario.policy_names:
            problems.append(
                f"{flag}: {name!r} is not a policy of the scenario; one of "
                f"{', '.join(scenario.policy_names)}"
            )
    for name in metrics:
        grade = name.partition(":")[2] if name.startswith("grade_share:") else None
        for arm in (policy, baseline):
            known = scenario.policies.get(arm)
            if grade and known is not None and grade not in known.rating.grades:
                problems.append(
                    f"--metrics: {grade!r} is not a grade of policy {arm!r}; one of "
                    f"{', '.join(known.rating.grades)}"
                )
    env = scenario.environment
    reviews = env.weeks // env.weeks_per_cycle
    for c in cycles:
        if not 1 <= c <= reviews:
            problems.append(f"--cycles: {c} is out of range; allowed 1 to {reviews} reviews")
    available = unit_count(scenario, units)
    for n in sizes:
        if not 1 <= n <= available - 2:
            problems.append(
                f"--sizes: {n} pilot units is out of range; the organization has {available} "
                f"{units}s and a pilot needs at least 2 others to compare with "
                f"(allowed 1 to {max(available - 2, 0)})"
            )
    if problems:
        raise ScenarioError(problems)


def unit_outcome(run: UnitOutcomes, name: str, cycles: int) -> np.ndarray:
    """Each unit's outcome after ``cycles`` reviews: the level at that review (a state) or
    the mean over the reviews so far (a flow)."""
    values = run.values[:cycles, run.metrics.index(name)]
    found = metric(name)
    if found is not None and found.kind == "state":
        return values[-1]
    with np.errstate(invalid="ignore"):
        return np.nanmean(values, axis=0) if np.isfinite(values).any() else values[-1]


def _pvalues(treated: np.ndarray, control: np.ndarray) -> np.ndarray:
    """Two-sided p-values of pooled two-sample t-tests, one per column (an assignment)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        _stat, p, _df = ttest_ind(treated, control, usevar="pooled")
    return np.where(np.isfinite(p), p, 1.0)  # no spread in either arm: nothing to reject


def design_rows(
    pilot_runs: Sequence[UnitOutcomes],
    baseline_runs: Sequence[UnitOutcomes],
    metrics: Sequence[str],
    cycles: Sequence[int],
    sizes: Sequence[int],
    assignments: int,
    seed: int,
) -> pd.DataFrame:
    """The pilot table (:data:`COLUMNS`) from paired runs of P and B (one pair per
    replication), with ``assignments`` random assignments of units per replication."""
    rng = np.random.default_rng(seed)
    rows = []
    for n in sizes:
        for c in cycles:
            for name in metrics:
                rollout, estimate, reject, false_reject = [], [], [], []
                for p_run, b_run in zip(pilot_runs, baseline_runs, strict=True):
                    y_p, y_b = unit_outcome(p_run, name, c), unit_outcome(b_run, name, c)
                    measured = np.isfinite(y_p) & np.isfinite(y_b)
                    y_p, y_b = y_p[measured], y_b[measured]
                    if len(y_p) < n + 2:
                        continue
                    order = rng.permuted(np.tile(np.arange(len(y_p)), (assignments, 1)), axis=1)
                    pilot, others = order[:, :n].T, order[:, n:].T  # units x assignments
                    rollout.append(y_p.mean() - y_b.mean())
                    estimate.append(y_p[pilot].mean(axis=0) - y_b[others].mean(axis=0))
                    reject.append(_pvalues(y_p[pilot], y_b[others]) < ALPHA)
                    false_reject.append(_pvalues(y_b[pilot], y_b[others]) < ALPHA)
                if not rollout:
                    continue
                rows.append(_row(n, c, name, rollout, estimate, reject, false_reject))
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(n: int, c: int, name: str, rollout, estimate, reject, false_reject) -> dict:
    return {
        "units": n,
        "cycles": c,
        "metric": name,
        "rollout_effect": float(np.mean(rollout)),
        "pilot_estimate": float(np.mean(estimate)),
        "power": float(np.mean(reject)),
        "false_positive_rate": float(np.mean(false_reject)),
    }


def together_rows(
    pilots: Mapping[int, Sequence[tuple[np.ndarray, UnitOutcomes]]],
    pilot_runs: Sequence[UnitOutcomes],
    baseline_runs: Sequence[UnitOutcomes],
    metrics: Sequence[str],
    cycles: Sequence[int],
    assignments: int,
    seed: int,
) -> pd.DataFrame:
    """The pilot table from pilots simulated inside the organization.

    ``pilots[n]`` holds, per replication, the pilot units drawn and the mixed run's unit
    outcomes; ``pilot_runs`` and ``baseline_runs`` are the whole-organization runs of P and
    B (the rollout effect, and B against itself for the false-positive rate).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for n, runs in pilots.items():
        for c in cycles:
            for name in metrics:
                rollout, estimate, reject, false_reject = [], [], [], []
                for (chosen, mixed), p_run, b_run in zip(
                    runs, pilot_runs, baseline_runs, strict=True
                ):
                    y = unit_outcome(mixed, name, c)
                    treated = np.zeros(len(y), dtype=bool)
                    treated[chosen] = True
                    measured = np.isfinite(y)
                    y_t, y_c = y[treated & measured], y[~treated & measured]
                    if len(y_t) < 1 or len(y_c) < 2:
                        continue
                    y_p, y_b = unit_outcome(p_run, name, c), unit_outcome(b_run, name, c)
                    rollout.append(np.nanmean(y_p) - np.nanmean(y_b))
                    estimate.append(y_t.mean() - y_c.mean())
                    reject.append(_pvalues(y_t[:, None], y_c[:, None])[0] < ALPHA)
                    y_b = y_b[np.isfinite(y_b)]
                    order = rng.permuted(np.tile(np.arange(len(y_b)), (assignments, 1)), axis=1)
                    false_reject.append(_pvalues(y_b[order[:, :n].T], y_b[order[:, n:].T]) < ALPHA)
                if rollout:
                    rows.append(_row(n, c, name, rollout, estimate, reject, false_reject))
    return pd.DataFrame(rows, columns=COLUMNS)


def run_pilot(
    scenario: Scenario,
    policy: str,
    baseline: str,
    metrics: Sequence[str],
    units: UnitKind = "team",
    cycles: Sequence[int] = (1, 2, 3),
    sizes: Sequence[int] = (5, 10, 20, 40),
    reps: int = 20,
    seed: int | None = None,
    assignments: int = 200,
    arms: Arms = "apart",
) -> pd.DataFrame:
    """Simulate pilots of ``policy`` against ``baseline`` and return the pilot table.

    Each replication runs the organization under P and under B with the same seed and
    replication number (common random numbers). ``apart``: ``assignments`` random pilots
    are read from each pair. ``together``: for each size, one organization per replication
    runs P in randomly drawn units and B in the others; the pair gives the rollout effect
    and the false-positive rate.
    """
    from simlib.engine.simulation import Simulation
    from simlib.engine.turnover_anchor import anchor_quit_rate
    from simlib.mechanisms.registry import MECHANISMS

    check_design(scenario, policy, baseline, metrics, units, cycles, sizes, arms)
    seed = scenario.experiment.seed if seed is None else seed
    quit_rate = anchor_quit_rate(scenario, MECHANISMS, Simulation)
    names = tuple(metrics)
    runs = {
        arm: [
            unit_outcomes(scenario, arm, seed, rep, units, names, neutral_quit_rate=quit_rate)
            for rep in range(reps)
        ]
        for arm in dict.fromkeys((policy, baseline))
    }
    if arms == "apart":
        return design_rows(
            runs[policy], runs[baseline], names, cycles, sizes, assignments, seed=seed + 1
        )
    draw = np.random.default_rng([seed, 17])  # which units join the pilot
    n_units = unit_count(scenario, units)
    pilots = {
        n: [
            (
                chosen := np.sort(draw.choice(n_units, size=n, replace=False)),
                unit_outcomes(
                    scenario,
                    baseline,
                    seed,
                    rep,
                    units,
                    names,
                    neutral_quit_rate=quit_rate,
                    pilot=(policy, chosen),
                ),
            )
            for rep in range(reps)
        ]
        for n in sizes
    }
    return together_rows(
        pilots, runs[policy], runs[baseline], names, cycles, assignments, seed=seed + 1
    )


def recommendations(table: pd.DataFrame, target: float = TARGET_POWER) -> list[str]:
    """One recommendation per metric, then one for all of them together (if several)."""
    metrics = list(dict.fromkeys(table["metric"]))
    lines = [f"{m}: " + recommendation(table[table.metric == m], target) for m in metrics]
    if len(metrics) > 1:
        lines.append(_("All together: ") + recommendation(table, target))
    return lines


def recommendation(table: pd.DataFrame, target: float = TARGET_POWER) -> str:
    """The smallest design (fewest units, then fewest cycles) reaching ``target`` power on
    every metric of the table, in words; or a plain statement that none in range does."""
    metrics = sorted(table["metric"].unique())
    reached = table.groupby(["units", "cycles"])["power"].min()
    good = reached[reached >= target].sort_index()
    if good.empty:
        return _(
            "No design in range reaches {target} power on {metrics}: a null result from such a "
            "pilot would say little."
        ).format(target=f"{target:.0%}", metrics=", ".join(metrics))
    n, c = good.index[0]
    units = ngettext("{count} unit", "{count} units", int(n)).format(count=n)
    cycles = ngettext("{count} cycle", "{count} cycles", int(c)).format(count=c)
    return _(
        "Pilot in {units} for {cycles}: the smallest design that reaches {target} power on "
        "{metrics} (power {power})."
    ).format(
        units=units,
        cycles=cycles,
        target=f"{target:.0%}",
        metrics=", ".join(metrics),
        power=f"{good.iloc[0]:.2f}",
    )
