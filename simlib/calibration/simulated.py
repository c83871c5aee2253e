"""The model's moments at given assumption values: the status quo recorded as an HR export.

``observed_moments(record_panel(scenario, status_quo, seed, rep))``: the same function that
made the data's moments makes the model's, so they compare like with like. Every trial uses
the same seeds (common random numbers): replication ``r`` of any trial starts from the same
workforce and draws, so trials differ by their assumptions, not their luck.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from simlib.calibration.assumptions import INTERCEPT
from simlib.calibration.observed import key
from simlib.experiments.execution import execute
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario

MomentsFunction = Callable[[Scenario, int, int, float | None], pd.DataFrame]
"""``(scenario, seed, rep, neutral_quit_rate) -> moments`` (columns moment, value, n, cycle)."""


def panel_moments(
    scenario: Scenario, seed: int, rep: int, neutral_quit_rate: float | None
) -> pd.DataFrame:
    """The status quo's moments, recorded as an HR export (the calibration's model)."""
    from simlib.hr.moments import observed_moments
    from simlib.hr.panel import record_panel

    tables = record_panel(
        scenario, scenario.baseline, seed, rep, neutral_quit_rate=neutral_quit_rate
    )
    return observed_moments(tables)


def snapshot_moments(
    scenario: Scenario, seed: int, rep: int, neutral_quit_rate: float | None
) -> pd.DataFrame:
    """The status quo's moments as a snapshot export shows them (its one cycle pooled), for
    data in the snapshot shape: the recorded history turned into today's staff and last
    year's leavers (:func:`simlib.hr.panel.to_snapshot`)."""
    from simlib.hr.moments import observed_moments
    from simlib.hr.panel import record_panel, to_snapshot

    tables = record_panel(
        scenario, scenario.baseline, seed, rep, neutral_quit_rate=neutral_quit_rate
    )
    frame = observed_moments(to_snapshot(tables))
    frame["cycle"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    return frame


def with_values(scenario: Scenario, values: dict[str, float]) -> tuple[Scenario, float | None]:
    """The scenario with the trial's values, and the quit intercept (None: anchored)."""
    overrides = {p: float(v) for p, v in values.items() if p != INTERCEPT}
    intercept = values.get(INTERCEPT)
    changed = load_scenario(scenario, overrides=overrides) if overrides else scenario
    return changed, (None if intercept is None else float(intercept))


def _one(
    moments: MomentsFunction, scenario: Scenario, values: dict[str, float], seed: int, rep: int
) -> dict[str, float]:
    changed, intercept = with_values(scenario, values)
    frame = moments(changed, seed, rep, intercept)
    return {
        key(m, c): float(v)
        for m, c, v in zip(frame["moment"], frame["cycle"], frame["value"], strict=True)
        if pd.notna(v)
    }


def simulate_moments(
    scenario: Scenario,
    thetas: Sequence[dict[str, float]],
    keys: Sequence[str],
    seed: int,
    reps: int,
    *,
    moments: MomentsFunction = panel_moments,
    executor: Executor | None = None,
    on_done: Callable[[], Any] | None = None,
) -> np.ndarray:
    """Simulated moments, shape ``(len(thetas), reps, len(keys))`` (NaN where undefined)."""
    out = np.full((len(thetas), reps, len(keys)), np.nan)
    column = {k: j for j, k in enumerate(keys)}
    calls = (
        ((i, r), (_one, moments, scenario, theta, seed, r))
        for i, theta in enumerate(thetas)
        for r in range(reps)
    )
    for (i, r), found in execute(_call, calls, executor):
        for k, v in found.items():
            j = column.get(k)
            if j is not None:
                out[i, r, j] = v
        if on_done is not None:
            on_done()
    return out


def _call(function: Callable[..., Any], *args: Any) -> Any:
    return function(*args)
