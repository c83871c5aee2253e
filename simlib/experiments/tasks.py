"""Tasks: the slices an experiment is cut into, and running one.

Each task runs every policy for a few ``(variant, rep)`` units; it is the unit of work an
executor runs and of the files a results folder holds (one Parquet file per task).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simlib.experiments.model import Model
from simlib.storage.store import DATASET_COLUMNS, plain


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


def make_tasks(design: pd.DataFrame, reps: int, task_size: int, skip: set[int]) -> Iterator[Task]:
    """The tasks of ``design x reps`` in index order, leaving out the indices in ``skip``."""
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
            tuple(zip(columns, (plain(x) for x in values[v]), strict=True))
            if values is not None
            else ()
            for v, _ in units
        )
        yield Task(index, units, params)
