"""The pilot page: power against the number of pilot units, and the recommendation in words.

One panel per metric: power (the share of simulated pilots that reject "no effect" at 5%)
against the number of pilot units, one line per pilot length in cycles, and the 80% line a
pilot should reach. :func:`pilot_section_html` is the page's body in the batch report's
style, so the batch report can include it as one more section; :func:`write_pilot_page`
writes ``pilot.html`` and ``pilot.png`` atomically.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from simlib.analysis.pilot import COLUMNS, TARGET_POWER, recommendations
from simlib.errors import ScenarioError
from simlib.i18n import N_, _, ngettext
from simlib.present.plots import PALETTE, metric_title, style
from simlib.present.report_document import document
from simlib.storage.atomic import atomic_write_bytes, atomic_write_text

PNG = "pilot.png"
HTML = "pilot.html"


def power_figure(table: pd.DataFrame, title: str = "") -> Figure:
    """Power against pilot units, one panel per metric and one line per number of cycles."""
    metrics = list(dict.fromkeys(table["metric"]))
    cols = min(len(metrics), 2)
    rows = math.ceil(len(metrics) / cols)
    with style():
        fig = Figure(figsize=(5.6 * cols, 4.2 * rows), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, name in zip(axes, metrics, strict=False):
            part = table[table.metric == name]
            for i, (cycles, line) in enumerate(part.groupby("cycles")):
                line = line.sort_values("units")
                label = ngettext("{count} cycle", "{count} cycles", cycles).format(count=cycles)
                ax.plot(
                    line.units, line.power, marker="o", color=PALETTE[i % len(PALETTE)], label=label
                )
            ax.axhline(TARGET_POWER, color="#555", linestyle="--", linewidth=1)
            ax.text(ax.get_xlim()[0], TARGET_POWER, f" {TARGET_POWER:.0%}", va="bottom", fontsize=8)
            ax.set_ylim(0, 1.02)
            ax.set_title(metric_title(name))
            ax.set_xlabel(_("pilot units"))
            ax.set_ylabel(_("power (share detecting the effect)"))
            ax.legend(fontsize=8, loc="best")
        for ax in axes[len(metrics) :]:
            ax.set_visible(False)
        if title:
            fig.suptitle(title, fontsize=11)
    return fig


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


UNITS = {"team": N_("teams"), "department": N_("departments")}
ARMS = {"together": N_("together"), "apart": N_("apart")}
"""The words for a pilot's randomized units and its arms, in the heading."""


def pilot_heading(policy: str, baseline: str, units: str, arms: str) -> str:
    """``Pilot of okr against absolute (teams, arms together)`` in the reader's language."""
    return _("Pilot of {policy} against {baseline} ({units}, arms {arms})").format(
        policy=policy,
        baseline=baseline,
        units=_(UNITS.get(units, units)),
        arms=_(ARMS.get(arms, arms)),
    )


def pilot_section_html(
    table: pd.DataFrame, recommendations: Sequence[str], heading: str, png: str = PNG
) -> str:
    """The pilot section: heading, recommendation in words, the power curves, the table."""
    shown = table.copy()
    for col in ("rollout_effect", "pilot_estimate"):
        shown[col] = shown[col].map(lambda v: f"{v:.4g}")
    for col in ("power", "false_positive_rate"):
        shown[col] = shown[col].map(lambda v: f"{v:.2f}")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in recommendations)
    return (
        f"<section class='pilot'><h2>{html.escape(heading)}</h2>"
        + "<p>"
        + _(
            "Recommended design (power is the share of simulated pilots that reject "
            "&ldquo;no effect&rdquo; at 5%; the target is {target}):"
        ).format(target=f"{TARGET_POWER:.0%}")
        + "</p>"
        f"<ul class='recommendation'>{items}</ul>"
        + f"<img src='{html.escape(png)}' alt='"
        + html.escape(
            _("Power of the pilot against the number of units, one line per number of cycles")
        )
        + "'>"
        f"{shown.to_html(index=False, classes='pilot-table', border=0)}"
        + "<p class='note'>"
        + _(
            "The pilot's estimate is the pilot units' mean minus the others'; the rollout "
            "effect is what the whole organization shows under the policy against the "
            "baseline. The false-positive rate is the same procedure on a pilot of the baseline "
            "against itself (nominally 0.05). With the arms together in one organization, each "
            "arm's people are graded, paid and treated under their own arm's policy (a ranking "
            "unit spanning both arms ranks each arm's people among themselves, under that arm's "
            "quotas); such a pilot shows only part of a rollout's effect on quits, because "
            "outside employers read each person's performance against the whole organization, "
            "and the pilot's people stand out more than they would if everyone ran the policy."
        )
        + "</p></section>"
    )


def write_pilot_page(
    table: pd.DataFrame, recommendations: Sequence[str], out: Path, heading: str
) -> tuple[Path, Path]:
    """Write ``out/pilot.png`` and ``out/pilot.html`` (each atomically); return their paths."""
    png = atomic_write_bytes(out / PNG, png_bytes(power_figure(table, heading)))
    body = pilot_section_html(table, recommendations, _("Pilot design"))
    page = atomic_write_text(
        out / HTML, document(f"<h1>{html.escape(heading)}</h1>" + body, heading)
    )
    return page, png


def pilot_section_from(folder: str | Path) -> str:
    """The pilot section of a folder written by ``simlib pilot --out``, for the batch
    report (the power curves embedded in the page, so the report stays one file)."""
    folder = Path(folder)
    csv, png = folder / "pilot.csv", folder / PNG
    if not csv.is_file() or not png.is_file():
        raise ScenarioError(
            _(
                "pilot: {folder} holds no pilot.csv and pilot.png; write them with "
                "simlib pilot SCENARIO --policy P --out DIR"
            ).format(folder=repr(str(folder)))
        )
    table = pd.read_csv(csv)
    if list(table.columns) != COLUMNS:
        raise ScenarioError(
            _("pilot: {file} is not a pilot table (columns {columns})").format(
                file=repr(str(csv)), columns=COLUMNS
            )
        )
    image = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
    return pilot_section_html(table, recommendations(table), _("Pilot design"), png=image)
