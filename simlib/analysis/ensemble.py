"""What we don't know: how often a comparison's verdicts hold across the behavioural
assumptions' plausible ranges, and which assumption would flip each one.

A verdict is a clear difference of the comparison: a policy better (or worse) than the
baseline on an objective, its 95% interval excluding zero. The ensemble re-runs every
policy one assumption at a time at the low and at the high end of its stated range
(:mod:`simlib.experiments.ensemble` runs them), the others
kept as the scenario states them, with the same seed as the comparison (common random
numbers, so a change comes from the assumption, not from other draws). For each verdict it
moves the comparison's difference (all its replications) by the shift each variation makes
on the same seed, counts the variations in which the moved difference keeps its side of
zero, and for each variation that flips it, where between the value used and the flipping
end the difference crosses zero (linear interpolation): the threshold. A shift within the
ensemble's own noise (twice the robust SD of the verdict's shifts over all variations)
is not counted as a flip.

One-at-a-time variation does not explore assumptions moving together; the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.experiments.ensemble import Assumption
from simlib.metrics.catalogue import METRIC_DIRECTION


def improvements(ensemble: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Per variation, policy and metric: the policy's mean improvement on the baseline
    over replications (positive = better: higher, lower or nearer zero as the metric
    wants), paired by replication."""
    wide = ensemble.pivot_table(
        index=["variation", "metric", "rep"], columns="policy", values="value"
    )
    rows = []
    for policy in [p for p in wide.columns if p != baseline]:
        diff = wide[policy] - wide[baseline]
        by_metric = diff.index.get_level_values("metric")
        direction = np.array([METRIC_DIRECTION.get(str(m), "higher") for m in by_metric])
        nearer = (wide[baseline].abs() - wide[policy].abs()).to_numpy()
        gain = np.where(
            direction == "lower",
            -diff.to_numpy(),
            np.where(direction == "nearest_zero", nearer, diff.to_numpy()),
        )
        part = pd.DataFrame({"gain": gain}, index=diff.index).groupby(level=[0, 1]).mean()
        rows.append(part.assign(policy=policy).reset_index())
    points = ensemble.drop_duplicates("variation").set_index("variation")
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if out.empty:
        return out
    for column in ("path", "end", "value_used"):  # what each variation set, if recorded
        if column in points:
            out[column] = out["variation"].map(points[column])
    return out


NOISE_SDS = 2.0  # a shift counts beyond this many robust SDs of the verdict's shifts


@dataclass(frozen=True)
class Flip:
    """An assumption that, within its range, turns a verdict around."""

    path: str
    used: float
    threshold: float
    side: str  # "below" | "above": the verdict flips with the assumption on this side
    low: float
    high: float


@dataclass(frozen=True)
class Robustness:
    """How a verdict fares across the ensemble."""

    policy: str
    metric: str
    better: bool  # the verdict: clearly better (True) or clearly worse (False)
    holds: int  # variations in which the difference keeps its side of zero
    total: int
    flips: tuple[Flip, ...]  # strongest first: the threshold nearest the value used


def robustness(
    gains: pd.DataFrame,
    verdicts: dict[tuple[str, str], float],
    found: Sequence[Assumption],
) -> list[Robustness]:
    """For each verdict, how often it holds and what flips it, from :func:`improvements`.

    ``verdicts`` maps ``(policy, metric)`` to the comparison's own mean improvement on the
    baseline (over all its replications; positive = better, negative = worse). A
    variation moves it by the shift it makes on the ensemble's runs against the scenario
    as stated (``gain - gain as stated``, the same seed and replications), so the
    verdict's size comes from the comparison and only the assumption's effect from the
    ensemble: one replication's luck does not count as a flip. The verdict holds where the
    moved improvement keeps its sign.
    """
    by_path = {a.path: a for a in found}
    out = []
    for (policy, metric), main in verdicts.items():
        rows = gains[(gains["policy"] == policy) & (gains["metric"] == metric)]
        base = rows[rows["variation"] == 0]
        if rows.empty or base.empty or not np.isfinite(main) or main == 0:
            continue
        sign = 1.0 if main > 0 else -1.0
        g0 = abs(main)
        shift = rows["gain"].to_numpy() - float(base["gain"].iloc[0])
        moved = (main + shift) * sign
        # A shift within the ensemble's own noise (most assumptions move a difference by
        # little more than a replication's luck) is not a flip: beyond twice the robust SD
        # (1.4826 x median absolute deviation) of all the verdict's shifts.
        noise = 1.4826 * float(np.median(np.abs(shift - np.median(shift))))
        real = np.abs(shift) > NOISE_SDS * noise
        held = (moved > 0) | ~real
        flips = []
        for r, g1, counts in zip(rows.itertuples(index=False), moved, real, strict=True):
            a = by_path.get(str(r.path))
            if g1 > 0 or not counts or a is None or r.variation == 0:
                continue
            x1 = float(r.value_used)
            threshold = a.used + (x1 - a.used) * g0 / (g0 - g1)
            side = "above" if x1 > a.used else "below"
            flips.append(Flip(a.path, a.used, threshold, side, a.low, a.high))
        flips.sort(key=lambda f: abs(f.threshold - f.used) / max(f.high - f.low, 1e-12))
        out.append(Robustness(policy, metric, main > 0, int(held.sum()), len(held), tuple(flips)))
    return out
