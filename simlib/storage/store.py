"""Results folders on disk: the one place that knows their layout, writes and reads them.

An *experiment folder* (a sweep, or any model run over a design) is written while the
experiment runs, one task at a time::

    OUT/manifest.json          the design and provenance (status: running | complete)
    OUT/design.parquet         one row per variant: the varied parameter values
    OUT/tasks.jsonl            the task index: one line per committed part, its SHA-256
    OUT/parts/task-000000.parquet ...   columns variant, policy, rep, week, metric, value

Every file is written atomically (temporary file + rename), and the manifest first: after a
crash, even a SIGKILL, the folder is recognised, holds only whole task files, and running
the same experiment again computes only the missing ones (:func:`prepare_folder`).

Every file is also checksummed (:mod:`simlib.storage.checksums`) and verified before it is
read: a part must match the checksum its task index recorded when it was committed, hold
the columns of a part and exactly the ``(variant, rep)`` units of its task; any other file
under ``parts/`` is refused. Analysis refuses a folder that does not verify, naming the
file; running the same experiment again re-verifies everything and recomputes what is
damaged (``design.parquet`` included).

A *comparison folder* (``simlib compare --out``, a batch report) holds
``results.parquet``, ``summary.csv`` and ``manifest.json``, the manifest carrying the
checksums of the other two. A dedicated folder is saved as a set: built beside it and
swapped in whole (:func:`write_comparison`).

Analysis reads folders through this module only; it never imports what runs experiments.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simlib.errors import ScenarioError
from simlib.storage.atomic import (
    aside_path,
    atomic_write_bytes,
    atomic_write_text,
    recover_folder,
    replace_folder,
    staging_path,
)
from simlib.storage.checksums import CHECKSUM, index_line, is_sealed, parse_index, seal, sha256
from simlib.storage.lock import folder_lock
from simlib.storage.provenance import now_utc, provenance

DATASET_COLUMNS = ["variant", "policy", "rep", "week", "metric", "value"]
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
PARTS = "parts"
TASK_INDEX = "tasks.jsonl"
FORMAT_VERSION = 2
PART_TYPES = {
    "variant": pa.int64(),
    "policy": pa.string(),
    "rep": pa.int64(),
    "week": pa.float64(),
    "metric": pa.string(),
    "value": pa.float64(),
}
"""The columns of a part and their Arrow types."""
STREAMS_NOTE = "; the same for every policy and variant (common random numbers)"

COMPARISON_FILES = {
    "results": "results.parquet",
    "summary": "summary.csv",
    "manifest": MANIFEST,
}
"""The files of a comparison folder, by role."""


class ExperimentError(ScenarioError):
    """An experiment folder or design that cannot be used (shown as one line, exit 2)."""


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


# --- experiment folders: writing -----------------------------------------------------------


def design_hash(manifest: Mapping[str, Any], design: pd.DataFrame) -> str:
    """A hash of everything that decides the results: model, policies, reps, seed, design."""
    payload = {
        "model": manifest["model"],
        "policies": manifest["policies"],
        "reps": manifest["reps"],
        "seed": manifest["seed"],
        "task_size": manifest["task_size"],
        "columns": list(design.columns),
        "values": [[plain(x) for x in row] for row in design.itertuples(index=False)],
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def new_manifest(
    model: Mapping[str, Any],
    design: pd.DataFrame,
    policies: list[str],
    reps: int,
    seed: int,
    task_size: int,
    n_tasks: int,
    extra: Mapping[str, Any] | None = None,
    scenario: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest of an experiment about to run (status ``running``).

    ``model`` is the model's description (it decides, with the design, whether a folder can
    be resumed); ``scenario`` the resolved base scenario, for scenario models.
    """
    prov = provenance(seed, reps, streams_note=STREAMS_NOTE, timestamp=False)
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "simlib_version": prov["simlib_version"],
        "model": dict(model),
        "policies": policies,
        "reps": reps,
        "seed": seed,
        "seeds": prov["seeds"],
        "task_size": task_size,
        "variants": len(design),
        "parameters": list(design.columns),
        "tasks": n_tasks,
        "status": "running",
        "python": prov["python"],
        **dict(extra or {}),
    }
    if scenario is not None:
        manifest["scenario"] = dict(scenario)
    manifest["design_hash"] = design_hash(manifest, design)
    return manifest


def prepare_folder(out: Path, manifest: dict[str, Any], design: pd.DataFrame) -> set[int]:
    """Create or reopen ``out``; return the indices of the tasks already finished and verified.

    Reopening re-verifies every file: a damaged ``design.parquet`` is written again, a part
    that does not match its recorded checksum or its task is deleted (so it is computed
    again), and the task index is rewritten with the verified parts only. The caller holds
    the folder's lock (:mod:`simlib.storage.lock`).

    Raises
    ------
    ExperimentError
        If ``out`` is a file, holds a different experiment or a damaged manifest, or holds
        other files.
    """
    path = out / MANIFEST
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"{out}: exists and is not a folder")
    if path.exists():
        old = _load_manifest(out)
        if old.get("design_hash") != manifest["design_hash"]:
            raise ExperimentError(
                f"{out}: holds a different experiment (design {old.get('design_hash')}, this "
                f"one {manifest['design_hash']}); choose another output folder"
            )
        manifest["created_utc"] = old.get("created_utc", now_utc())
        manifest["resumed_utc"] = now_utc()
    else:
        leftovers = [] if not out.is_dir() else [p for p in out.iterdir() if not _is_temp(p)]
        if leftovers:
            raise ExperimentError(
                f"{out}: not empty and not an experiment folder (no {MANIFEST}); choose a new "
                "or empty folder"
            )
        manifest["created_utc"] = now_utc()
    design_bytes = _parquet_bytes(design)
    manifest["design_sha256"] = sha256(design_bytes)
    # the manifest first: a folder killed at any later point is recognised and resumed
    write_manifest(out, manifest)
    design_file = out / DESIGN
    if not design_file.is_file() or sha256(design_file.read_bytes()) != manifest["design_sha256"]:
        atomic_write_bytes(design_file, design_bytes)
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    return finished_tasks(out, repair=True, manifest=manifest)


def write_manifest(out: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``out/manifest.json`` atomically, sealed with the checksum of its content."""
    return atomic_write_text(out / MANIFEST, json.dumps(seal(manifest), indent=2, sort_keys=True))


def mark_complete(out: Path, manifest: dict[str, Any]) -> None:
    """Record that every task of ``out`` has finished."""
    manifest["status"] = "complete"
    manifest["finished_utc"] = now_utc()
    write_manifest(out, manifest)


def part_path(out: Path, index: int) -> Path:
    return out / PARTS / f"task-{index:06d}.parquet"


def write_part(out: Path, index: int, frame: pd.DataFrame) -> Path:
    """Commit one task's records: the part atomically, then its checksum in the task index.

    A part whose index line was not written (a kill between the two) does not verify and
    is computed again on resume.
    """
    table = pa.Table.from_pandas(
        frame[DATASET_COLUMNS], schema=pa.schema(PART_TYPES), preserve_index=False
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    data = buffer.getvalue()
    path = atomic_write_bytes(part_path(out, index), data)
    with open(out / TASK_INDEX, "a", encoding="utf-8") as handle:
        handle.write(index_line(index, sha256(data), len(frame)) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path


def task_units(manifest: Mapping[str, Any], index: int) -> set[tuple[int, int]]:
    """The ``(variant, rep)`` units task ``index`` covers, as the manifest cuts the design."""
    reps, size = int(manifest["reps"]), int(manifest["task_size"])
    n_units = int(manifest["variants"]) * reps
    return {divmod(u, reps) for u in range(index * size, min(n_units, (index + 1) * size))}


def finished_tasks(
    out: str | Path, repair: bool = False, manifest: Mapping[str, Any] | None = None
) -> set[int]:
    """Indices of the tasks whose parts verify (checksum, columns, units).

    With ``repair``, leftover temporary files of an interrupted run and parts that do not
    verify are deleted, so they are computed again, and the task index is rewritten with
    the verified parts only. Without it, nothing is changed (a folder without a readable
    manifest has no finished tasks).
    """
    out = Path(out)
    parts = out / PARTS
    if not parts.is_dir():
        return set()
    if manifest is None:
        try:
            manifest = read_manifest(out)
        except ExperimentError:
            return set()
    digests = _task_index(out)
    done: dict[int, tuple[str, int]] = {}
    for path in sorted(parts.iterdir()):
        if _is_temp(path):
            if repair:
                path.unlink(missing_ok=True)
            continue
        try:
            index, table = _verified_part(out, path, manifest, digests)
        except ExperimentError:
            if repair:
                path.unlink(missing_ok=True)
            continue
        done[index] = (digests[index], table.num_rows)
    if repair:
        lines = "".join(index_line(i, d, n) + "\n" for i, (d, n) in sorted(done.items()))
        atomic_write_text(out / TASK_INDEX, lines)
    return set(done)


def _task_index(out: Path) -> dict[int, str]:
    try:
        text = (out / TASK_INDEX).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ExperimentError(f"{out / TASK_INDEX}: unreadable ({exc})") from None
    return parse_index(text)[0]


def _verified_part(
    out: Path, path: Path, manifest: Mapping[str, Any], digests: Mapping[int, str]
) -> tuple[int, pa.Table]:
    """The task index and records of a part, after every check; else ExperimentError."""
    name = path.name
    where = f"{out.name}/{PARTS}/{name}"
    stem = name[5:-8] if name.startswith("task-") and name.endswith(".parquet") else ""
    index = int(stem) if stem.isdigit() and len(stem) == 6 else -1
    if not 0 <= index < int(manifest["tasks"]) or path != part_path(out, index):
        raise ExperimentError(
            f"{where}: not a part of this experiment ({manifest['tasks']} tasks); remove it"
        )
    if index not in digests:
        raise ExperimentError(f"{where}: no checksum recorded for it in {TASK_INDEX}; damaged")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExperimentError(f"{where}: unreadable ({exc})") from None
    if sha256(data) != digests[index]:
        raise ExperimentError(f"{where}: damaged (its checksum does not match {TASK_INDEX})")
    try:
        table = pq.read_table(io.BytesIO(data))
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise ExperimentError(f"{where}: unreadable ({exc})") from None
    types = {field.name: str(field.type) for field in table.schema}
    if types != {name: str(kind) for name, kind in PART_TYPES.items()}:
        raise ExperimentError(f"{where}: not a part (columns {types})")
    units = set(
        zip(
            table.column("variant").to_pylist(),
            table.column("rep").to_pylist(),
            strict=True,
        )
    )
    if units != task_units(manifest, index):
        raise ExperimentError(f"{where}: holds other variants or replications than task {index}")
    policies = set(table.column("policy").unique().to_pylist())
    if not policies <= set(manifest["policies"]):
        raise ExperimentError(f"{where}: holds policies this experiment did not run")
    return index, table


def _is_temp(path: Path) -> bool:
    """A temporary file of an atomic write that never got renamed."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()


# --- experiment folders: reading -----------------------------------------------------------


def _load_manifest(out_dir: str | Path) -> dict[str, Any]:
    """The manifest as written, after checking its checksum (the checksum removed)."""
    path = Path(out_dir) / MANIFEST
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise ExperimentError(f"{out_dir}: is a file, not an experiment folder")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExperimentError(f"{out_dir}: no {MANIFEST}; not an experiment folder") from None
    except (OSError, ValueError) as exc:
        raise ExperimentError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise ExperimentError(f"{path}: unreadable manifest (not a JSON object)")
    fmt = manifest.get("format", 1)
    if CHECKSUM not in manifest and isinstance(fmt, int) and fmt < FORMAT_VERSION:
        raise ExperimentError(
            f"{path}: written by an older simlib without checksums; run the experiment "
            "again into a new folder"
        )
    if not is_sealed(manifest):
        raise ExperimentError(f"{path}: damaged (its checksum does not match its content)")
    manifest.pop(CHECKSUM)
    return manifest


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """The manifest of an experiment folder, verified.

    Raises
    ------
    ExperimentError
        If there is none, it cannot be read or it does not match its checksum.
    """
    return _load_manifest(out_dir)


def read_design(out_dir: str | Path) -> pd.DataFrame:
    """The variants of an experiment folder: one row per variant, one column per parameter.

    Raises
    ------
    ExperimentError
        If ``design.parquet`` does not match the checksum its manifest recorded.
    """
    out = Path(out_dir)
    manifest = read_manifest(out)
    try:
        data = (out / DESIGN).read_bytes()
    except OSError as exc:
        raise ExperimentError(f"{out.name}/{DESIGN}: unreadable ({exc})") from None
    if sha256(data) != manifest.get("design_sha256"):
        raise ExperimentError(
            f"{out.name}/{DESIGN}: damaged (its checksum does not match {MANIFEST}); run "
            "the same sweep again to repair it"
        )
    return pd.read_parquet(io.BytesIO(data))


def require_complete(out_dir: str | Path) -> dict[str, Any]:
    """The manifest, after checking every task has finished and every file verifies.

    Raises
    ------
    ExperimentError
        Naming the first file that does not verify, or how many tasks are missing.
    """
    out = Path(out_dir)
    manifest = read_manifest(out)
    read_design(out)
    digests = _task_index(out)
    present: set[int] = set()
    parts = out / PARTS
    for path in sorted(parts.iterdir()) if parts.is_dir() else []:
        if _is_temp(path):
            continue
        name = path.name
        stem = name[5:-8] if name.startswith("task-") and name.endswith(".parquet") else ""
        index = int(stem) if stem.isdigit() and len(stem) == 6 else -1
        if not 0 <= index < int(manifest["tasks"]) or path != part_path(out, index):
            raise ExperimentError(
                f"{out.name}/{PARTS}/{name}: not a part of this experiment "
                f"({manifest['tasks']} tasks); remove it, then run the same sweep again"
            )
        present.add(index)
    missing = manifest["tasks"] - len(present)
    if missing:
        raise ExperimentError(
            f"{out_dir}: incomplete, {missing} of {manifest['tasks']} tasks missing; run the "
            "same sweep again to resume it"
        )
    unrecorded = sorted(present - set(digests))
    if unrecorded:
        raise ExperimentError(
            f"{out.name}/{PARTS}/{part_path(out, unrecorded[0]).name}: no checksum recorded "
            f"for it in {TASK_INDEX}; damaged, run the same sweep again to repair it"
        )
    return manifest


def iter_parts(out_dir: str | Path, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
    """The task files one at a time, in task order, each verified first (memory: one task).

    Raises
    ------
    ExperimentError
        At the first part that does not verify, naming it.
    """
    out = Path(out_dir)
    manifest = read_manifest(out)
    digests = _task_index(out)
    for index in range(int(manifest["tasks"])):
        path = part_path(out, index)
        if not path.exists():
            continue
        _, table = _verified_part(out, path, manifest, digests)
        if columns is not None:
            table = table.select(list(columns))
        yield table.to_pandas()


def load_records(out_dir: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """All records of the finished tasks, in task order (the whole dataset in memory)."""
    frames = list(iter_parts(out_dir, columns))
    if not frames:
        return pd.DataFrame(columns=list(columns or DATASET_COLUMNS))
    return pd.concat(frames, ignore_index=True)


# --- comparison folders --------------------------------------------------------------------


def comparison_target(out_dir: str | Path) -> str:
    """What ``out_dir`` holds, before a comparison is saved there.

    Returns
    -------
    str
        ``"new"`` (missing or empty), ``"comparison"`` (only a comparison's files, saved as a
        set by swapping the folder) or ``"shared"`` (a comparison or nothing, beside other
        files such as a batch report's: the files are replaced one by one, the manifest
        last).

    Raises
    ------
    ExperimentError
        If ``out_dir`` is a file or holds another kind of results (a sweep, a validation).
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"{out}: exists and is not a folder; choose a folder for --out")
    if not out.exists():
        return "new"
    names = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    if not names:
        return "new"
    if (out / MANIFEST).exists():
        try:
            manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = None
        if not isinstance(manifest, dict):
            raise ExperimentError(
                f"{out}: its {MANIFEST} is unreadable, so what it holds is unknown; choose "
                "another folder or remove it"
            )
        if "design_hash" in manifest or "tasks" in manifest:
            raise ExperimentError(f"{out}: holds a sweep, not a comparison; choose another folder")
        if "baseline" not in manifest:
            raise ExperimentError(
                f"{out}: holds other results (not a comparison); choose another folder"
            )
    return "comparison" if names <= set(COMPARISON_FILES.values()) else "shared"


def write_comparison(
    out_dir: str | Path, frame: pd.DataFrame, summary: pd.DataFrame, manifest: Mapping[str, Any]
) -> dict[str, Path]:
    """Save a comparison: ``results.parquet``, ``summary.csv`` and ``manifest.json``.

    The manifest records the SHA-256 of the other two and a checksum of its own. A folder
    of its own is saved as a set: built in a staging folder beside it and swapped in whole
    (:func:`simlib.storage.atomic.replace_folder`), so a kill at any moment leaves the old
    set or the new one, whole; a folder shared with other files gets the files one by one,
    the old manifest removed first and the new one written last. The folder's lock is held
    throughout (:mod:`simlib.storage.lock`).

    Raises
    ------
    ExperimentError
        If the folder is a file or holds other results, or the disk refuses the write (the
        old set is then kept).
    """
    out = Path(out_dir).expanduser().absolute()
    results_bytes = _frame_parquet_bytes(frame)
    summary_bytes = summary.to_csv(index=False).encode("utf-8")
    record = {k: v for k, v in manifest.items() if k not in (CHECKSUM, "files")}
    record["files"] = {
        COMPARISON_FILES["results"]: sha256(results_bytes),
        COMPARISON_FILES["summary"]: sha256(summary_bytes),
    }
    manifest_text = json.dumps(seal(record), indent=2, sort_keys=True, default=str)
    paths = {role: out / name for role, name in COMPARISON_FILES.items()}
    with folder_lock(out):
        recover_folder(out)
        target = comparison_target(out)
        try:
            if target == "shared":
                paths["manifest"].unlink(missing_ok=True)
                atomic_write_bytes(paths["results"], results_bytes)
                atomic_write_bytes(paths["summary"], summary_bytes)
                atomic_write_text(paths["manifest"], manifest_text)
                return paths
            staging = staging_path(out)
            shutil.rmtree(staging, ignore_errors=True)
            try:
                staging.mkdir(parents=True)
                atomic_write_bytes(staging / COMPARISON_FILES["results"], results_bytes)
                atomic_write_bytes(staging / COMPARISON_FILES["summary"], summary_bytes)
                atomic_write_text(staging / MANIFEST, manifest_text)
                replace_folder(staging, out)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ExperimentError(
                f"{out}: could not save the results ({reason}); the previous results, if any, "
                "are kept"
            ) from None
    return paths


def missing_comparison_files(out_dir: str | Path) -> list[str]:
    """The files a comparison folder needs that ``out_dir`` lacks (empty: it can be read)."""
    folder = Path(out_dir)
    needed = (COMPARISON_FILES["results"], COMPARISON_FILES["manifest"])
    return [name for name in needed if not (folder / name).is_file()]


def read_comparison(out_dir: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The records and the manifest of a comparison folder, after verifying every file.

    Raises
    ------
    ExperimentError
        Naming the first file that is missing or does not match its checksum.
    """
    out = Path(out_dir)
    if not out.exists() and aside_path(out).is_dir():
        raise ExperimentError(
            f"{out}: a save was interrupted; save again (the previous results are kept "
            f"beside it as {aside_path(out).name})"
        )
    manifest = _load_manifest(out)
    files = manifest.pop("files", None)
    if not isinstance(files, dict) or COMPARISON_FILES["results"] not in files:
        raise ExperimentError(f"{out.name}/{MANIFEST}: lists no checksummed results; damaged")
    for name, digest in files.items():
        try:
            data = (out / name).read_bytes()
        except OSError as exc:
            raise ExperimentError(f"{out.name}/{name}: unreadable ({exc.strerror})") from None
        if sha256(data) != digest:
            raise ExperimentError(
                f"{out.name}/{name}: damaged (its checksum does not match {MANIFEST})"
            )
        if name == COMPARISON_FILES["results"]:
            frame = pd.read_parquet(io.BytesIO(data))
    return frame, manifest


def _frame_parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
