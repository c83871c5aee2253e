"""Batch reports: execute a parameterized notebook once per scenario, in parallel.

For each scenario, papermill executes the notebook (by default ``notebooks/compare.ipynb``)
with ``scenario`` and ``output_dir`` set, nbconvert renders ``report.html`` with the code
hidden, and the scenario's folder ``OUT/<scenario>/`` receives the executed notebook, the
report, the results files the notebook wrote and ``batch.json`` (status, timing, the resume
key). ``OUT/index.html`` lists every scenario with its status and links.

No half-written files: each scenario is built in a hidden staging folder under
``OUT/.staging/`` and renamed into place only when complete; ``index.html`` is written
atomically; an interrupted batch removes its staging folders (and a killed one has them
removed by the next batch). A failing scenario does not stop the others: its executed
notebook, with the error, is kept and the scenario is marked failed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import os
import shutil
import signal
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from simlib.errors import ScenarioError
from simlib.storage.atomic import atomic_write_text, default_file_mode
from simlib.storage.paths import inside, locate, unique_names

DEFAULT_NOTEBOOK = "notebooks/compare.ipynb"
STAGING = ".staging"
RECORD = "batch.json"
REPORT = "report.html"
RESERVED_PARAMETERS = ("scenario", "output_dir")


@dataclass
class ScenarioRun:
    """What happened to one scenario of a batch."""

    source: str  # the scenario file, as given
    name: str  # its folder under OUT
    key: str  # resume key: scenario, notebook, parameters and simlib version
    status: str = "pending"  # ok | failed | skipped | interrupted
    seconds: float = 0.0
    error: str | None = None
    files: list[str] = field(default_factory=list)
    finished_utc: str | None = None


# --- planning -------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def scenario_identity(path: Path, parameters: dict[str, Any]) -> str:
    """The scenario's hash as the notebook will see it, or its file's hash if it is invalid."""
    from simlib.present.briefing import run_overrides
    from simlib.scenario.loading import load_scenario

    try:
        overrides = run_overrides(
            parameters.get("overrides") if isinstance(parameters.get("overrides"), dict) else {},
            policies=parameters.get("policies"),
            reps=parameters.get("reps"),
            seed=parameters.get("seed"),
            years=parameters.get("years"),
        )
        return "scenario:" + load_scenario(path, overrides=overrides).hash
    except (ScenarioError, TypeError, ValueError):
        try:
            return "file:" + _sha256(path.read_bytes())
        except OSError:
            return "missing"


def resume_key(scenario: Path, notebook: Path, parameters: dict[str, Any]) -> str:
    """Same key = same outputs: scenario hash, notebook content, parameters, simlib version."""
    from simlib.version import __version__

    blob = json.dumps(
        {
            "scenario": scenario_identity(scenario, parameters),
            "notebook": _sha256(notebook.read_bytes()),
            "parameters": parameters,
            "simlib": __version__,
        },
        sort_keys=True,
        default=str,
    )
    return _sha256(blob.encode())[:24]


def _display_name(path: Path) -> str:
    """The scenario's own ``name`` if its YAML has one, else the file name without suffix."""
    from simlib.scenario.loading import read_yaml  # size, nesting and alias-bomb limits

    try:
        data = read_yaml(path)
    except ScenarioError:  # the notebook reports the problem; the folder takes the file name
        data = None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name.strip() else path.stem


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """The parameters a notebook declares in its cell tagged ``parameters``."""
    import papermill

    return dict(papermill.inspect_notebook(str(notebook)))


def check_parameters(notebook: Path, parameters: dict[str, Any]) -> None:
    """Refuse parameters the notebook does not declare, with the closest valid name."""
    import difflib

    declared = notebook_parameters(notebook)
    missing = [p for p in RESERVED_PARAMETERS if p not in declared]
    if missing:
        raise ScenarioError(
            f"{notebook}: its cell tagged 'parameters' must define {', '.join(missing)}"
        )
    problems = []
    for key in parameters:
        if key in RESERVED_PARAMETERS:
            problems.append(f"--param {key}: set by the batch itself; leave it out")
        elif key not in declared:
            close = difflib.get_close_matches(key, list(declared), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            allowed = ", ".join(p for p in declared if p not in RESERVED_PARAMETERS)
            problems.append(
                f"--param {key}: not a parameter of {notebook.name}{hint} Allowed: {allowed}"
            )
    if problems:
        raise ScenarioError(problems)


def plan(
    scenarios: Sequence[str | Path], notebook: Path, parameters: dict[str, Any]
) -> list[tuple[Path, ScenarioRun]]:
    """Resolve scenario files, give each a unique safe folder name and a resume key."""
    paths = []
    missing = []
    for given in scenarios:
        path = Path(given).expanduser()
        if not path.is_file():
            missing.append(f"{given}: scenario file not found")
        paths.append(path.resolve())
    if missing:
        raise ScenarioError(missing)
    if not paths:
        raise ScenarioError("no scenario files given")
    names = unique_names([_display_name(p) for p in paths])
    return [
        (
            path,
            ScenarioRun(source=str(given), name=name, key=resume_key(path, notebook, parameters)),
        )
        for path, given, name in zip(paths, scenarios, names, strict=True)
    ]


def up_to_date(out: Path, run: ScenarioRun) -> bool:
    """True if ``out/<name>`` holds a successful run with the same resume key."""
    folder = inside(out, run.name)
    try:
        record = json.loads((folder / RECORD).read_text())
    except (OSError, ValueError):
        return False
    return (
        record.get("status") == "ok"
        and record.get("key") == run.key
        and all((folder / f).is_file() for f in record.get("files", []))
    )


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


def render_html(notebook_path: Path, html_path: Path) -> None:
    """Render an executed notebook to HTML with every code cell's input hidden."""
    import nbformat
    from nbconvert import HTMLExporter

    node = nbformat.read(str(notebook_path), as_version=4)
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(node)
    atomic_write_text(html_path, body)


def _readable(paths: list[Path]) -> None:
    """Give files the permissions of ordinary new files (temp files are private, 0600)."""
    mode = default_file_mode()
    for path in paths:
        if path.is_file():
            os.chmod(path, mode)


def _commit(staging: Path, final: Path) -> None:
    """Replace ``final`` by the finished ``staging`` folder with renames only."""
    _readable(list(staging.iterdir()))
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
) -> ScenarioRun:
    """Execute the notebook for one scenario and move its folder into place.

    A notebook error marks the run failed but keeps the executed notebook and its HTML.
    An interruption removes the staging folder and re-raises.
    """
    import papermill

    final = inside(out, run.name)
    staging = out / STAGING / f"{run.name}-{uuid.uuid4().hex[:12]}"
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
                    **parameters,
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
                render_html(executed, staging / REPORT)
            except Exception as exc:  # noqa: BLE001 - the report is best effort on failure
                if run.status == "ok":
                    run.status = "failed"
                    run.error = f"rendering the report failed: {_error_text(exc)}"
        run.seconds = round(time.perf_counter() - started, 2)
        run.finished_utc = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        run.files = sorted(
            p.name for p in staging.iterdir() if p.is_file() and not p.name.startswith(".")
        )
        run.files.append(RECORD)
        atomic_write_text(staging / RECORD, json.dumps(asdict(run), indent=2))
        _commit(staging, final)
        committed = True
        return run
    finally:
        if not committed:
            shutil.rmtree(staging, ignore_errors=True)


def _worker_init() -> None:
    # A terminated worker unwinds like an interrupted one: papermill stops its kernel and
    # the staging folder is removed.
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


# --- the batch --------------------------------------------------------------------------


def sweep_staging(out: Path) -> None:
    """Remove staging folders left by an earlier batch that was killed."""
    shutil.rmtree(out / STAGING, ignore_errors=True)


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
        For a missing scenario file or notebook, or a parameter the notebook does not declare.
    KeyboardInterrupt
        After removing every unfinished staging folder and writing the index.
    """
    parameters = dict(parameters or {})
    notebook_path = locate(notebook or DEFAULT_NOTEBOOK)
    if not notebook_path.is_file():
        raise ScenarioError(f"{notebook or DEFAULT_NOTEBOOK}: notebook not found; pass --notebook")
    notebook_path = notebook_path.resolve()
    check_parameters(notebook_path, parameters)
    out_dir = Path(out).expanduser().resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    sweep_staging(out_dir)
    planned = plan(scenarios, notebook_path, parameters)

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
    try:
        if jobs <= 1 or len(todo) <= 1:
            for path, run in todo:
                try:
                    execute_scenario(path, run, out_dir, notebook_path, parameters, timeout)
                except Exception as exc:  # not the notebook failing: the batch's own step
                    run.status, run.error = "failed", _error_text(exc)
                if on_done:
                    on_done(run)
        else:
            _run_parallel(todo, out_dir, notebook_path, parameters, jobs, timeout, by_name, on_done)
    except BaseException:
        for run in by_name.values():
            if run.status == "pending":
                run.status = "interrupted"
        sweep_staging(out_dir)
        write_index(out_dir, [run for _, run in planned], notebook_path, parameters)
        raise
    sweep_staging(out_dir)
    write_index(out_dir, [run for _, run in planned], notebook_path, parameters)
    return [run for _, run in planned]


def _run_parallel(
    todo: list[tuple[Path, ScenarioRun]],
    out_dir: Path,
    notebook: Path,
    parameters: dict[str, Any],
    jobs: int,
    timeout: float | None,
    by_name: dict[str, ScenarioRun],
    on_done: Callable[[ScenarioRun], None] | None,
) -> None:
    import multiprocessing

    executor = ProcessPoolExecutor(
        max_workers=min(jobs, len(todo)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
    )
    futures: dict[Future, str] = {
        executor.submit(
            execute_scenario, path, run, out_dir, notebook, parameters, timeout
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


# --- the index --------------------------------------------------------------------------

_STATUS_STYLE = {
    "ok": ("ok", "#1b7f3b"),
    "skipped": ("ok (up to date, not re-run)", "#1b7f3b"),
    "failed": ("FAILED", "#b00020"),
    "interrupted": ("not run (batch interrupted)", "#8a6d00"),
    "pending": ("not run", "#8a6d00"),
}


def _link(name: str, file: str) -> str:
    return f"<a href='{quote(name)}/{quote(file)}'>{html.escape(file)}</a>"


def index_html(runs: Sequence[ScenarioRun], notebook: Path, parameters: dict[str, Any]) -> str:
    """The batch's index page: every scenario with its status, time, links and error."""
    from simlib.version import __version__

    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    failed = [r for r in runs if r.status == "failed"]
    rows = []
    for run in runs:
        label, colour = _STATUS_STYLE.get(run.status, (run.status, "#333"))
        report = _link(run.name, REPORT) if REPORT in run.files else ""
        others = " · ".join(_link(run.name, f) for f in run.files if f != REPORT)
        error = f"<pre>{html.escape(run.error)}</pre>" if run.error else ""
        rows.append(
            "<tr>"
            f"<td><b>{html.escape(run.name)}</b><br><small>{html.escape(run.source)}</small></td>"
            f"<td class='status-{html.escape(run.status)}' style='color:{colour}'>"
            f"<b>{html.escape(label)}</b></td>"
            f"<td style='text-align:right'>{run.seconds:.1f} s</td>"
            f"<td>{report}</td><td><small>{others}</small>{error}</td>"
            "</tr>"
        )
    params = html.escape(json.dumps(parameters, sort_keys=True)) if parameters else "none"
    summary = f"{len(runs)} scenario(s), {len(failed)} failed" if runs else "no scenarios"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>simlib batch reports</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .5rem .75rem; vertical-align: top; }}
th {{ text-align: left; background: #f4f4f4; }}
pre {{ white-space: pre-wrap; color: #b00020; margin: .3rem 0 0; font-size: .85rem; }}
</style></head><body>
<h1>Policy comparison reports</h1>
<p>{html.escape(summary)}. Notebook <code>{html.escape(notebook.name)}</code>,
parameters <code>{params}</code>, simlib {html.escape(__version__)}, generated {now}.</p>
<table>
<thead><tr><th>Scenario</th><th>Status</th><th>Time</th><th>Report</th><th>Files</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""


def write_index(
    out: Path, runs: Sequence[ScenarioRun], notebook: Path, parameters: dict[str, Any]
) -> Path:
    """Write ``OUT/index.html`` atomically."""
    path = atomic_write_text(out / "index.html", index_html(runs, notebook, parameters))
    _readable([path])
    return path
