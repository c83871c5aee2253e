"""Plain-text tables for the terminal: summary and paired differences."""

from __future__ import annotations

import math

import pandas as pd

from simlib.analysis.results import Results
from simlib.i18n import N_, _
from simlib.metrics import fairness
from simlib.metrics.catalogue import METRIC_UNITS
from simlib.metrics.money import net_value_components, payback_years

# Metric families recorded for the fairness audit (counts and rates by group): read by the
# adverse-impact table, not shown row by row.
AUDIT_PREFIXES = (fairness.RATE_PREFIX + ":", fairness.RATED_PREFIX + ":")


def _shown(metrics: list[str]) -> list[str]:
    return [m for m in metrics if not m.startswith(AUDIT_PREFIXES)]


def format_number(x: float) -> str:
    """A number for a table: thousands separators when large, 3–4 significant digits."""
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
    m = format_number(mean)
    if signed and not m.startswith("-") and m != "–":
        m = "+" + m
    if isinstance(lo, float) and math.isnan(lo):
        return m
    return f"{m} [{format_number(lo)}, {format_number(hi)}]"


def summary_table(results: Results) -> pd.DataFrame:
    """Metrics as rows, policies as columns: 'mean [95% CI]' at the horizon."""
    s = results.summary()
    s["cell"] = [
        _cell(m, lo, hi) for m, lo, hi in zip(s["mean"], s["ci_low"], s["ci_high"], strict=True)
    ]
    table = s.pivot(index="metric", columns="policy", values="cell")
    order = [m for m in list(METRIC_UNITS) + _shown(results.metrics) if m in table.index]
    return table.loc[list(dict.fromkeys(order)), [p for p in results.policies if p in table]]


def paired_table(results: Results, baseline: str | None = None) -> pd.DataFrame:
    """Metrics as rows, each policy's paired difference from the baseline as columns."""
    d = results.paired_diff(baseline)
    if d.empty:
        return pd.DataFrame()
    d["cell"] = [
        _cell(m, lo, hi, signed=True)
        for m, lo, hi in zip(d["mean"], d["ci_low"], d["ci_high"], strict=True)
    ]
    table = d.pivot(index="metric", columns="policy", values="cell")
    order = [m for m in list(METRIC_UNITS) + _shown(results.metrics) if m in table.index]
    return table.loc[list(dict.fromkeys(order))]


def money_table(results: Results, baseline: str | None = None) -> pd.DataFrame:
    """Net value against the baseline and its parts, per policy: 'difference [95% CI]',
    signed as each part enters the sum (costs saved are positive), and the payback period."""
    parts = net_value_components(results.paired_diff(baseline))
    if parts.empty:
        return pd.DataFrame()
    cells = [
        _cell(sign * m, min(sign * lo, sign * hi), max(sign * lo, sign * hi), signed=True)
        for sign, m, lo, hi in zip(
            parts["sign"], parts["mean"], parts["ci_low"], parts["ci_high"], strict=True
        )
    ]
    table = parts.assign(cell=cells).pivot(index="part", columns="policy", values="cell")
    table = table.loc[list(dict.fromkeys(parts["part"]))]
    base = baseline or results.baseline
    payback = {}
    for policy in table.columns:
        years = payback_years(results.frame, policy, base)
        payback[policy] = (
            _("not within the horizon")
            if years is None
            else _("{years} years").format(years=f"{years:.1f}")
        )
    table.loc["payback"] = pd.Series(payback)
    return table


def fairness_table(results: Results) -> pd.DataFrame:
    """The adverse-impact audit, pooled over reviews and replications, one row per policy,
    decision and group."""
    table = fairness.adverse_impact_table(results.frame)
    if table.empty:
        return table
    return table.assign(
        rate=table["rate"].map(lambda x: f"{x:.1%}"),
        impact_ratio=table["impact_ratio"].map(format_number),
        four_fifths_flag=table["four_fifths_flag"].map({True: "FLAG", False: ""}),
        p_value=table["p_value"].map(format_number),
        shortfall=table["shortfall"].map(lambda x: f"{x:.1f}"),
    ).set_index(["policy", "outcome", "group"])


def change_table(
    results: Results,
    metric: str = "workforce_potential",
    years: tuple[int, ...] = (1, 3, 5, 10, 20, 30, 50),
) -> pd.DataFrame:
    """Change of ``metric`` since week 0 at selected years: mean [95% CI] over replications.

    The change is taken within each replication, so the spread of starting points does not
    widen the interval.
    """
    f = results.frame[results.frame["metric"] == metric]
    if f.empty:
        return pd.DataFrame()
    wide = f.pivot_table(index=["policy", "rep"], columns="week", values="value")
    if 0.0 not in wide.columns:
        return pd.DataFrame()
    horizon = max(wide.columns)
    cols = {}
    for year in years:
        week = 52.0 * year
        if week > horizon or week not in wide.columns:
            continue
        change = (wide[week] - wide[0.0]).groupby(level="policy")
        cells = {}
        for policy, values in change:
            st = _interval_of(values)
            cells[policy] = _cell(st[0], st[1], st[2], signed=True)
        cols[f"year {year}"] = cells
    table = pd.DataFrame(cols)
    return table.loc[[p for p in results.policies if p in table.index]]


def _interval_of(values: pd.Series) -> tuple[float, float, float]:
    from simlib.analysis.results import _interval

    st = _interval(values)
    return float(st["mean"]), float(st["ci_low"]), float(st["ci_high"])


def render(results: Results) -> str:
    """The comparison as text: summary, then paired differences."""
    m = results.manifest
    years = m["parameters"]["environment"]["years"]
    head = _(
        "Scenario {name} (hash {hash}), {reps} replications, seed {seed}, {years} years. "
        "Values at the horizon, mean [95% CI]."
    ).format(
        name=m["scenario_name"],
        hash=m["scenario_hash"],
        reps=m["reps"],
        seed=m["seed"],
        years=years,
    )
    parts = [head, "", _as_text(summary_table(results))]
    change = change_table(results)
    if not change.empty:
        parts += [
            "",
            _("Change in workforce_potential since week 0 (SD units), mean [95% CI]:"),
            _as_text(change),
        ]
    paired = paired_table(results)
    if not paired.empty:
        parts += [
            "",
            _(
                "Paired differences against {baseline} (same people, applicants and shocks in "
                "each replication):"
            ).format(baseline=results.baseline),
            _as_text(paired),
        ]
        money = money_table(results)
        if not money.empty:
            parts += [
                "",
                _(
                    "Net value against {baseline} per year at the horizon, and its parts (costs "
                    "saved count positive; they add up to net_value), mean [95% CI]:"
                ).format(baseline=results.baseline),
                _as_text(money),
            ]
    audit = fairness_table(results)
    if not audit.empty:
        parts += [
            "",
            _(
                "Adverse impact by group, pooled over reviews and replications (FLAG: impact "
                "ratio below four-fifths, 29 CFR 1607.4(D); p: Fisher's exact test against the "
                "most favoured group):"
            ),
            _as_text(audit),
        ]
    from simlib.analysis.sanity import sanity_warnings

    warnings = sanity_warnings(results)
    if warnings:
        parts += ["", _("Sanity checks:"), *(f"  ! {w.message}" for w in warnings)]
    return "\n".join(parts)


HEADERS = {
    "metric": N_("metric"),
    "policy": N_("policy"),
    "part": N_("part"),
    "outcome": N_("outcome"),
    "group": N_("group"),
    "rate": N_("rate"),
    "impact_ratio": N_("impact ratio"),
    "four_fifths_flag": N_("four-fifths flag"),
    "p_value": N_("p"),
    "shortfall": N_("shortfall"),
}
"""Table headers as printed (the data keep their column names, which are code)."""


def _as_text(table: pd.DataFrame) -> str:
    """A table as text with its headers in the reader's language ("year 3" as well)."""
    shown = table.copy()

    def said(name: object) -> object:
        text = str(name)
        if text in HEADERS:
            return _(HEADERS[text])
        if text.startswith("year ") and text[5:].isdigit():
            return _("year {number}").format(number=text[5:])
        if text == "payback":
            return _("payback")
        return name

    shown.index = shown.index.map(said) if shown.index.nlevels == 1 else shown.index
    shown.index.names = [said(n) if n is not None else None for n in shown.index.names]
    shown.columns = shown.columns.map(said) if shown.columns.nlevels == 1 else shown.columns
    shown.columns.names = [said(n) if n is not None else None for n in shown.columns.names]
    return shown.to_string()
