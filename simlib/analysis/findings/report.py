"""The validation table as text, and one chart per finding (published band vs simulated)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def _fmt(x: Any) -> str:
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, float):
        if math.isnan(x):
            return "-"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return f"{x:.3f}"
    return str(x)


def render_table(table: pd.DataFrame) -> str:
    """A plain-text table: finding, kind, published, simulated [95% CI], accepted band, holds."""
    rows = [("finding", "kind", "published", "simulated", "95% CI", "accepted band", "holds")]
    for r in table.itertuples(index=False):
        rows.append(
            (
                str(r.finding),
                str(r.kind),
                _fmt(r.published),
                _fmt(r.simulated),
                f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]",
                f"[{_fmt(r.low)}, {_fmt(r.high)}]",
                _fmt(bool(r.holds)),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])] + [
            c.rjust(w) for c, w in zip(row[2:], widths[2:], strict=True)
        ]
        lines.append("  ".join(cells))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def plot_finding(row: Any, ax: Any = None, unit: str = "") -> Any:
    """Draw one finding: the accepted band (shaded), the published value (diamond) and the
    simulated value with its 95% CI (dot and bar), on one horizontal axis.

    Parameters
    ----------
    row
        A row of the validation table (mapping or namedtuple with the CSV columns).
    ax
        Matplotlib axes (default: a new small figure).
    unit
        Label of the horizontal axis.
    """
    import matplotlib.pyplot as plt

    get = row.get if hasattr(row, "get") else lambda k: getattr(row, k)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 1.6))
    values = [get(k) for k in ("published", "simulated", "ci_low", "ci_high", "low", "high")]
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    pad = 0.25 * (hi - lo) if hi > lo else 0.1 * (abs(hi) + 1.0)
    xmin, xmax = lo - pad, hi + pad
    band_lo = get("low") if math.isfinite(get("low")) else xmin
    band_hi = get("high") if math.isfinite(get("high")) else xmax
    holds = bool(get("holds"))
    ax.axvspan(
        band_lo,
        band_hi,
        color="tab:green" if holds else "tab:red",
        alpha=0.15,
        label="accepted band",
    )
    if not math.isfinite(get("published")):
        ax.text(
            0.5 * (xmin + xmax),
            1,
            "stated in words: the band encodes it",
            ha="center",
            va="center",
            fontsize=8,
            color="dimgray",
        )
    else:
        ax.plot(
            [get("published")], [1], marker="D", color="black", linestyle="none", label="published"
        )
    sim, cl, ch = get("simulated"), get("ci_low"), get("ci_high")
    if math.isfinite(sim):
        err = [[sim - cl], [ch - sim]] if math.isfinite(cl) and math.isfinite(ch) else None
        ax.errorbar(
            [sim], [0], xerr=err, fmt="o", color="tab:blue", capsize=4, label="simulated (95% CI)"
        )
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(-0.8, 1.8)
    ax.set_yticks([0, 1], ["simulated", "published"])
    ax.set_xlabel(unit)
    ax.set_title(f"{get('finding')} — {'holds' if holds else 'DOES NOT HOLD'}", fontsize=10)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    return ax
