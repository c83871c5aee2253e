"""Sweeps over the uncertain assumptions: run a model over a design, streamed to disk.

Only what we are unsure of is swept: ``behaviour.*`` (how people respond) and
``environment.*`` (the world around the organization). Policy levers are compared as
policies, and the organization and its hiring are fixed by the scenario.

:func:`run_sweep` is the one way to run a sweep from Python (``simlib sweep`` and the
robustness notebook call it). Replication ``r`` of every variant and every policy draws from
the same seeded streams (common random numbers), so differences are paired rather than
drowned in noise. Each finished task is written to the results folder
(:mod:`simlib.storage.store`) at once, so an interrupted sweep, even a killed one, resumes
by running the same call again.
"""

from __future__ import annotations

import math
import time
from asyncio import CancelledError as TaskCancelled
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

import simlib.scenario.dotted as dotted
import simlib.scenario.fields as fields
from simlib.errors import ScenarioError
from simlib.experiments.execution import RunSummary, execute
from simlib.experiments.executors import (
    ClusterLost,
    executor_for,
    executor_workers,
    lost_connection,
)
from simlib.experiments.model import Model, ScenarioModel
from simlib.experiments.sampling import make_design
from simlib.experiments.tasks import make_tasks, run_task
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario
from simlib.storage.design import Design, Factor
from simlib.storage.lock import folder_lock
from simlib.storage.store import (
    ExperimentError,
    mark_complete,
    new_manifest,
    prepare_folder,
    write_part,
)

SWEEPABLE = ("behaviour", "environment")


def parse_vary(text: str) -> Factor:
    """Parse ``path=low:high`` (e.g. ``behaviour.voluntary_quit_rate=0.05:0.2``)."""
    path, sep, rng = text.partition("=")
    path = path.strip()
    low_text, colon, high_text = rng.partition(":")
    if not sep or not colon or not path:
        raise ScenarioError(
            f"--vary {text!r}: write it as path=low:high, e.g. "
            "behaviour.voluntary_quit_rate=0.05:0.2"
        )
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise ScenarioError(f"--vary {text!r}: low and high must be numbers") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ScenarioError(f"--vary {path}: low and high must be finite numbers")
    if not low < high:
        raise ScenarioError(f"--vary {path}: low ({low:g}) must be below high ({high:g})")
    return Factor(path, low, high)


def check_factors(scenario: Scenario, factors: Sequence[Factor]) -> None:
    """Refuse factors that are not numeric ``behaviour.*``/``environment.*`` assumptions.

    Raises
    ------
    ScenarioError
        Naming the path, with a suggestion for a misspelt one, or the allowed range of the
        field if ``low`` or ``high`` falls outside it.
    """
    if not factors:
        raise ScenarioError("a sweep needs at least one --vary path=low:high")
    seen: set[str] = set()
    model = ScenarioModel(scenario)
    for f in factors:
        if dotted.split(f.path)[0] not in SWEEPABLE:
            raise ScenarioError(
                f"--vary {f.path}: only the uncertain assumptions behaviour.* and "
                "environment.* can be swept; compare levers as policies and set the "
                "organization with --set"
            )
        if f.path in seen:
            raise ScenarioError(f"--vary {f.path}: given twice")
        seen.add(f.path)
        try:
            record = fields.find(scenario, f.path)
        except dotted.PathError as exc:
            better = exc.suggestion()
            hint = f"; did you mean {better!r}?" if better else ""
            where = exc.where or "the scenario"
            raise ScenarioError(f"--vary {f.path}: {where} has no {exc.key!r}{hint}") from None
        node = record.value
        if isinstance(node, bool) or not isinstance(node, (int, float)):
            shown = "dict" if record.kind == "model" and node is not None else type(node).__name__
            raise ScenarioError(
                f"--vary {f.path}: is not a number (it is {shown}); only "
                "numeric assumptions can be swept"
            )
        for value in (f.low, f.high):
            model.prepare({f.path: value})


def validate_variants(
    model: ScenarioModel,
    design: Design,
    *,
    policies: Sequence[str] | None = None,
    reps: int = 1,
    workers: int = 1,
    allow_large: bool = True,
    progress: bool = False,
) -> None:
    """Load every variant as a scenario, and estimate the cost of the whole sweep.

    A large sweep is first estimated from an even sample of its variants, so one far too
    large is refused at once; ``progress`` shows a bar while many variants are validated.

    Raises
    ------
    ScenarioError
        For the first variant that is not a valid scenario.
    simlib.engine.guards.ResourceLimitError
        Unless ``allow_large``: if the sweep is estimated to need more time or memory than
        this machine allows (the estimates of :mod:`simlib.engine.guards`, summed over
        variants; results stream to disk, so memory is the workers' simulations only).
    """

    rows = design.variants
    if not allow_large and len(rows) > GUARD_SAMPLE:
        # Answer a sweep far too large at once, from an even sample of its variants,
        # before loading every one of them.
        picked = rows.iloc[np.linspace(0, len(rows) - 1, GUARD_SAMPLE).round().astype(int)]
        _guard(model, picked, len(rows), policies, reps, workers, sampled=True)
    bar = _progress_bar(len(rows), progress)
    try:
        for i, row in enumerate(rows.itertuples(index=False)):
            params = dict(zip(rows.columns, row, strict=True))
            try:
                model.prepare(params)
            except ScenarioError as exc:
                values = ", ".join(f"{k}={v:g}" for k, v in params.items())
                raise ScenarioError(
                    [f"variant {i} ({values}) is not a valid scenario:", *exc.messages]
                ) from None
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    if not allow_large:
        _guard(model, rows, len(rows), policies, reps, workers, sampled=False)


# Variants whose cost is estimated before a large sweep's variants are all validated.
GUARD_SAMPLE = 256
# Below this many variants, validation is quick enough to need no progress bar.
PROGRESS_FROM = 2_000


def _progress_bar(total: int, progress: bool) -> Any:
    if not progress or total < PROGRESS_FROM:
        return None
    return tqdm(total=total, desc="validating variants", unit="variant", mininterval=0.5)


def _guard(
    model: ScenarioModel,
    rows: pd.DataFrame,
    total: int,
    policies: Sequence[str] | None,
    reps: int,
    workers: int,
    *,
    sampled: bool,
) -> None:
    """Raise ResourceLimitError if ``total`` variants like ``rows`` are too large to run."""
    from simlib.engine import guards

    seconds, worst_bytes = 0.0, 0.0
    for row in rows.itertuples(index=False):
        try:
            variant = model.prepare(dict(zip(rows.columns, row, strict=True)))
        except ScenarioError:
            continue  # reported by the full validation
        seconds += guards.estimate_resources(variant, reps, list(policies or []), workers).seconds
        worst_bytes = max(worst_bytes, guards.simulation_bytes(variant))
    seconds *= total / max(1, len(rows))
    peak = guards.BYTES_BASE + max(1, workers) * worst_bytes
    problems = []
    if peak > guards.MEMORY_SHARE * guards.available_memory():
        problems.append(
            f"about {guards.format_bytes(peak)} of memory "
            f"({guards.format_bytes(guards.available_memory())} available)"
        )
    if seconds > guards.max_seconds():
        problems.append(
            f"about {guards.format_duration(seconds)} on {workers} worker(s) "
            f"(limit {guards.format_duration(guards.max_seconds())}, SIMLIB_MAX_HOURS)"
        )
    if problems:
        how = f" (estimated from {len(rows):,} of them)" if sampled else ""
        raise guards.ResourceLimitError(
            f"sweep too large for this machine: {total:,} variants{how} x "
            f"{len(policies or [])} policies x {reps:,} replications need "
            + " and ".join(problems)
            + "; reduce --samples, --reps or the ranges, or pass --force (allow_large=True) "
            "to run anyway"
        )


def run_sweep(
    model: Scenario | str | Path | dict[str, Any] | Model,
    design: Design | Mapping[str, Sequence[float]] | Sequence[str | Factor] | str,
    out_dir: str | Path,
    *,
    samples: int | None = None,
    method: str = "lhs",
    second_order: bool = False,
    policies: Sequence[str] | None = None,
    reps: int | None = None,
    seed: int | None = None,
    overrides: dict[str, Any] | None = None,
    jobs: int | None = 1,
    dask: str | None = None,
    executor: Executor | None = None,
    task_size: int = 1,
    max_in_flight: int | None = None,
    progress: bool = False,
    allow_large: bool = False,
) -> RunSummary:
    """Run every policy on every variant of a design and stream the results to ``out_dir``.

    Running the same sweep into the same folder again resumes it: finished tasks are kept
    and only the missing ones are computed. A folder holding a different experiment is
    refused. Read the folder with :mod:`simlib.storage.store` and analyse it with
    :mod:`simlib.analysis.sensitivity` and :mod:`simlib.analysis.robustness`.

    Parameters
    ----------
    model
        A scenario (a Scenario, a YAML path or a mapping) whose variants override the
        design's paths, or any :class:`~simlib.experiments.model.Model` (e.g. a
        :class:`~simlib.experiments.model.FunctionModel`).
    design
        A :class:`~simlib.storage.design.Design` from
        :func:`~simlib.experiments.sampling.make_design`, or the ranges to draw one from:
        ``{"path": [low, high], ...}``, or ``"path=low:high"`` strings or
        :class:`~simlib.storage.design.Factor` objects.
    out_dir
        The sweep folder (created if needed; see :mod:`simlib.storage.store`).
    samples, method, second_order
        How to draw the design from ranges (see :mod:`simlib.experiments.sampling`).
    policies, reps, seed
        Default: a scenario's ``experiment`` settings; for a model, all the policies it
        declares, 1 replication and seed 0. The seed also seeds a design drawn here.
    overrides
        Dotted-path overrides of the base scenario.
    jobs, dask
        Worker processes (None: all cores; 1, the default: this process) and an optional
        Dask cluster (``"local"`` or ``"tcp://HOST:PORT"``), set up and shut down here.
    executor
        A running ``concurrent.futures.Executor`` to use instead (a process pool, a Dask
        ``Client.get_executor()``); ``jobs`` and ``dask`` are then ignored.
    task_size
        ``(variant, rep)`` units per task and per file; raise it for fast models.
    max_in_flight
        Tasks submitted but not yet written (default: two per worker, plus two); bounds
        memory while keeping every worker busy.
    progress
        Show a progress bar on stderr.
    allow_large
        Scenarios only: run even if the resource guard estimates more time or memory than
        this machine allows (see :func:`validate_variants`).

    Returns
    -------
    RunSummary
        Task counts (computed now, found finished), wall time and the design.
    """
    base = None
    if isinstance(model, (Scenario, str, Path, dict)):
        base = load_scenario(model, overrides=overrides)
        seed = base.experiment.seed if seed is None else int(seed)
    elif overrides:
        raise ExperimentError("overrides apply to a scenario; this sweep runs a model")
    seed = 0 if seed is None else int(seed)
    design = _design(design, samples, method, second_order, seed, base)
    extra: dict[str, Any] = {"sweep": design.to_manifest()}
    with executor_for(executor, jobs, dask) as running:
        if base is not None:
            model = ScenarioModel(base, allow_large=True)  # the sweep as a whole is checked
            policies = list(policies or base.policy_names)
            unknown = [p for p in policies if p not in base.policies]
            if unknown:
                declared = ", ".join(base.policies)
                raise ScenarioError(f"unknown policies {unknown}; declared: {declared}")
            reps = base.experiment.reps if reps is None else int(reps)
            workers = executor_workers(running) if running is not None else 1
            validate_variants(
                model,
                design,
                policies=policies,
                reps=reps,
                workers=workers,
                allow_large=allow_large,
                progress=progress,
            )
            extra["baseline"] = base.baseline if base.baseline in policies else policies[0]
        # A scenario was wrapped in a ScenarioModel above; anything else already is a Model.
        assert not isinstance(model, (Scenario, str, Path, dict))
        return _run_experiment(
            model,
            out_dir,
            design,
            policies=policies,
            reps=1 if reps is None else int(reps),
            seed=seed,
            executor=running,
            task_size=task_size,
            max_in_flight=max_in_flight,
            progress=progress,
            extra=extra,
        )


def _design(
    given: Design | Mapping[str, Sequence[float]] | Sequence[str | Factor] | str,
    samples: int | None,
    method: str,
    second_order: bool,
    seed: int,
    scenario: Scenario | None,
) -> Design:
    """The design to run: as given, or drawn from ranges (checked against the scenario)."""
    if isinstance(given, Design):
        factors = given.factors
    elif isinstance(given, Mapping):
        factors = [_factor_from_range(path, bounds) for path, bounds in given.items()]
    else:
        items = [given] if isinstance(given, str) else list(given)
        factors = [v if isinstance(v, Factor) else parse_vary(v) for v in items]
    if scenario is not None:
        check_factors(scenario, factors)
    if isinstance(given, Design):
        return given
    return make_design(factors, samples, method, seed=seed, second_order=second_order)


def _run_experiment(
    model: Model,
    out_dir: str | Path,
    design: Design,
    *,
    policies: Sequence[str] | None,
    reps: int,
    seed: int,
    executor: Executor | None,
    task_size: int,
    max_in_flight: int | None,
    progress: bool,
    extra: Mapping[str, Any],
) -> RunSummary:
    """Run ``policies x variants x reps`` and write each finished task to ``out_dir``."""
    started = time.perf_counter()
    out = Path(out_dir)
    variants = design.variants.reset_index(drop=True)
    if len(variants) == 0:
        raise ExperimentError("the design has no variants")
    if reps < 1:
        raise ExperimentError(f"reps: {reps} is out of range; allowed at least 1")
    if task_size < 1:
        raise ExperimentError(f"task_size: {task_size} is out of range; allowed at least 1")
    policies = list(policies or model.policies or [])
    if not policies:
        raise ExperimentError("no policies to run")
    if model.policies is not None:
        unknown = [p for p in policies if p not in model.policies]
        if unknown:
            raise ExperimentError(
                f"unknown policies {unknown}; declared: {', '.join(model.policies)}"
            )
    n_tasks = math.ceil(len(variants) * reps / task_size)
    scenario = model.scenario.to_dict() if isinstance(model, ScenarioModel) else None
    manifest = new_manifest(
        model.describe(), variants, policies, reps, seed, task_size, n_tasks, extra, scenario
    )
    with folder_lock(out):  # one writer per folder, from the first file to the last
        done = prepare_folder(out, manifest, variants)
        bar = tqdm(
            total=n_tasks, initial=len(done), desc="sweep", unit="task", disable=not progress
        )
        computed = 0
        try:
            todo = make_tasks(variants, reps, task_size, done)
            calls = ((task, (model, task, policies, seed)) for task in todo)
            for task, frame in execute(run_task, calls, executor, max_in_flight):
                write_part(out, task.index, frame)
                computed += 1
                bar.update()
        except (Exception, TaskCancelled) as exc:  # a cancelled Dask future: scheduler lost
            dask = getattr(executor, "_client", None) is not None
            if not isinstance(exc, ClusterLost) and not (dask and lost_connection(exc)):
                raise
            what = str(exc) if isinstance(exc, ClusterLost) else "lost the Dask scheduler"
            raise ClusterLost(
                f"{what}; {len(done) + computed} of {n_tasks} tasks done; "
                "rerun the same command to resume"
            ) from None
        finally:
            bar.close()
        mark_complete(out, manifest)
    seconds = time.perf_counter() - started
    return RunSummary(out, n_tasks, len(done), computed, seconds, design)


def _factor_from_range(path: str, bounds: Sequence[float]) -> Factor:
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ScenarioError(f"vary {path}: give [low, high], got {bounds!r}") from None
    return parse_vary(f"{path}={low!r}:{high!r}")
