"""Plain-text tables for the terminal: summary and paired differences."""

from __future__ import annotations

import math

import pandas as pd

from simlib.metrics import METRIC_UNITS
from simlib.results import Results


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    ax = abs(x)
    if ax >= 1e5:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.3f}"
    return f"{x:.4f}"


def _cell(mean: float, lo: float, hi: float, signed: bool = False) -> str:
    m = _fmt(mean)
    if signed and not m.startswith("-") and m != "–":
        m = "+" + m
    if isinstance(lo, float) and math.isnan(lo):
        return m
    return f"{m} [{_fmt(lo)}, {_fmt(hi)}]"


def summary_table(results: Results) -> pd.DataFrame:
    """Metrics as rows, policies as columns: 'mean [95% CI]' at the horizon."""
    s = results.summary()
    s["cell"] = [_cell(m, lo, hi) for m, lo, hi in zip(s["mean"], s["ci_low"], s["ci_high"], strict=True)]
    table = s.pivot(index="metric", columns="policy", values="cell")
    order = [m for m in list(METRIC_UNITS) + results.metrics if m in table.index]
    return table.loc[list(dict.fromkeys(order)), [p for p in results.policies if p in table]]


def paired_table(results: Results, baseline: str | None = None) -> pd.DataFrame:
    """Metrics as rows, each policy's paired difference from the baseline as columns."""
    d = results.paired_diff(baseline)
    if d.empty:
        return pd.DataFrame()
    d["cell"] = [
        _cell(m, lo, hi, signed=True) for m, lo, hi in zip(d["mean"], d["ci_low"], d["ci_high"], strict=True)
    ]
    table = d.pivot(index="metric", columns="policy", values="cell")
    order = [m for m in list(METRIC_UNITS) + results.metrics if m in table.index]
    return table.loc[list(dict.fromkeys(order))]


def render(results: Results) -> str:
    """The comparison as text: summary, then paired differences."""
    m = results.manifest
    years = m["parameters"]["environment"]["years"]
    head = (
        f"Scenario {m['scenario_name']} (hash {m['scenario_hash']}), {m['reps']} replications, "
        f"seed {m['seed']}, {years} years. Values at the horizon, mean [95% CI]."
    )
    parts = [head, "", summary_table(results).to_string()]
    paired = paired_table(results)
    if not paired.empty:
        parts += [
            "",
            f"Paired differences against {results.baseline} (same people, applicants and "
            "shocks in each replication):",
            paired.to_string(),
        ]
    return "\n".join(parts)
