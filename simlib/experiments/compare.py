"""Experiments: policies x replications of one scenario, with common random numbers.

Replication ``r`` of every policy draws from the same seeded streams, so the initial
workforce, the applicants and the shocks are the same for each policy and differences
between policies are paired. Any ``concurrent.futures.Executor`` can run the tasks.
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from simlib.analysis.results import Results, build_manifest
from simlib.engine.guards import check_resources
from simlib.engine.simulation import simulate
from simlib.errors import ScenarioError
from simlib.experiments.execution import execute
from simlib.metrics.catalogue import check_metric_names
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario


def _task(
    scenario: Scenario, policy: str, seed: int, rep: int, assumptions: dict[str, Any] | None = None
) -> pd.DataFrame:
    # The whole comparison passed (or overrode) the resource guard before any task ran.
    if assumptions:  # this replication's draw from a calibration's posterior
        scenario = load_scenario(scenario, overrides=assumptions)
    return simulate(scenario, policy, seed=seed, rep=rep, allow_large=True)


def compare(
    scenario: Scenario | str | Path | dict,
    policies: list[str] | None = None,
    reps: int | None = None,
    seed: int | None = None,
    *,
    overrides: dict[str, Any] | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    allow_large: bool = False,
    posterior: str | Path | None = None,
) -> Results:
    """Run every policy for ``reps`` replications with common random numbers.

    Parameters
    ----------
    scenario
        A Scenario, or a YAML path or mapping to load one from.
    policies
        Policy names to compare (default: the scenario's ``experiment.policies`` or all).
    reps, seed
        Replications per policy and experiment seed (default: the scenario's).
    overrides
        Dotted-path overrides applied to the scenario first.
    executor
        Runs the tasks (e.g. a ``ProcessPoolExecutor``); default: in this process.
    progress
        Show a progress bar (on stderr).
    allow_large
        Run even if the resource guard (:mod:`simlib.engine.guards`) estimates more memory or
        time than this machine allows; otherwise such a run is refused before it starts.
    posterior
        A calibration's ``posterior.parquet``: each replication draws its assumptions from
        it (:mod:`simlib.calibration.draws`; the same draw for every policy), and the
        manifest records the file's hash and the rows drawn.
    """
    scenario = load_scenario(scenario, overrides=overrides)
    check_metric_names(scenario.report.metrics)
    policies = list(policies or scenario.policy_names)
    unknown = [p for p in policies if p not in scenario.policies]
    if unknown:
        raise ScenarioError(f"unknown policies {unknown}; declared: {', '.join(scenario.policies)}")
    reps = scenario.experiment.reps if reps is None else int(reps)
    seed = scenario.experiment.seed if seed is None else int(seed)
    if reps < 1:
        raise ScenarioError(f"reps: {reps} is out of range; allowed at least 1")
    baseline = scenario.baseline if scenario.baseline in policies else policies[0]
    workers = int(getattr(executor, "_max_workers", 1) or 1) if executor is not None else 1
    check_resources(scenario, reps, policies, workers=workers, allow_large=allow_large)
    drawn: list[dict[str, Any] | None] = [None] * reps
    extra: dict[str, Any] = {}
    if posterior is not None:
        from simlib.calibration import draws
        from simlib.storage.checksums import file_sha256

        table = draws.read_posterior(Path(posterior))
        rows = draws.draw_rows(table, reps, seed)
        drawn = [draws.assumptions_of(table, row) for row in rows]
        extra["posterior"] = {"sha256": file_sha256(Path(posterior)), "rows": rows}
    tasks = [(p, r) for r in range(reps) for p in policies]
    bar = tqdm(total=len(tasks), desc="simulating", unit="run", disable=not progress)
    frames: list[pd.DataFrame | None] = [None] * len(tasks)
    calls = ((i, (scenario, p, seed, r, drawn[r])) for i, (p, r) in enumerate(tasks))
    try:
        # the same bounded execution as sweeps: a bounded number of tasks in flight
        for i, result in execute(_task, calls, executor):
            frames[i] = result
            bar.update()
    finally:
        bar.close()
    frame = pd.concat(frames, ignore_index=True)
    manifest = build_manifest(scenario, policies, baseline, reps, seed, **extra)
    return Results(frame, manifest)
