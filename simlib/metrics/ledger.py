"""The ledger: tidy records ``(week, metric, value)`` of one simulation, from the catalogue."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from simlib.metrics.catalogue import METRICS, Cycle, family_values
from simlib.state.simulation_state import SimState


class Ledger:
    """Tidy records of one simulation; a metric with no value (None or NaN) is left out."""

    def __init__(self, on_invalid: Callable[[str, float], None] | None = None) -> None:
        self.on_invalid = on_invalid  # called with a NaN or infinite value (else dropped)
        self.weeks: list[float] = []
        self.metrics: list[str] = []
        self.values: list[float] = []

    def record(self, week: float, metric: str, value: float | None) -> None:
        if value is None:
            return
        if not np.isfinite(value):
            if self.on_invalid is not None:
                self.on_invalid(metric, float(value))
            return
        self.weeks.append(week)
        self.metrics.append(metric)
        self.values.append(float(value))

    def record_start(self, sim: SimState) -> None:
        """The metrics that describe the organization at week 0."""
        for name, metric in METRICS.items():
            if metric.at_start:
                self.record(sim.now, name, metric.reporter(sim, None))

    def record_review(self, sim: SimState, cycle: Cycle) -> None:
        """Every metric, at the end of a review cycle."""
        for name, metric in METRICS.items():
            self.record(sim.now, name, metric.reporter(sim, cycle))
        for name, value in family_values(sim, cycle):
            self.record(sim.now, name, value)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "week": np.asarray(self.weeks, dtype=float),
                "metric": self.metrics,
                "value": np.asarray(self.values, dtype=float),
            }
        )
