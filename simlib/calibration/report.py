"""The calibration's page and chart: observed against simulated per moment, the assumptions.

``report.html`` (one file, the chart beside it as ``fit.png``) in the reader's language:
each moment's observed value against the simulated one with its 95% interval; a table of
the identified assumptions (posterior median, 90% posterior interval) and one of the unidentified
ones (their literature range); with a backtest, a paragraph comparing the model's forecast
of the last cycle with carrying the previous cycle forward.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simlib.calibration.fit import Calibration, backtest, fit_table
from simlib.i18n import N_, _
from simlib.present.plots import PALETTE, style
from simlib.present.report_document import document
from simlib.storage.atomic import atomic_write_bytes, atomic_write_text

HTML = "report.html"
PNG = "fit.png"


def fit_figure(table: pd.DataFrame) -> Figure:
    """Observed (dots) against simulated (bars with 95% intervals), one row per moment:
    pooled over cycles where the data pool it, else one row per cycle."""
    pooled = set(table.loc[table["cycle"].isna(), "moment"])
    shown = table[table["cycle"].isna() | ~table["moment"].isin(pooled)]
    labels = [
        m if pd.isna(c) else _("{moment} (cycle {cycle})").format(moment=m, cycle=int(c))
        for m, c in zip(shown["moment"], shown["cycle"], strict=True)
    ]
    y = np.arange(len(shown))
    with style():
        fig = Figure(figsize=(9.0, 0.38 * len(shown) + 1.4), layout="constrained")
        ax = fig.subplots()
        sim = shown["simulated"].to_numpy(float)
        ax.errorbar(
            sim,
            y,
            xerr=[sim - shown["lower"].to_numpy(float), shown["upper"].to_numpy(float) - sim],
            fmt="s",
            color=PALETTE[0],
            label=_("simulated (95% interval)"),
        )
        ax.plot(shown["observed"], y, "o", color=PALETTE[1], label=_("observed"))
        ax.set_yticks(y, labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(_("value (share, correlation or SD)"))
        ax.set_title(_("Observed and simulated moments at the calibrated values"), fontsize=11)
        ax.legend(fontsize=8, loc="best")
    return fig


def backtest_words(table: pd.DataFrame) -> str:
    """How the model did against carrying the previous cycle forward, in words."""
    model = float(np.mean(np.abs(table["predicted"] - table["observed"])))
    naive_rows = table.dropna(subset=["naive"])
    naive = float(np.mean(np.abs(naive_rows["naive"] - naive_rows["observed"])))
    if model < naive:
        words = _(
            "Backtest of the last cycle ({count} moments): the model's mean absolute error is "
            "{model:.4f}, carrying the previous cycle forward gives {naive:.4f}: the model "
            "forecast better than the naive forecast; {within} of {count} observed values "
            "fell inside the model's 90% interval."
        )
    else:
        words = _(
            "Backtest of the last cycle ({count} moments): the model's mean absolute error is "
            "{model:.4f}, carrying the previous cycle forward gives {naive:.4f}: the model "
            "forecast no better than the naive forecast; {within} of {count} observed values "
            "fell inside the model's 90% interval."
        )
    return words.format(
        count=len(table), model=model, naive=naive, within=int(table["within"].sum())
    )


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a reader reads it: a pooled moment's cycle "all", yes and no for the
    flags (the CSV files keep the raw values)."""
    shown = table.copy()
    if "cycle" in shown:
        shown["cycle"] = [_("all") if pd.isna(c) else str(int(c)) for c in shown["cycle"]]
    for flag in ("within", "used"):
        if flag in shown:
            shown[flag] = [_("yes") if bool(v) else _("no") for v in shown[flag]]
    return shown.rename(columns={c: _(w) for c, w in COLUMN_WORDS.items() if c in shown})


# The tables' column names on the page (marked here, translated when shown; the CSV files
# keep the names of their contract).
COLUMN_WORDS = {
    "moment": N_("moment"),
    "cycle": N_("cycle"),
    "observed": N_("observed"),
    "simulated": N_("simulated"),
    "predicted": N_("predicted"),
    "lower": N_("interval from"),
    "upper": N_("interval to"),
    "naive": N_("carried forward"),
    "within": N_("within"),
    "used": N_("fitted to"),
}


def write_report(cal: Calibration, out: Path) -> tuple[Path, Path]:
    """Write ``out/fit.png`` and ``out/report.html``; return their paths."""
    table = fit_table(cal)
    buffer = io.BytesIO()
    with style():  # the fonts are looked up when drawn: the language's font, here too
        fit_figure(table).savefig(buffer, format="png", dpi=110)
    png = atomic_write_bytes(out / PNG, buffer.getvalue())
    ident = pd.DataFrame(
        [
            {
                _("assumption"): a.path,
                _("calibrated (posterior median)"): f"{cal.point(a.path):.4g}",
                _("90% interval"): "{:.4g} – {:.4g}".format(*cal.interval(a.path)),
                _("box fitted in"): f"{a.low:g} – {a.high:g}",
            }
            for a in cal.identified
        ]
    )
    unident = pd.DataFrame(
        [
            {
                _("assumption"): a.path,
                _("literature range"): f"{a.low:g} – {a.high:g}",
                _("needs"): ", ".join(a.identified_by),
            }
            for a in cal.unidentified
        ]
    )
    title = _("Calibration of {name}").format(name=cal.scenario.name)
    alt = _("Observed and simulated moments")
    identified_heading = _("Assumptions the data identify")
    open_heading = _("Assumptions the data leave open")
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<img src='{PNG}' alt='{html.escape(alt)}'>",
        f"<h2>{html.escape(identified_heading)}</h2>",
        ident.to_html(index=False, border=0),
        "<p>"
        + html.escape(
            _(
                "The interval is an approximate posterior: draws around the best fit weighed "
                "by a Gaussian synthetic likelihood of the moments (kernel bandwidth {h:g}; "
                "above 1 the likelihood is widened so that enough draws count, and the "
                "intervals are conservative); effective sample size {ess:.1f}. The status quo "
                "realises a voluntary quit rate of {rate:.3f}."
            ).format(h=cal.bandwidth, ess=cal.ess, rate=cal.realised_quit_rate)
        )
        + "</p>",
        f"<h2>{html.escape(open_heading)}</h2>",
        unident.to_html(index=False, border=0)
        if len(unident)
        else "<p>" + html.escape(_("none")) + "</p>",
    ]
    if cal.holdout == "last":
        bt = backtest(cal)
        heading = _("Backtest")
        parts += [
            f"<h2>{html.escape(heading)}</h2>",
            "<p>" + html.escape(backtest_words(bt)) + "</p>",
            readable(bt).to_html(index=False, border=0, float_format=lambda v: f"{v:.4f}"),
        ]
    heading = _("Observed and simulated moments")
    parts += [
        f"<h2>{html.escape(heading)}</h2>",
        readable(table).to_html(index=False, border=0, float_format=lambda v: f"{v:.4f}"),
    ]
    page = atomic_write_text(out / HTML, document("".join(parts), title))
    return page, png
