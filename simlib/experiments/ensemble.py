"""The "what we don't know" ensemble: every policy re-run with each behavioural assumption at
the low and at the high end of its stated range, one at a time.

The assumptions are the ``behaviour`` sizes of kind ``assumption`` (:mod:`simlib.scenario.sizes`)
that state a plausible range; the others stay as the scenario states them. Every variation
runs on the comparison's seed (common random numbers), so a change comes from the
assumption rather than from other draws. :mod:`simlib.analysis.ensemble` reads the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import pandas as pd

from simlib.engine.simulation import simulate
from simlib.errors import ScenarioError
from simlib.experiments.execution import execute
from simlib.scenario.definition import Scenario
from simlib.scenario.fields import walk
from simlib.scenario.loading import load_scenario
from simlib.scenario.sizes import Size


@dataclass(frozen=True)
class Assumption:
    """A behavioural size with a plausible range, and the value the scenario uses."""

    path: str
    used: float
    low: float
    high: float
    integer: bool
    meaning: str  # what the size is, in the field's own words


@dataclass(frozen=True)
class Variation:
    """One point of the ensemble: one assumption at one end of its range (or none)."""

    path: str | None  # None: the scenario as stated
    value: float | None
    end: str  # "low" | "high" | "as stated"


def assumptions(scenario: Scenario, only: Sequence[str] | None = None) -> list[Assumption]:
    """Every behaviour size of kind ``assumption`` with a stated range, as this scenario
    uses it (or those of ``only``, dotted paths).

    Raises
    ------
    ScenarioError
        If a path of ``only`` is not such an assumption.
    """
    found = []
    for record in walk(scenario):
        if not record.path or record.path[0] != "behaviour" or not record.numeric:
            continue
        size = Size.from_json(record.extra)
        if size is None or size.kind != "assumption" or not size.has_range:
            continue
        value = record.value
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        found.append(
            Assumption(
                record.dotted,
                float(value),
                float(size.low),  # type: ignore[arg-type]
                float(size.high),  # type: ignore[arg-type]
                record.kind == "int",
                record.description.split(". ")[0],
            )
        )
    if only is not None:
        known = {a.path for a in found}
        unknown = [p for p in only if p not in known]
        if unknown:
            raise ScenarioError(
                [
                    f"ensemble assumptions: {p!r} is not a behavioural assumption with a "
                    "stated range (the register's kind 'assumption' under behaviour)"
                    for p in unknown
                ]
            )
        found = [a for a in found if a.path in set(only)]
    return found


def variations(found: Sequence[Assumption]) -> list[Variation]:
    """The scenario as stated, then each assumption at its low and high end (an end equal
    to the value used is skipped: it would repeat the scenario as stated)."""
    out = [Variation(None, None, "as stated")]
    for a in found:
        for end, value in (("low", a.low), ("high", a.high)):
            value = float(round(value)) if a.integer else value
            if value != a.used:
                out.append(Variation(a.path, value, end))
    return out


def _horizon(
    scenario: Scenario, policy: str, seed: int, rep: int, metrics: tuple[str, ...]
) -> pd.DataFrame:
    frame = simulate(scenario, policy, seed=seed, rep=rep, allow_large=True)
    frame = frame[frame["metric"].isin(metrics)]
    last = frame.groupby("metric")["week"].transform("max")
    return frame[frame["week"] == last].drop(columns="week")


def run_ensemble(
    scenario: Scenario,
    policies: Sequence[str],
    metrics: Sequence[str],
    *,
    seed: int,
    reps: int = 1,
    executor: Executor | None = None,
    only: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every policy at every variation, ``reps`` replications each, values at the horizon
    (``only``: vary just these assumptions, dotted paths).

    Returns
    -------
    Tidy records ``variation, path, end, value_used, policy, rep, metric, value`` where
    ``variation`` numbers the points (0 = the scenario as stated) and ``value_used`` is the
    assumption's value at that point.
    """
    points = variations(assumptions(scenario, only))
    scenarios = [
        scenario if v.path is None else load_scenario(scenario, overrides={v.path: v.value})
        for v in points
    ]
    wanted = tuple(metrics)
    calls = (
        ((i, p, r), (scenarios[i], p, seed, r, wanted))
        for i in range(len(points))
        for r in range(reps)
        for p in policies
    )
    frames = []
    for (i, _, _), frame in execute(_horizon, calls, executor):
        v = points[i]
        frames.append(frame.assign(variation=i, path=v.path or "", end=v.end, value_used=v.value))
    columns = ["variation", "path", "end", "value_used", "policy", "rep", "metric", "value"]
    return pd.concat(frames, ignore_index=True)[columns]
