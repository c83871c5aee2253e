"""Batch reports: execute a parameterized notebook once per scenario, in parallel.

For each scenario, papermill executes the notebook (by default ``notebooks/compare.ipynb``)
with ``scenario`` and ``output_dir`` set, nbconvert renders ``report.html`` with the code
hidden, and the scenario's folder ``OUT/<scenario>/`` receives the executed notebook, the
report, the results files the notebook wrote and ``batch.json`` (status, timing, the resume
key). ``OUT/index.html`` lists every scenario with its status and links.

Planning and resume keys are :mod:`simlib.present.batch_plan`; the index page is
:mod:`simlib.present.batch_index`.

No half-written files: each scenario is built in a hidden staging folder under
``OUT/.staging/<batch>/`` and renamed into place only when complete; ``index.html`` is
written atomically and lists what is on disk; an interrupted batch removes its own staging
folders (and a killed one has them removed by the next batch). One batch writes into a
folder at a time (:mod:`simlib.storage.lock`): a second exits at once naming the first.
A failing scenario does not stop the others: its executed
notebook, with the error, is kept and the scenario is marked failed.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path
from typing import Any

from simlib.errors import ScenarioError
from simlib.experiments.executors import watch_parent
from simlib.present.batch_index import write_index
from simlib.present.batch_parameters import as_json_data, check_plain_data
from simlib.present.batch_plan import (
    DEFAULT_NOTEBOOK,
    INDEX,
    PDF_REPORT,
    RECORD,
    REPORT,
    STAGING,
    ScenarioRun,
    check_parameters,
    plan,
    up_to_date,
)
from simlib.present.report_document import ReportError, render_html, write_pdf
from simlib.storage.atomic import atomic_write_text, make_readable
from simlib.storage.lock import folder_lock
from simlib.storage.paths import inside, locate

# --- executing one scenario -------------------------------------------------------------


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    evalue = getattr(exc, "evalue", None)
    if ename:
        text = f"{ename}: {evalue}" if evalue else str(ename)
    else:
        text = f"{type(exc).__name__}: {exc}"
    lines = [line for line in str(text).splitlines() if line.strip()]
    return "\n".join(lines[:12])[:2000]


def _title(staging: Path, fallback: str) -> str:
    """The scenario's name, from the manifest the report notebook wrote (else ``fallback``)."""
    try:
        manifest = json.loads((staging / "manifest.json").read_text(encoding="utf-8"))
        return str(manifest.get("scenario_name") or fallback)
    except (OSError, ValueError):
        return fallback


def _commit(staging: Path, final: Path) -> None:
    """Replace ``final`` by the finished ``staging`` folder with renames only."""
    make_readable(list(staging.iterdir()))
    trash = None
    if final.exists():
        trash = staging.parent / f"old-{uuid.uuid4().hex}"
        os.replace(final, trash)
    os.replace(staging, final)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)


def execute_scenario(
    scenario: Path,
    run: ScenarioRun,
    out: Path,
    notebook: Path,
    parameters: dict[str, Any],
    timeout: float | None = None,
    staging_root: Path | None = None,
    pdf: bool = True,
) -> ScenarioRun:
    """Execute the notebook for one scenario and move its folder into place.

    The executed notebook is rendered to ``report.html`` (code hidden, the scenario's name as
    its title) and, with ``pdf``, to ``report.pdf`` beside it.

    A notebook error marks the run failed but keeps the executed notebook and its HTML.
    An interruption removes the staging folder and re-raises.
    """
    import papermill

    final = inside(out, run.name)
    staging = (staging_root or out / STAGING) / f"{run.name}-{uuid.uuid4().hex[:12]}"
    staging.mkdir(parents=True)
    started = time.perf_counter()
    executed = staging / notebook.name
    committed = False
    try:
        try:
            papermill.execute_notebook(
                str(notebook),
                str(executed),
                parameters={
                    **as_json_data(parameters),
                    "scenario": str(scenario),
                    "output_dir": str(staging),
                },
                cwd=str(staging),
                progress_bar=False,
                log_output=False,
                execution_timeout=timeout,
                # The kernel's start-up warnings (e.g. about its local TCP transport) would
                # repeat for every scenario; its errors still show.
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
            run.status = "ok"
        except Exception as exc:  # a failing cell, a timeout, a dead kernel
            run.status = "failed"
            run.error = _error_text(exc)
        if executed.exists():
            try:
                render_html(executed, staging / REPORT, title=_title(staging, run.name))
            except Exception as exc:  # noqa: BLE001 - the report is best effort on failure
                if run.status == "ok":
                    run.status = "failed"
                    run.error = f"rendering the report failed: {_error_text(exc)}"
        if run.status == "ok" and pdf:
            try:
                write_pdf(staging / REPORT, staging / PDF_REPORT)
            except ReportError as exc:  # one clear line: the HTML report is still there
                run.status = "failed"
                run.error = str(exc)
        run.seconds = round(time.perf_counter() - started, 2)
        run.finished_utc = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        run.files = sorted(
            p.name for p in staging.iterdir() if p.is_file() and not p.name.startswith(".")
        )
        run.files.append(RECORD)
        atomic_write_text(staging / RECORD, json.dumps(asdict(run), indent=2))
        if _PARENT_GONE is not None and _PARENT_GONE.is_set():
            raise KeyboardInterrupt  # the batch that asked for this result has died
        _commit(staging, final)
        committed = True
        return run
    finally:
        if not committed:
            shutil.rmtree(staging, ignore_errors=True)


def _worker_init() -> None:
    # A terminated worker unwinds like an interrupted one: papermill stops its kernel and
    # the staging folder is removed. A worker whose batch died is terminated the same way
    # and never commits (see watch_parent).
    global _PARENT_GONE

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    _PARENT_GONE = watch_parent()


# Set in a batch worker process only: the event of its parent's death.
_PARENT_GONE: threading.Event | None = None


# --- the batch --------------------------------------------------------------------------


def sweep_staging(out: Path) -> None:
    """Remove staging folders left by earlier batches (called holding the folder's lock)."""
    shutil.rmtree(out / STAGING, ignore_errors=True)


def runs_on_disk(out: Path, exclude: set[str]) -> list[ScenarioRun]:
    """The runs recorded in ``OUT/<name>/batch.json`` by earlier batches, names not excluded."""
    runs = []
    for record_path in sorted(out.glob(f"*/{RECORD}")):
        name = record_path.parent.name
        if name.lower() in exclude or name.startswith("."):
            continue
        try:
            record = json.loads(record_path.read_text())
            fields = {k: record[k] for k in ScenarioRun.__dataclass_fields__ if k in record}
            run = ScenarioRun(**fields)
        except (OSError, ValueError, TypeError, KeyError):
            continue  # not a record this batch can read: left out of the index
        if run.name == name:
            runs.append(run)
    return runs


def _write_index(
    out: Path, runs: list[ScenarioRun], notebook: Path, parameters: dict[str, Any]
) -> None:
    """The index of this batch's runs, then the other scenarios recorded on disk."""
    others = runs_on_disk(out, {run.name.lower() for run in runs})
    write_index(out, [*runs, *others], notebook, parameters)


def run_batch(
    scenarios: Sequence[str | Path],
    out: str | Path,
    *,
    notebook: str | Path | None = None,
    parameters: dict[str, Any] | None = None,
    jobs: int = 1,
    resume: bool = False,
    timeout: float | None = None,
    on_done: Callable[[ScenarioRun], None] | None = None,
) -> list[ScenarioRun]:
    """Execute ``notebook`` for every scenario; write ``OUT/<scenario>/`` and ``OUT/index.html``.

    Parameters
    ----------
    scenarios
        Scenario YAML files.
    out
        Output folder; nothing is written outside it.
    notebook
        The parameterized notebook (default ``notebooks/compare.ipynb``, looked up from the
        working folder upwards). It must declare ``scenario`` and ``output_dir``.
    parameters
        Further notebook parameters, the same for every scenario (``{"reps": 5}``).
    jobs
        Scenarios executed at once (worker processes).
    resume
        Skip scenarios whose folder holds a successful run with the same resume key.
    timeout
        Seconds allowed per notebook cell (default: no limit).
    on_done
        Called with each finished run (for progress output).

    Returns
    -------
    list of ScenarioRun
        In the order of ``scenarios``.

    Raises
    ------
    ScenarioError
        For a missing scenario file or notebook, a parameter the notebook does not declare,
        or one that is not plain JSON data (see :mod:`simlib.present.batch_parameters`).
    KeyboardInterrupt
        After removing every unfinished staging folder and writing the index.
    """
    parameters = dict(parameters or {})
    check_plain_data(parameters)
    notebook_path = locate(notebook or DEFAULT_NOTEBOOK)
    if not notebook_path.is_file():
        raise ScenarioError(f"{notebook or DEFAULT_NOTEBOOK}: notebook not found; pass --notebook")
    notebook_path = notebook_path.resolve()
    check_parameters(notebook_path, parameters)
    out_dir = Path(out).expanduser().resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise ScenarioError(f"--out {out}: exists and is not a folder")
    if (out_dir / INDEX).is_dir():
        raise ScenarioError(
            f"{out_dir / INDEX}: is a folder (a scenario named {INDEX} by an earlier simlib); "
            "rename it, then run the batch again"
        )
    planned = plan(scenarios, notebook_path, parameters)
    with folder_lock(out_dir):
        sweep_staging(out_dir)  # only dead batches leave staging folders: we hold the lock
        staging_root = out_dir / STAGING / uuid.uuid4().hex[:12]
        try:
            return _run_planned(
                planned,
                out_dir,
                notebook_path,
                parameters,
                jobs,
                resume,
                timeout,
                on_done,
                staging_root,
            )
        finally:
            shutil.rmtree(staging_root, ignore_errors=True)
            if (out_dir / STAGING).is_dir() and not any((out_dir / STAGING).iterdir()):
                (out_dir / STAGING).rmdir()


def _run_planned(
    planned: list[tuple[Path, ScenarioRun]],
    out_dir: Path,
    notebook_path: Path,
    parameters: dict[str, Any],
    jobs: int,
    resume: bool,
    timeout: float | None,
    on_done: Callable[[ScenarioRun], None] | None,
    staging_root: Path,
) -> list[ScenarioRun]:
    out_dir.mkdir(parents=True, exist_ok=True)
    todo: list[tuple[Path, ScenarioRun]] = []
    for path, run in planned:
        if resume and up_to_date(out_dir, run):
            run.status = "skipped"
            record = json.loads((inside(out_dir, run.name) / RECORD).read_text())
            run.files, run.seconds = record.get("files", []), record.get("seconds", 0.0)
            run.finished_utc = record.get("finished_utc")
            if on_done:
                on_done(run)
        else:
            todo.append((path, run))

    by_name = {run.name: run for _, run in planned}
    runs = [run for _, run in planned]
    try:
        if jobs <= 1 or len(todo) <= 1:
            for path, run in todo:
                try:
                    execute_scenario(
                        path, run, out_dir, notebook_path, parameters, timeout, staging_root
                    )
                except Exception as exc:  # not the notebook failing: the batch's own step
                    run.status, run.error = "failed", _error_text(exc)
                if on_done:
                    on_done(run)
        else:
            _run_parallel(
                todo,
                out_dir,
                notebook_path,
                parameters,
                jobs,
                timeout,
                by_name,
                on_done,
                staging_root,
            )
    except BaseException:
        for run in runs:
            if run.status == "pending":
                run.status = "interrupted"
        _write_index(out_dir, runs, notebook_path, parameters)
        raise
    _write_index(out_dir, runs, notebook_path, parameters)
    return runs


def _run_parallel(
    todo: list[tuple[Path, ScenarioRun]],
    out_dir: Path,
    notebook: Path,
    parameters: dict[str, Any],
    jobs: int,
    timeout: float | None,
    by_name: dict[str, ScenarioRun],
    on_done: Callable[[ScenarioRun], None] | None,
    staging_root: Path,
) -> None:
    import multiprocessing

    executor = ProcessPoolExecutor(
        max_workers=min(jobs, len(todo)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
    )
    futures: dict[Future, str] = {
        executor.submit(
            execute_scenario, path, run, out_dir, notebook, parameters, timeout, staging_root
        ): run.name
        for path, run in todo
    }
    try:
        for future in as_completed(futures):
            run = by_name[futures[future]]
            try:
                done = future.result()  # a worker returns an updated copy of the run
                run.__dict__.update(done.__dict__)
            except Exception as exc:  # not the notebook failing: the batch's own step
                run.status, run.error = "failed", _error_text(exc)
            if on_done:
                on_done(run)
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        for process in list(getattr(executor, "_processes", {}).values()):
            if process.is_alive():
                process.terminate()  # the worker unwinds: kernel stopped, staging removed
        for process in list(getattr(executor, "_processes", {}).values()):
            process.join(timeout=15)
        raise
    executor.shutdown(wait=True)
