"""The ledger: tidy records ``(week, metric, value)`` of one simulation, from the catalogue.

Records go into arrays sized for the run (every metric at week 0 and at each review), a
metric stored by its place in the catalogue (members of a metric family, such as
``grade_share:<grade>``, join the list as they first appear); the tidy frame is made once,
at the end.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from simlib.metrics.catalogue import METRICS, Cycle, family_values
from simlib.state.simulation_state import SimState


class Ledger:
    """Tidy records of one simulation; a metric with no value (None or NaN) is left out.

    Parameters
    ----------
    on_invalid
        Called with a NaN or infinite value (else it is dropped).
    reviews
        Reviews expected: room for every metric at each of them and at week 0 is made at
        once (more records still fit, in a larger array).
    """

    def __init__(
        self, on_invalid: Callable[[str, float], None] | None = None, reviews: int = 0
    ) -> None:
        self.on_invalid = on_invalid
        room = (reviews + 1) * len(METRICS)
        self._weeks = np.empty(room)
        self._metrics = np.empty(room, dtype=np.int64)  # place in the catalogue
        self._values = np.empty(room)
        self.size = 0
        self._names: list[str] = list(METRICS)
        self._index = {name: i for i, name in enumerate(self._names)}

    def record(self, week: float, metric: str, value: float | None) -> None:
        if value is None:
            return
        value = float(value)
        if not math.isfinite(value):
            if self.on_invalid is not None:
                self.on_invalid(metric, value)
            return
        i = self.size
        if i == len(self._values):
            self._grow()
        self._weeks[i] = week
        index = self._index.get(metric)
        if index is None:
            index = self._index[metric] = len(self._names)
            self._names.append(metric)
        self._metrics[i] = index
        self._values[i] = value
        self.size = i + 1

    def _grow(self) -> None:
        room = max(2 * len(self._values), len(METRICS))
        for name in ("_weeks", "_metrics", "_values"):
            old = getattr(self, name)
            new = np.empty(room, dtype=old.dtype)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)

    @property
    def weeks(self) -> np.ndarray:
        return self._weeks[: self.size]

    @property
    def metrics(self) -> np.ndarray:
        """Metric names of the records (an object array)."""
        return np.array(self._names, dtype=object)[self._metrics[: self.size]]

    @property
    def values(self) -> np.ndarray:
        return self._values[: self.size]

    def records(self) -> Iterator[tuple[float, str, float]]:
        """Every record so far, ``(week, metric, value)`` in the order recorded."""
        return zip(self.weeks.tolist(), self.metrics.tolist(), self.values.tolist(), strict=True)

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

    def frame(self, policy: str | None = None, rep: int | None = None) -> pd.DataFrame:
        """The tidy frame ``week, metric, value``, led by ``policy`` and ``rep`` if given."""
        n = self.size
        columns: dict[str, np.ndarray] = {}
        if policy is not None:
            columns["policy"] = np.full(n, policy, dtype=object)
        if rep is not None:
            columns["rep"] = np.full(n, rep, dtype=np.int64)
        columns["week"] = self.weeks.copy()
        columns["metric"] = self.metrics
        columns["value"] = self.values.copy()
        return pd.DataFrame(columns)
