"""The experiment runner: policies x scenario variants x replications, streamed to disk.

An experiment is a *design* (one row of parameter values per scenario variant), a list of
policies and a number of replications. Replication ``r`` of every variant and every policy
draws from the same seeded streams (common random numbers), so differences between
policies, and between variants, are paired rather than drowned in noise.

The work is cut into *tasks*: each task runs every policy for a few ``(variant, rep)``
units. Any ``concurrent.futures.Executor`` runs the tasks (a process pool, a Dask
``Client.get_executor()``, or none for in-process); at most a bounded number are in flight,
so memory stays flat however large the sweep. Each finished task is written as one Parquet
file (temporary file + rename), so after a crash, even a SIGKILL, the folder holds only
whole task files, and running the same experiment again computes only the missing ones.

Folder layout::

    OUT/manifest.json          the design and provenance (status: running | complete)
    OUT/design.parquet         one row per variant: the varied parameter values
    OUT/parts/task-000000.parquet ...   columns variant, policy, rep, week, metric, value

A *model* is anything with the :class:`Model` interface: :class:`ScenarioModel` runs
:func:`simlib.simulate`; :class:`FunctionModel` wraps a plain function of keyword
parameters returning a mapping of outcomes (as in EMA Workbench), e.g. an analytic test
function for checking sensitivity indices.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import inspect
import io
import json
import math
import platform
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from simlib.errors import ScenarioError
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario
from simlib.state.streams import stream
from simlib.storage.atomic import atomic_write_bytes, atomic_write_text

DATASET_COLUMNS = ["variant", "policy", "rep", "week", "metric", "value"]
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
PARTS = "parts"
FORMAT_VERSION = 1


class ExperimentError(ScenarioError):
    """An experiment folder or design that cannot be used (shown as one line, exit 2)."""


# --- models ----------------------------------------------------------------------------


class Model(Protocol):
    """What the runner needs from a model.

    ``policies`` are the policy names the model knows (or None if any name goes);
    ``describe()`` is recorded in the manifest and decides whether a folder can be resumed;
    ``prepare(parameters)`` turns one variant's parameters into what the model runs on (for a
    scenario model: the validated scenario); calling the model runs one policy of one
    variant for one replication and returns tidy records ``week, metric, value`` (a
    DataFrame, or a mapping of those three names to equal-length sequences).
    """

    policies: list[str] | None

    def describe(self) -> dict[str, Any]: ...

    def prepare(self, parameters: Mapping[str, Any]) -> Any: ...

    def __call__(
        self, prepared: Any, policy: str, seed: int, rep: int
    ) -> pd.DataFrame | Mapping[str, Any]: ...


class ScenarioModel:
    """:func:`simlib.simulate` on a scenario with the variant's dotted-path overrides.

    Integer fields (``environment.years`` ...) receive rounded values, so a design can treat
    every factor as continuous. With ``allow_large`` the per-simulation resource guard is
    skipped (set it when the whole experiment has been checked).
    """

    def __init__(
        self, scenario: Scenario | str | Path | dict[str, Any], allow_large: bool = False
    ) -> None:
        self.scenario = load_scenario(scenario)
        self.allow_large = allow_large
        self.policies: list[str] | None = list(self.scenario.policies)
        self._resolved = self.scenario.to_dict()

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "simlib.simulate",
            "scenario_name": self.scenario.name,
            "scenario_hash": self.scenario.hash,
        }

    def is_integer(self, path: str) -> bool:
        node: Any = self._resolved
        for part in path.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return False
        return isinstance(node, int) and not isinstance(node, bool)

    def overrides(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """The scenario overrides of one variant (integer fields rounded half up)."""
        out: dict[str, Any] = {}
        for path, value in parameters.items():
            if isinstance(value, (float, np.floating)) and self.is_integer(path):
                value = int(math.floor(float(value) + 0.5))
            elif isinstance(value, np.generic):
                value = value.item()
            out[path] = value
        return out

    def prepare(self, parameters: Mapping[str, Any]) -> Scenario:
        """The validated scenario of one variant."""
        if not parameters:
            return self.scenario
        return load_scenario(self.scenario, overrides=self.overrides(parameters))

    def __call__(self, prepared: Scenario, policy: str, seed: int, rep: int) -> pd.DataFrame:
        from simlib.engine.simulation import simulate

        frame = simulate(prepared, policy, seed=seed, rep=rep, allow_large=self.allow_large)
        return frame[["week", "metric", "value"]]


class FunctionModel:
    """A plain function of keyword parameters returning ``{outcome: value}``.

    The function receives the variant's parameters (plus ``constants``) as keyword
    arguments, and also ``policy``, ``seed``, ``rep`` or ``rng`` (a generator from the
    replication's ``"model"`` stream) if its signature asks for them. Outcomes are recorded
    at week 0. The function must be importable (defined at module level) to run in other
    processes.

    Parameters
    ----------
    function
        ``f(**parameters) -> Mapping[str, float]``.
    policies
        Names passed as ``policy=`` (default: one policy called ``"model"``).
    constants
        Fixed keyword arguments.
    """

    def __init__(
        self,
        function: Callable[..., Mapping[str, float]],
        policies: Sequence[str] | None = None,
        constants: Mapping[str, Any] | None = None,
    ) -> None:
        self.function = function
        self.policies: list[str] | None = list(policies) if policies else ["model"]
        self.constants = dict(constants or {})
        self._asks = set(inspect.signature(function).parameters)

    def describe(self) -> dict[str, Any]:
        name = f"{getattr(self.function, '__module__', '?')}.{self.function.__qualname__}"
        return {"kind": "function", "function": name, "constants": self.constants}

    def prepare(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        return {**self.constants, **{k: _plain(v) for k, v in parameters.items()}}

    def __call__(
        self, prepared: dict[str, Any], policy: str, seed: int, rep: int
    ) -> dict[str, Any]:
        kwargs = dict(prepared)
        extras = {"policy": policy, "seed": seed, "rep": rep}
        kwargs.update({k: v for k, v in extras.items() if k in self._asks})
        if "rng" in self._asks:
            kwargs["rng"] = stream(seed, rep, "model")
        outcomes = self.function(**kwargs)
        names = list(outcomes)
        return {
            "week": np.zeros(len(names)),
            "metric": names,
            "value": np.asarray([float(outcomes[n]) for n in names], dtype=float),
        }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# --- tasks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """A slice of the experiment: every policy for each ``(variant, rep)`` unit listed."""

    index: int
    units: tuple[tuple[int, int], ...]
    parameters: tuple[tuple[tuple[str, Any], ...], ...]  # one per unit


def run_task(model: Model, task: Task, policies: Sequence[str], seed: int) -> pd.DataFrame:
    """Run one task and return its records (columns :data:`DATASET_COLUMNS`)."""
    columns: dict[str, list[Any]] = {name: [] for name in DATASET_COLUMNS}
    prepared_for: dict[int, Any] = {}
    for (variant, rep), params in zip(task.units, task.parameters, strict=True):
        if variant not in prepared_for:
            prepared_for = {variant: model.prepare(dict(params))}
        prepared = prepared_for[variant]
        for policy in policies:
            records = model(prepared, policy, seed, rep)
            metric = [str(m) for m in records["metric"]]
            n = len(metric)
            columns["variant"].append(np.full(n, variant, dtype=np.int64))
            columns["policy"].append([policy] * n)
            columns["rep"].append(np.full(n, rep, dtype=np.int64))
            columns["week"].append(np.asarray(records["week"], dtype=float))
            columns["metric"].append(metric)
            columns["value"].append(np.asarray(records["value"], dtype=float))
    return pd.DataFrame(
        {
            "variant": np.concatenate(columns["variant"]),
            "policy": [p for chunk in columns["policy"] for p in chunk],
            "rep": np.concatenate(columns["rep"]),
            "week": np.concatenate(columns["week"]),
            "metric": [m for chunk in columns["metric"] for m in chunk],
            "value": np.concatenate(columns["value"]),
        }
    )


def _tasks(design: pd.DataFrame, reps: int, task_size: int, skip: set[int]) -> Iterator[Task]:
    columns = list(design.columns)
    values = design.to_numpy(dtype=object) if columns else None
    n_units = len(design) * reps
    for index in range(math.ceil(n_units / task_size)):
        if index in skip:
            continue
        units = tuple(
            divmod(u, reps) for u in range(index * task_size, min(n_units, (index + 1) * task_size))
        )
        params = tuple(
            tuple(zip(columns, (_plain(x) for x in values[v]), strict=True))
            if values is not None
            else ()
            for v, _ in units
        )
        yield Task(index, units, params)


# --- the run ---------------------------------------------------------------------------


@dataclass
class RunSummary:
    """What a call to :func:`run_experiment` did."""

    out_dir: Path
    tasks: int
    already_done: int
    computed: int
    seconds: float

    def line(self) -> str:
        resumed = f", {self.already_done} already done" if self.already_done else ""
        return (
            f"{self.tasks} tasks ({self.computed} computed{resumed}) in {self.seconds:.1f} s "
            f"-> {self.out_dir}"
        )


def design_hash(manifest: Mapping[str, Any], design: pd.DataFrame) -> str:
    """A hash of everything that decides the results: model, policies, reps, seed, design."""
    payload = {
        "model": manifest["model"],
        "policies": manifest["policies"],
        "reps": manifest["reps"],
        "seed": manifest["seed"],
        "task_size": manifest["task_size"],
        "columns": list(design.columns),
        "values": [[_plain(x) for x in row] for row in design.itertuples(index=False)],
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_experiment(
    model: Model,
    out_dir: str | Path,
    *,
    design: pd.DataFrame | None = None,
    policies: Sequence[str] | None = None,
    reps: int = 1,
    seed: int = 0,
    executor: Executor | None = None,
    task_size: int = 1,
    max_in_flight: int | None = None,
    progress: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> RunSummary:
    """Run ``policies x variants x reps`` and stream each finished task to ``out_dir``.

    Running again with the same arguments resumes: finished tasks are kept and only the
    missing ones are computed. A folder holding a different experiment is refused.

    Parameters
    ----------
    model
        A :class:`ScenarioModel`, :class:`FunctionModel` or anything with that interface.
    out_dir
        The experiment folder (created if needed).
    design
        One row per variant, one column per parameter (dotted paths for a scenario model);
        default one variant with no parameters.
    policies
        Policy names (default: all the model declares).
    reps, seed
        Replications per variant and policy, and the experiment seed.
    executor
        Runs the tasks (a process pool, a Dask ``Client.get_executor()``); default: this
        process.
    task_size
        ``(variant, rep)`` units per task and per file; raise it for fast models.
    max_in_flight
        Tasks submitted but not yet written (default: two per worker, plus two); bounds
        memory while keeping every worker busy.
    progress
        Show a progress bar on stderr.
    extra
        More entries for the manifest (e.g. the sweep's factors and method).

    Returns
    -------
    RunSummary
        Task counts (computed now, found finished) and wall time.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    design = pd.DataFrame(index=range(1)) if design is None else design.reset_index(drop=True)
    if len(design) == 0:
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
    n_tasks = math.ceil(len(design) * reps / task_size)
    manifest = _manifest(model, design, policies, reps, seed, task_size, n_tasks, extra)
    done = _prepare_folder(out, manifest, design)

    bar = tqdm(total=n_tasks, initial=len(done), desc="sweep", unit="task", disable=not progress)
    computed = 0
    try:
        todo = _tasks(design, reps, task_size, done)
        for task, frame in _execute(model, todo, policies, seed, executor, max_in_flight):
            write_part(out, task.index, frame)
            computed += 1
            bar.update()
    finally:
        bar.close()
    manifest["status"] = "complete"
    manifest["finished_utc"] = _now()
    atomic_write_text(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
    return RunSummary(out, n_tasks, len(done), computed, time.perf_counter() - started)


def _execute(
    model: Model,
    tasks: Iterable[Task],
    policies: list[str],
    seed: int,
    executor: Executor | None,
    max_in_flight: int | None,
) -> Iterator[tuple[Task, pd.DataFrame]]:
    """Yield ``(task, records)`` as tasks finish, with a bounded number in flight."""
    calls = ((task, (model, task, policies, seed)) for task in tasks)
    yield from execute(run_task, calls, executor, max_in_flight)


def execute(
    function: Callable[..., Any],
    calls: Iterable[tuple[Any, tuple[Any, ...]]],
    executor: Executor | None = None,
    max_in_flight: int | None = None,
) -> Iterator[tuple[Any, Any]]:
    """Run ``function(*args)`` for each ``(key, args)`` and yield ``(key, result)``.

    In this process and in order without an executor; otherwise as results arrive, with at
    most ``max_in_flight`` calls submitted and not yet yielded (default: two per worker,
    plus two), so neither pending calls nor their results pile up in memory. The first
    failure is raised; calls not yet started are cancelled.
    """
    if executor is None:
        for key, args in calls:
            yield key, function(*args)
        return
    limit = max_in_flight or 2 * executor_workers(executor) + 2
    pending: dict[Future, tuple[int, Any]] = {}
    source = iter(calls)
    exhausted = False
    submitted = 0
    try:
        while True:
            while not exhausted and len(pending) < limit:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                key, args = item
                pending[executor.submit(function, *args)] = (submitted, key)
                submitted += 1
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: pending[f][0]):
                _, key = pending.pop(future)
                yield key, future.result()
    finally:
        for future in pending:
            future.cancel()


def executor_workers(executor: Executor) -> int:
    """How many tasks ``executor`` runs at once (a Dask client: its workers' threads)."""
    import os

    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a client that cannot tell: fall back below
            pass
    workers = getattr(executor, "_max_workers", None)
    return int(workers) if workers else os.cpu_count() or 1


def _manifest(
    model: Model,
    design: pd.DataFrame,
    policies: list[str],
    reps: int,
    seed: int,
    task_size: int,
    n_tasks: int,
    extra: Mapping[str, Any] | None,
) -> dict[str, Any]:
    from simlib.version import __version__

    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "simlib_version": __version__,
        "model": model.describe(),
        "policies": policies,
        "reps": reps,
        "seed": seed,
        "seeds": {
            "experiment_seed": seed,
            "streams": "SeedSequence(seed, spawn_key=(rep, crc32(mechanism))); the same for "
            "every policy and variant (common random numbers)",
        },
        "task_size": task_size,
        "variants": len(design),
        "parameters": list(design.columns),
        "tasks": n_tasks,
        "status": "running",
        "python": platform.python_version(),
        **dict(extra or {}),
    }
    if isinstance(model, ScenarioModel):
        manifest["scenario"] = model.scenario.to_dict()
    manifest["design_hash"] = design_hash(manifest, design)
    return manifest


def _prepare_folder(out: Path, manifest: dict[str, Any], design: pd.DataFrame) -> set[int]:
    """Create or reopen ``out``; return the indices of the tasks already finished."""
    path = out / MANIFEST
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"{out}: exists and is not a folder")
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ExperimentError(f"{path}: unreadable manifest ({exc})") from None
        if old.get("design_hash") != manifest["design_hash"]:
            raise ExperimentError(
                f"{out}: holds a different experiment (design {old.get('design_hash')}, this "
                f"one {manifest['design_hash']}); choose another output folder"
            )
        manifest["created_utc"] = old.get("created_utc", _now())
        manifest["resumed_utc"] = _now()
    else:
        leftovers = [] if not out.is_dir() else [p for p in out.iterdir() if not _is_temp(p)]
        if leftovers:
            raise ExperimentError(
                f"{out}: not empty and not an experiment folder (no {MANIFEST}); choose a new "
                "or empty folder"
            )
        manifest["created_utc"] = _now()
    # the manifest first: a folder killed at any later point is recognised and resumed
    atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=True))
    if not (out / DESIGN).exists():
        atomic_write_bytes(out / DESIGN, _parquet_bytes(design))
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    return finished_tasks(out, repair=True)


def _is_temp(path: Path) -> bool:
    """A temporary file of an atomic write that never got renamed."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


def part_path(out: Path, index: int) -> Path:
    return out / PARTS / f"task-{index:06d}.parquet"


def write_part(out: Path, index: int, frame: pd.DataFrame) -> Path:
    """Write one task's records atomically (temporary file + rename)."""
    return atomic_write_bytes(part_path(out, index), _parquet_bytes(frame[DATASET_COLUMNS]))


def finished_tasks(out: str | Path, repair: bool = False) -> set[int]:
    """Indices of the tasks whose files are whole.

    With ``repair``, leftover temporary files of an interrupted run and unreadable task
    files are deleted, so they are computed again.
    """
    parts = Path(out) / PARTS
    if not parts.is_dir():
        return set()
    done: set[int] = set()
    for path in parts.iterdir():
        name = path.name
        if _is_temp(path):
            if repair:
                path.unlink(missing_ok=True)
            continue
        if not (name.startswith("task-") and name.endswith(".parquet")):
            continue
        try:
            index = int(name[5:-8])
            whole = pq.read_metadata(path).num_rows >= 0
        except (ValueError, OSError, pa.ArrowException):
            whole = False
        if whole:
            done.add(index)
        elif repair:
            path.unlink(missing_ok=True)
    return done


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


# --- executors -------------------------------------------------------------------------


def ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle; it stops the pool and reports once."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def worker_pool(jobs: int, spawn: bool = False) -> ProcessPoolExecutor:
    """A process pool whose workers leave interrupts to the parent.

    ``spawn`` starts fresh interpreters instead of forking (needed inside a Jupyter kernel,
    whose threads must not be forked).
    """
    context = None
    if spawn:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=ignore_interrupts)


@contextmanager
def open_executor(
    jobs: int | None = None,
    dask: str | None = None,
    *,
    processes: bool = True,
    connect_timeout: float = 10.0,
) -> Iterator[Executor | None]:
    """The executor for ``--jobs``/``--dask``, shut down on leaving the ``with`` block.

    Parameters
    ----------
    jobs
        Worker processes (default: all cores). One job without Dask runs in this process.
    dask
        ``"local"`` starts a ``dask.distributed`` LocalCluster with ``jobs`` single-threaded
        workers; ``"tcp://HOST:PORT"`` connects to a running scheduler (its workers need
        simlib installed).
    processes
        LocalCluster only: workers in separate processes (the default) or threads of this
        one (quick to start; for small runs and tests).
    connect_timeout
        Seconds to wait for a remote scheduler.
    """
    import os

    jobs = jobs or os.cpu_count() or 1
    if not dask:
        if jobs == 1:
            yield None
            return
        pool = worker_pool(jobs)
        try:
            yield pool
        finally:
            pool.shutdown(cancel_futures=True)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExperimentError(
            "--dask needs dask.distributed; install simlib[distributed]"
        ) from None
    cluster = None
    if dask == "local":
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=processes, dashboard_address=None
        )
        client = Client(cluster)
    elif "://" in dask:
        try:
            client = Client(dask, timeout=f"{connect_timeout}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExperimentError(
                f"--dask {dask}: cannot reach the scheduler ({str(exc).splitlines()[0]})"
            ) from None
    else:
        raise ExperimentError(
            f"--dask {dask!r}: allowed 'local' or a scheduler address tcp://HOST:PORT"
        )
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --- reading ---------------------------------------------------------------------------


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    path = Path(out_dir) / MANIFEST
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ExperimentError(f"{out_dir}: no {MANIFEST}; not an experiment folder") from None
    except (OSError, ValueError) as exc:
        raise ExperimentError(f"{path}: unreadable manifest ({exc})") from None


def read_design(out_dir: str | Path) -> pd.DataFrame:
    return pd.read_parquet(Path(out_dir) / DESIGN)


def require_complete(out_dir: str | Path) -> dict[str, Any]:
    """The manifest, after checking every task has finished."""
    manifest = read_manifest(out_dir)
    done = finished_tasks(out_dir)
    missing = manifest["tasks"] - len(done & set(range(manifest["tasks"])))
    if missing:
        raise ExperimentError(
            f"{out_dir}: incomplete, {missing} of {manifest['tasks']} tasks missing; run the "
            "same sweep again to resume it"
        )
    return manifest


def iter_parts(out_dir: str | Path, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
    """The finished task files one at a time, in task order (memory: one task)."""
    out = Path(out_dir)
    for index in sorted(finished_tasks(out)):
        yield pq.read_table(part_path(out, index), columns=columns).to_pandas()


def load_records(out_dir: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """All records of the finished tasks, in task order (the whole dataset in memory)."""
    frames = list(iter_parts(out_dir, columns))
    if not frames:
        return pd.DataFrame(columns=list(columns or DATASET_COLUMNS))
    return pd.concat(frames, ignore_index=True)
