"""Outcomes of an experiment: one value per variant, policy, replication and metric.

Sensitivity and robustness analyses compare end states, not paths. This module turns the
tidy records of an experiment folder into the value of every metric at its last recorded
week, and adds the *derived metrics*, computed here and nowhere else:

``payroll_growth``
    Yearly growth of payroll from week 0 to the horizon (share per year):
    ``(payroll_end / payroll_start) ** (52 / weeks) - 1``.

Metrics are not listed anywhere: whatever the model recorded is carried through.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.storage.store import iter_parts, require_complete

UNIT = ["variant", "policy", "rep"]
BATCH_ROWS = 200_000  # records read before reducing them to horizon values


def _payroll_growth(records: pd.DataFrame) -> pd.Series | None:
    pay = records[records["metric"] == "payroll"]
    if pay.empty:
        return None
    pay = pay.sort_values("week", kind="stable")
    g = pay.groupby(UNIT, sort=False)
    first, last = g.first(), g.last()
    years = (last["week"] - first["week"]) / WEEKS_PER_YEAR
    ok = (years > 0) & (first["value"] > 0)
    ratio = (last["value"] / first["value"]).where(ok)
    return (ratio ** (1.0 / years.where(ok)) - 1.0).dropna()


DERIVED_METRICS: dict[str, Callable[[pd.DataFrame], pd.Series | None]] = {
    "payroll_growth": _payroll_growth,
}
"""Derived metric name -> function of a task's records returning one value per unit."""

DERIVED_DIRECTION: dict[str, str] = {"payroll_growth": "lower"}
"""Which way is better for each derived metric (as in
``simlib.metrics.catalogue.METRIC_DIRECTION``)."""


def horizon_values(records: pd.DataFrame) -> pd.DataFrame:
    """Each metric's last recorded value per unit, plus the derived metrics.

    Parameters
    ----------
    records
        Tidy records ``variant, policy, rep, week, metric, value``.

    Returns
    -------
    pandas.DataFrame
        Columns ``variant, policy, rep, metric, value``.
    """
    ordered = records.sort_values("week", kind="stable")
    last = ordered.groupby([*UNIT, "metric"], sort=False)["value"].last().reset_index()
    frames = [last]
    for name, derive in DERIVED_METRICS.items():
        values = derive(records)
        if values is not None and len(values):
            frame = values.rename("value").reset_index()
            frame["metric"] = name
            frames.append(frame[[*UNIT, "metric", "value"]])
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values([*UNIT], kind="stable").reset_index(drop=True)


def load_outcomes(out_dir: str | Path) -> pd.DataFrame:
    """Horizon values of a finished experiment, read one task file at a time.

    Raises
    ------
    simlib.storage.store.ExperimentError
        If the folder is not an experiment or some tasks have not finished.
    """
    require_complete(out_dir)
    frames, batch, rows = [], [], 0
    for part in iter_parts(out_dir):  # a batch of task files at a time: bounded memory
        batch.append(part)
        rows += len(part)
        if rows >= BATCH_ROWS:
            frames.append(horizon_values(pd.concat(batch, ignore_index=True)))
            batch, rows = [], 0
    if batch:
        frames.append(horizon_values(pd.concat(batch, ignore_index=True)))
    out = pd.concat(frames, ignore_index=True)
    out["variant"] = out["variant"].astype(np.int64)
    out["rep"] = out["rep"].astype(np.int64)
    return out


def variant_means(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Mean over replications: index ``(variant, policy)``, one column per metric."""
    table = outcomes.pivot_table(
        index=["variant", "policy"], columns="metric", values="value", aggfunc="mean", sort=False
    )
    table.columns.name = None
    return table.sort_index(level="variant", sort_remaining=False)
