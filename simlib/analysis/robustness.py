"""Robustness of a policy choice across the uncertain assumptions of a sweep.

- **Regret**: in each scenario variant, how far a policy falls short of the best policy
  in that variant (in the metric's units, mean over replications). A robust choice keeps
  its worst-case (maximum) regret small.
- **Satisficing**: the share of variants in which a policy meets every user threshold,
  e.g. ``voluntary_attrition < 0.12 and payroll_growth < 0.04``.
- **What would change the recommendation**: for each swept assumption, where in its range
  another policy becomes the best.

Conditions are parsed by :mod:`simlib.analysis.conditions` (never evaluated as code).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.analysis.conditions import Condition, parse_condition
from simlib.analysis.outcomes import load_outcomes, variant_means
from simlib.errors import ScenarioError
from simlib.storage.store import read_design, read_manifest

DIRECTIONS = ("max", "min", "zero")
_ALIASES = {"higher": "max", "lower": "min", "nearest_zero": "zero"}
_WORDS = {"max": "highest", "min": "lowest", "zero": "closest to zero"}


def default_direction(metric: str) -> str | None:
    """Which way is better for ``metric``, from the metric table (None if it has none)."""
    from simlib.analysis.outcomes import DERIVED_DIRECTION
    from simlib.metrics import catalogue as metrics

    table = {**getattr(metrics, "METRIC_DIRECTION", {}), **DERIVED_DIRECTION}
    found = table.get(metric)
    return _ALIASES.get(found, found) if found else None


def _score(wide: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Values turned so that higher is better."""
    if direction == "max":
        return wide
    return -wide if direction == "min" else -wide.abs()


# --- sweep tables ----------------------------------------------------------------------


@dataclass
class SweepTable:
    """Mean outcomes over replications of each variant and policy, with the design.

    Attributes
    ----------
    means
        Index ``(variant, policy)``, one column per metric (derived metrics included).
    design
        One row per variant, one column per swept factor.
    policies
        In the sweep's order.
    """

    means: pd.DataFrame
    design: pd.DataFrame
    policies: list[str]

    @classmethod
    def load(cls, out_dir: str | Path) -> SweepTable:
        manifest = read_manifest(out_dir)
        return cls(
            variant_means(load_outcomes(out_dir)), read_design(out_dir), list(manifest["policies"])
        )

    @property
    def metrics(self) -> list[str]:
        return list(self.means.columns)

    def wide(self, metric: str) -> pd.DataFrame:
        """One row per variant, one column per policy, for ``metric``."""
        if metric not in self.means.columns:
            close = difflib.get_close_matches(metric, self.metrics, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ScenarioError(
                f"metric {metric!r} is not in this sweep; {hint}recorded: {', '.join(self.metrics)}"
            )
        table = self.means[metric].unstack("policy")
        return table.reindex(columns=self.policies)


def _table(source: SweepTable | str | Path) -> SweepTable:
    return source if isinstance(source, SweepTable) else SweepTable.load(source)


def _objectives(objectives: Mapping[str, str | None]) -> dict[str, str]:
    if not objectives:
        raise ScenarioError("regret needs at least one objective, e.g. output_per_head=max")
    out = {}
    for metric, direction in objectives.items():
        direction = _ALIASES.get(direction, direction) if direction else default_direction(metric)
        if direction is None:
            raise ScenarioError(
                f"objective {metric}: no default direction; write {metric}=max or {metric}=min"
            )
        if direction not in DIRECTIONS:
            raise ScenarioError(
                f"objective {metric}: direction {direction!r}; allowed max, min, zero"
            )
        out[metric] = direction
    return out


def parse_objectives(texts: Sequence[str]) -> dict[str, str]:
    """Parse ``["output_per_head=max", "voluntary_attrition=min", "gaming"]``.

    ``zero`` means closest to zero is best; a bare metric name takes its usual direction.
    """
    out: dict[str, str] = {}
    for text in texts:
        metric, _, direction = text.partition("=")
        if not metric.strip():
            raise ScenarioError(f"objective {text!r}: write it as metric=max or metric=min")
        out[metric.strip()] = direction.strip()
    return _objectives(out)


def regret(source: SweepTable | str | Path, objectives: Mapping[str, str | None]) -> pd.DataFrame:
    """Regret of each policy in each variant, per objective.

    Regret is the best policy's value minus this policy's value (``max`` objectives) or this
    policy's minus the best (``min``), so 0 for the best and positive otherwise, in the
    metric's units.

    Returns
    -------
    pandas.DataFrame
        Columns ``variant, policy, metric, value, best_policy, regret``.
    """
    table = _table(source)
    frames = []
    for metric, direction in _objectives(objectives).items():
        wide = table.wide(metric)
        score = _score(wide, direction)
        best_policy = score.idxmax(axis=1)
        gap = score.max(axis=1).to_numpy()[:, None] - score.to_numpy() + 0.0  # no -0.0
        long = pd.DataFrame(gap, index=wide.index, columns=wide.columns).stack().rename("regret")
        value = wide.stack().rename("value")
        frame = pd.concat([value, long], axis=1).reset_index()
        frame["metric"] = metric
        frame["best_policy"] = frame["variant"].map(best_policy)
        frames.append(frame[["variant", "policy", "metric", "value", "best_policy", "regret"]])
    return pd.concat(frames, ignore_index=True)


def regret_summary(
    source: SweepTable | str | Path, objectives: Mapping[str, str | None]
) -> pd.DataFrame:
    """Per policy and objective: mean, 90th percentile and maximum regret over variants,
    and the share of variants in which the policy is the best.
    """
    table = _table(source)
    r = regret(table, objectives)
    r["best"] = r["policy"] == r["best_policy"]
    out = (
        r.groupby(["metric", "policy"], sort=False)
        .agg(
            mean_regret=("regret", "mean"),
            p90_regret=("regret", lambda s: float(np.quantile(s, 0.9))),
            max_regret=("regret", "max"),
            share_best=("best", "mean"),
            variants=("regret", "size"),
        )
        .reset_index()
    )
    out["direction"] = out["metric"].map(_objectives(objectives))
    return out[
        [
            "metric",
            "direction",
            "policy",
            "mean_regret",
            "p90_regret",
            "max_regret",
            "share_best",
            "variants",
        ]
    ]


def satisficing(source: SweepTable | str | Path, condition: str | Condition) -> pd.DataFrame:
    """Whether the thresholds hold for each variant and policy (on replication means).

    Returns
    -------
    pandas.DataFrame
        Columns ``variant, policy, holds`` plus the swept factors' values.
    """
    table = _table(source)
    cond = condition if isinstance(condition, Condition) else parse_condition(condition)
    holds = cond.holds(table.means).rename("holds").reset_index()
    return holds.merge(table.design, left_on="variant", right_index=True, how="left")


def satisficing_summary(
    source: SweepTable | str | Path, condition: str | Condition
) -> pd.DataFrame:
    """Per policy: the share of variants in which every threshold holds."""
    table = _table(source)
    s = satisficing(table, condition)
    out = s.groupby("policy", sort=False)["holds"].agg(share="mean", variants="size")
    return out.reindex(table.policies).reset_index()


# --- recommendation -------------------------------------------------------------------


def recommend(source: SweepTable | str | Path, metric: str, direction: str | None = None) -> str:
    """The policy with the smallest maximum regret on ``metric`` (ties: best mean)."""
    summary = regret_summary(source, {metric: direction})
    summary = summary.sort_values(["max_regret", "mean_regret"], kind="stable")
    return str(summary.iloc[0]["policy"])


def recommendation_changes(
    source: SweepTable | str | Path, metric: str, direction: str | None = None, bins: int = 3
) -> pd.DataFrame:
    """Which policy is best on ``metric`` in each part of each swept factor's range.

    Each factor's range is cut into ``bins`` parts (its distinct levels if fewer); in each
    part the best policy is the one with the best mean over those variants.

    Returns
    -------
    pandas.DataFrame
        Columns ``factor, low, high, variants, best_policy, margin`` (margin: how much the
        best beats the runner-up in that part, in the metric's units).
    """
    table = _table(source)
    direction = _objectives({metric: direction or ""})[metric]
    score = _score(table.wide(metric), direction)
    rows = []
    for factor in table.design.columns:
        x = table.design[factor].reindex(score.index).to_numpy(dtype=float)
        levels = np.unique(x)
        if len(levels) <= bins:
            groups = [(lv, lv, x == lv) for lv in levels]
        else:
            edges = np.quantile(x, np.linspace(0, 1, bins + 1))
            groups = []
            for i in range(bins):
                lo, hi = edges[i], edges[i + 1]
                mask = (x >= lo) & ((x <= hi) if i == bins - 1 else (x < hi))
                groups.append((lo, hi, mask))
        for lo, hi, mask in groups:
            if not mask.any():
                continue
            means = score[mask].mean(axis=0)
            ordered = means.sort_values(ascending=False)
            margin = float(ordered.iloc[0] - ordered.iloc[1]) if len(ordered) > 1 else np.nan
            rows.append(
                {
                    "factor": factor,
                    "low": float(lo),
                    "high": float(hi),
                    "variants": int(mask.sum()),
                    "best_policy": str(ordered.index[0]),
                    "margin": margin,
                }
            )
    return pd.DataFrame(
        rows, columns=["factor", "low", "high", "variants", "best_policy", "margin"]
    )


def explain_changes(
    source: SweepTable | str | Path, metric: str, direction: str | None = None, bins: int = 3
) -> str:
    """In words: the recommendation on ``metric`` and which assumptions would change it."""
    table = _table(source)
    direction = _objectives({metric: direction or ""})[metric]
    choice = recommend(table, metric, direction)
    summary = regret_summary(table, {metric: direction}).set_index("policy")
    share = float(summary.loc[choice, "share_best"])
    worst = float(summary.loc[choice, "max_regret"])
    verb = _WORDS[direction]
    lines = [
        f"On {metric} ({verb} is better), the robust choice is '{choice}': it is the best "
        f"policy in {share:.0%} of the {len(table.design)} scenario variants, and its largest "
        f"shortfall against the best policy in any variant is {worst:.4g}."
    ]
    changes = recommendation_changes(table, metric, direction, bins)
    switching = []
    for factor, part in changes.groupby("factor", sort=False):
        others = part[part["best_policy"] != choice]
        if others.empty:
            continue
        where = "; ".join(
            (
                f"at {factor} = {r.low:.3g}"
                if r.low == r.high
                else f"with {factor} between {r.low:.3g} and {r.high:.3g}"
            )
            + f", '{r.best_policy}' is better by {r.margin:.3g}"
            for r in others.itertuples()
        )
        switching.append(f"- {factor} would change the recommendation: {where}.")
    if switching:
        lines.append("Assumptions that would change the recommendation:\n" + "\n".join(switching))
    else:
        lines.append(
            "No single assumption changes the recommendation: across each swept range, "
            f"'{choice}' stays the best on average."
        )
    return "\n\n".join(lines)  # paragraphs (also valid Markdown)


def summarize_recommendations(
    source: SweepTable | str | Path, objectives: Mapping[str, str | None]
) -> str:
    """In words: the robust choice for each objective, and whether the objectives agree."""
    table = _table(source)
    chosen = {
        metric: recommend(table, metric, direction)
        for metric, direction in _objectives(objectives).items()
    }
    picks = set(chosen.values())
    each = ", ".join(f"'{p}' on {m}" for m, p in chosen.items())
    if len(picks) == 1:
        return (
            f"Every objective points to the same policy: '{picks.pop()}' is the robust choice "
            f"(smallest worst-case regret) on {', '.join(chosen)}."
        )
    return (
        f"The objectives disagree: the robust choice is {each}. Choosing means trading "
        "these outcomes off; the thresholds below show which policies stay acceptable."
    )


def plot_satisficing_map(
    source: SweepTable | str | Path,
    condition: str | Condition,
    x: str | None = None,
    y: str | None = None,
) -> Any:
    """Scatter of the variants over two swept factors, one panel per policy: filled where the
    thresholds hold, hollow where they fail. Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt

    table = _table(source)
    s = satisficing(table, condition)
    factors = list(table.design.columns)
    x = x or factors[0]
    y = y or (factors[1] if len(factors) > 1 else None)
    fig, axes = plt.subplots(
        1, len(table.policies), figsize=(4 * len(table.policies), 3.6), squeeze=False
    )
    for ax, policy in zip(axes.flat, table.policies, strict=False):
        sub = s[s["policy"] == policy]
        yv = sub[y] if y else np.zeros(len(sub))
        ok = sub["holds"].to_numpy()
        ax.scatter(sub[x][ok], np.asarray(yv)[ok], color="tab:green", label="holds", s=22)
        ax.scatter(
            sub[x][~ok],
            np.asarray(yv)[~ok],
            facecolors="none",
            edgecolors="tab:red",
            label="fails",
            s=22,
        )
        ax.set_title(f"{policy}: {ok.mean():.0%} hold")
        ax.set_xlabel(x)
        if y:
            ax.set_ylabel(y)
        else:
            ax.set_yticks([])
    axes.flat[0].legend(fontsize="small")
    fig.suptitle(str(condition if isinstance(condition, str) else condition.text), fontsize=10)
    fig.tight_layout()
    return fig


def read_sweep(out_dir: str | Path) -> tuple[dict[str, Any], SweepTable]:
    """The manifest and the table of a finished sweep folder."""
    return read_manifest(out_dir), SweepTable.load(out_dir)
