"""Results folders on disk: the one place that knows their layout, writes and reads them.

An *experiment folder* (a sweep, or any model run over a design) is written while the
experiment runs, one task at a time::

    OUT/manifest.json          the design and provenance (status: running | complete)
    OUT/design.parquet         one row per variant: the varied parameter values
    OUT/parts/task-000000.parquet ...   columns variant, policy, rep, week, metric, value

Every file is written atomically (temporary file + rename), and the manifest first: after a
crash, even a SIGKILL, the folder is recognised, holds only whole task files, and running
the same experiment again computes only the missing ones (:func:`prepare_folder`).

A *comparison folder* (``simlib compare --out``, a batch report) holds
``results.parquet``, ``summary.csv`` and ``manifest.json``; the manifest is written last and
removed first, so a folder holding one always holds the files it describes.

Analysis reads folders through this module only; it never imports what runs experiments.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simlib.errors import ScenarioError
from simlib.storage.atomic import atomic_write_bytes, atomic_write_text
from simlib.storage.provenance import now_utc, provenance

DATASET_COLUMNS = ["variant", "policy", "rep", "week", "metric", "value"]
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
PARTS = "parts"
FORMAT_VERSION = 1
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
    """Create or reopen ``out``; return the indices of the tasks already finished.

    Raises
    ------
    ExperimentError
        If ``out`` is a file, holds a different experiment, or holds other files.
    """
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
    # the manifest first: a folder killed at any later point is recognised and resumed
    write_manifest(out, manifest)
    if not (out / DESIGN).exists():
        atomic_write_bytes(out / DESIGN, _parquet_bytes(design))
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    return finished_tasks(out, repair=True)


def write_manifest(out: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``out/manifest.json`` atomically."""
    return atomic_write_text(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))


def mark_complete(out: Path, manifest: dict[str, Any]) -> None:
    """Record that every task of ``out`` has finished."""
    manifest["status"] = "complete"
    manifest["finished_utc"] = now_utc()
    write_manifest(out, manifest)


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


def _is_temp(path: Path) -> bool:
    """A temporary file of an atomic write that never got renamed."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()


# --- experiment folders: reading -----------------------------------------------------------


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """The manifest of an experiment folder.

    Raises
    ------
    ExperimentError
        If there is none or it cannot be read.
    """
    path = Path(out_dir) / MANIFEST
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ExperimentError(f"{out_dir}: no {MANIFEST}; not an experiment folder") from None
    except (OSError, ValueError) as exc:
        raise ExperimentError(f"{path}: unreadable manifest ({exc})") from None


def read_design(out_dir: str | Path) -> pd.DataFrame:
    """The variants of an experiment folder: one row per variant, one column per parameter."""
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


# --- comparison folders --------------------------------------------------------------------


def write_comparison(
    out_dir: str | Path, frame: pd.DataFrame, summary: pd.DataFrame, manifest: Mapping[str, Any]
) -> dict[str, Path]:
    """Write ``results.parquet``, ``summary.csv`` and ``manifest.json`` atomically.

    The manifest is the commit mark of the set: an old one is removed first and the new one
    written last, so an interrupted save leaves no manifest (and the folder is refused).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {role: out / name for role, name in COMPARISON_FILES.items()}
    paths["manifest"].unlink(missing_ok=True)
    atomic_write_bytes(paths["results"], _frame_parquet_bytes(frame))
    atomic_write_text(paths["summary"], summary.to_csv(index=False))
    atomic_write_text(paths["manifest"], json.dumps(manifest, indent=2, sort_keys=True))
    return paths


def missing_comparison_files(out_dir: str | Path) -> list[str]:
    """The files a comparison folder needs that ``out_dir`` lacks (empty: it can be read)."""
    folder = Path(out_dir)
    needed = (COMPARISON_FILES["results"], COMPARISON_FILES["manifest"])
    return [name for name in needed if not (folder / name).is_file()]


def read_comparison(out_dir: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The records and the manifest of a comparison folder."""
    out = Path(out_dir)
    frame = pd.read_parquet(out / COMPARISON_FILES["results"])
    manifest = json.loads((out / COMPARISON_FILES["manifest"]).read_text())
    return frame, manifest


def _frame_parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
