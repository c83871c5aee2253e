"""Figures for reports and the explorer, in one style.

Every figure reads :class:`simlib.analysis.results.Results` (and, for people-level views, the
:func:`simlib.present.snapshot.final_workforce` frame), never the engine. One style throughout: axis
labels with units, a policy keeps its colour in every figure (its position among the
scenario's declared policies picks it from a colour-blind-safe palette), and type large
enough to read on a slide.

Kept whole at about 420 lines: one style for every figure reads best in one place.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simlib.analysis.results import Results
from simlib.i18n import _, language
from simlib.i18n.fonts import matplotlib_fonts
from simlib.metrics.catalogue import METRIC_DIRECTION, METRIC_UNITS
from simlib.present.nine_box import BOX_LABELS
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.storage.atomic import atomic_write_bytes

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.titleweight": "bold",
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.2,
}

# The default panels (those a run records), at most nine for a 3 x 3 grid.
HEADLINE_METRICS = (
    "workforce_potential",
    "output_per_head",
    "business_value",
    "rating_accuracy",
    "misclassification",
    "engagement",
    "voluntary_attrition",
    "involuntary_exits",
    "payroll",
)


@contextmanager
def style() -> Iterator[None]:
    """Apply simlib's figure style inside a ``with`` block."""
    import matplotlib as mpl

    # matplotlib's stubs key rc_context by a Literal of rc names; STYLE holds only valid ones.
    settings: dict[str, Any] = {**STYLE, **matplotlib_fonts(language())}
    with mpl.rc_context(settings):  # type: ignore[arg-type]
        yield


def _figure(width: float, height: float, fast: bool = False) -> Figure:
    # A bare Figure: no pyplot state, safe in threads; notebooks display it like any figure.
    # ``fast`` uses fixed margins instead of the constrained-layout solver (about 40% less
    # drawing time; the explorer redraws on every change).
    with style():
        return Figure(figsize=(width, height), layout=None if fast else "constrained")


# One colour per policy name, in every report and the explorer: the shipped presets' names
# keep theirs whatever else is compared; other names take the palette's colours not used
# here, in a stable order of their name's hash (so the same name gets the same colour in
# every figure of a comparison, and in most comparisons).
POLICY_COLOURS: dict[str, str] = {
    "absolute": PALETTE[0],
    "forced_distribution": PALETTE[1],
    "okr": PALETTE[2],
    "pay_matrix": PALETTE[3],
    "calibrated": PALETTE[4],
    "feedback_360": PALETTE[5],
    "rank_and_yank": PALETTE[6],
}


def policy_colour(name: str, taken: Sequence[str] = ()) -> str:
    """The colour of one policy name (see :data:`POLICY_COLOURS`); ``taken`` colours are
    avoided for names without a fixed colour while any are free."""
    if name in POLICY_COLOURS:
        return POLICY_COLOURS[name]
    import zlib

    start = zlib.crc32(name.encode()) % len(PALETTE)
    for step in range(len(PALETTE)):
        colour = PALETTE[(start + step) % len(PALETTE)]
        if colour not in taken:
            return colour
    return PALETTE[start]


def policy_colors(results: Results | Sequence[str]) -> dict[str, str]:
    """A colour per policy, the same for a policy name in every figure and report.

    Fixed names (:data:`POLICY_COLOURS`) keep theirs; the others, in the scenario's declared
    order, take colours not already used by the policies compared.
    """
    if isinstance(results, Results):
        declared = list(results.manifest.get("parameters", {}).get("policies", {}))
        order = declared + [p for p in results.policies if p not in declared]
    else:
        order = list(results)
    colours = {p: POLICY_COLOURS[p] for p in order if p in POLICY_COLOURS}
    for p in order:
        if p not in colours:
            colours[p] = policy_colour(p, list(colours.values()))
    return colours


def report_metrics(
    results: Results, named: Sequence[str] | None = None, headcount: bool = True
) -> list[str]:
    """The metrics a report charts: those the scenario names (``report.metrics``) or the
    headline ones, and headcount always (unless ``headcount`` is False)."""
    chosen = [m for m in (named or HEADLINE_METRICS) if m in results.metrics]
    if headcount and "headcount" in results.metrics and "headcount" not in chosen:
        chosen = ["headcount", *chosen]
    if not headcount:
        chosen = [m for m in chosen if m != "headcount"]
    return chosen


def metric_title(metric: str) -> str:
    """'workforce_potential' -> 'Workforce potential'."""
    return metric.replace("_", " ").capitalize()


def metric_label(metric: str) -> str:
    """The metric with its unit, for an axis: 'Workforce potential (SD units)'."""
    unit = METRIC_UNITS.get(metric)
    return f"{metric_title(metric)} ({_(unit)})" if unit else metric_title(metric)


def _unit_axis_label(metric: str, prefix: str = "") -> str:
    unit = _(METRIC_UNITS.get(metric, "")) if metric in METRIC_UNITS else ""
    # Long units wrap so a small panel stays readable (Chinese has no spaces: by characters).
    if language() == "zh" and len(unit) > 16:
        unit = "\n".join(unit[i : i + 16] for i in range(0, len(unit), 16))
    elif len(unit) > 28:
        words, lines, line = unit.split(), [], ""
        for w in words:
            if len(line) + len(w) > 28 and line:
                lines.append(line)
                line = w
            else:
                line = f"{line} {w}".strip()
        unit = "\n".join([*lines, line])
    return f"{prefix}{unit}" if unit else prefix.strip() or _("value")


def _metrics(results: Results, metrics: Sequence[str] | None) -> list[str]:
    available = results.metrics
    if metrics is None:
        chosen = [m for m in HEADLINE_METRICS if m in available]
        return chosen or available
    return [m for m in metrics if m in available]


def _grid(
    n: int,
    ncols: int,
    panel: tuple[float, float],
    fast: bool = False,
    legend: bool = False,
    gaps: tuple[float, float] = (1.2, 1.2),
) -> tuple[Figure, list]:
    """A grid of ``n`` panels of ``panel`` inches; ``gaps`` (inches) between them if fast."""
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    width, height = panel[0] * ncols, panel[1] * nrows + (0.5 if fast else 0)
    fig = _figure(width, height, fast)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    if fast:
        # Fixed margins in inches: unit labels on the left, title on top, legend below.
        left, right, top, bottom = max(1.1, gaps[0] - 0.1), 0.2, 0.75, (1.25 if legend else 0.75)
        axes_w = (width - left - right - (ncols - 1) * gaps[0]) / ncols
        axes_h = (height - top - bottom - (nrows - 1) * gaps[1]) / nrows
        fig.subplots_adjust(
            left=left / width,
            right=1 - right / width,
            top=1 - top / height,
            bottom=bottom / height,
            wspace=gaps[0] / max(axes_w, 0.1),
            hspace=gaps[1] / max(axes_h, 0.1),
        )
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _legend(fig: Figure, colors: dict[str, str], policies: Sequence[str]) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=colors[p], lw=3) for p in policies]
    where: Literal["outside lower center", "lower center"] = (
        "outside lower center" if fig.get_layout_engine() is not None else "lower center"
    )
    fig.legend(handles, list(policies), loc=where, ncols=min(len(policies), 4))


def _readable_numbers(axis, always: bool = False) -> None:
    """Tick labels like 3.25M instead of a 1e7 offset for money-sized values, and (with
    ``always``) short labels without an offset or exponent for small ones, so close ticks
    of a small difference do not run into each other."""
    from matplotlib.ticker import FuncFormatter

    def fmt(x: float, _pos: int) -> str:
        ax_ = abs(x)
        if ax_ >= 1e6:
            return f"{x / 1e6:.2f}M"
        if ax_ >= 1e4:
            return f"{x / 1e3:.0f}k"
        return f"{x:.3g}" if ax_ >= 1e-12 else "0"

    lo, hi = axis.get_view_interval()
    if always or max(abs(lo), abs(hi)) >= 1e4:
        axis.set_major_formatter(FuncFormatter(fmt))


def whole_years(axis, horizon_years: float) -> None:
    """Ticks at whole years only: every year up to 12 years, then fewer whole years."""
    from matplotlib.ticker import MultipleLocator

    if horizon_years <= 12:
        axis.set_major_locator(MultipleLocator(1))
    else:
        axis.set_major_locator(MaxNLocator(integer=True, nbins=10))


def metric_label_title(metric: str) -> str:
    """The client's name of a metric (the catalogue's label) for a panel's title."""
    from simlib.metrics.catalogue import metric as entry
    from simlib.present.wording import label

    return label(metric) if entry(metric) is not None else metric_title(metric)


def plot_over_time(
    results: Results, metrics: Sequence[str] | None = None, ncols: int = 3, fast: bool = False
) -> Figure:
    """Each metric over the years: mean over replications with a 95% confidence band.

    ``fast`` draws with fixed margins (for the explorer's live redraws).
    """
    chosen = _metrics(results, metrics)
    colors = policy_colors(results)
    table = results.over_time(chosen)
    fig, axes = _grid(len(chosen), ncols, (5.2, 3.6), fast=fast, legend=True)
    with style():
        for ax, metric in zip(axes, chosen, strict=True):
            for policy in results.policies:
                rows = table[(table["metric"] == metric) & (table["policy"] == policy)]
                if rows.empty:
                    continue
                years = rows["week"].to_numpy() / WEEKS_PER_YEAR
                ax.plot(years, rows["mean"], color=colors[policy], marker="o", ms=4)
                lo, hi = rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy()
                if np.isfinite(lo).any():
                    ax.fill_between(years, lo, hi, color=colors[policy], alpha=0.2, lw=0)
            ax.set_title(metric_label_title(metric))
            ax.set_xlabel(_("Years"))
            whole_years(ax.xaxis, float(table["week"].max()) / WEEKS_PER_YEAR)
            ax.set_ylabel(_unit_axis_label(metric))
            if fast:
                ax.locator_params(axis="y", nbins=4)  # fewer labels: text is most of the drawing
            _readable_numbers(ax.yaxis)
        _legend(fig, colors, results.policies)
        fig.suptitle(_("Outcomes over time (mean and 95% CI over replications)"), fontsize=15)
    return fig


def plot_paired_differences(
    results: Results, metrics: Sequence[str] | None = None, ncols: int = 3, fast: bool = False
) -> Figure:
    """Each policy minus the baseline at the horizon, paired by replication (95% CI).

    ``fast`` draws with fixed margins (for the explorer's live redraws).
    """
    chosen = _metrics(results, metrics)
    colors = policy_colors(results)
    diff = results.paired_diff(metrics=chosen)
    others = [p for p in results.policies if p != results.baseline]
    label_in = 0.11 * max((len(p) for p in others), default=8)  # policy names on the y axis
    panel = (5.2 + (label_in if fast else 0), 1.6 + 0.6 * max(len(others), 1) + (1 if fast else 0))
    fig, axes = _grid(len(chosen), ncols, panel, fast=fast, gaps=(label_in + 0.5, 1.5))
    with style():
        for ax, metric in zip(axes, chosen, strict=True):
            rows = diff[diff["metric"] == metric].set_index("policy")
            for i, policy in enumerate(others):
                if policy not in rows.index:
                    continue
                r = rows.loc[policy]
                err = None
                if np.isfinite(r["ci_low"]):
                    err = [[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]]
                ax.errorbar(
                    r["mean"], i, xerr=err, fmt="o", color=colors[policy], ms=8, capsize=5, lw=2.5
                )
            ax.axvline(0, color="0.3", lw=1)
            ax.set_yticks(range(len(others)), others)
            ax.set_ylim(-0.7, len(others) - 0.3)
            ax.invert_yaxis()
            better = METRIC_DIRECTION.get(metric, "")
            hint = {"higher": _(" (more is better)"), "lower": _(" (less is better)")}.get(
                better, ""
            )
            ax.set_title(metric_label_title(metric) + hint, fontsize=13)
            ax.set_xlabel(_unit_axis_label(metric, _("difference, ")))
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
            _readable_numbers(ax.xaxis, always=True)
        fig.suptitle(
            _("Paired difference from {base} at the horizon (95% CI)").format(
                base=results.baseline
            ),
            fontsize=15,
        )
    return fig


def _snapshot_policies(snapshot: pd.DataFrame, results: Results | None) -> list[str]:
    present = list(dict.fromkeys(snapshot["policy"]))
    if results is None:
        return present
    return [p for p in results.policies if p in present] + [
        p for p in present if p not in results.policies
    ]


def _colors_for(policies: list[str], results: Results | None) -> dict[str, str]:
    colors = policy_colors(results) if results is not None else {}
    fallback = policy_colors(policies)
    return {p: colors.get(p, fallback[p]) for p in policies}


def plot_grade_distribution(snapshot: pd.DataFrame, results: Results | None = None) -> Figure:
    """Share of the workforce in each latest grade, per policy, at the horizon."""
    policies = _snapshot_policies(snapshot, results)
    colors = _colors_for(policies, results)
    rated = snapshot[snapshot["grade_index"] >= 0]
    order = (
        rated[["grade", "grade_index"]]
        .drop_duplicates()
        .sort_values("grade_index", kind="stable")["grade"]
        .drop_duplicates()
        .tolist()
    )
    shares = rated.groupby("policy")["grade"].value_counts(normalize=True).unstack(fill_value=0.0)
    fig = _figure(max(6.5, 1.2 * len(order) * max(1, len(policies)) * 0.6 + 3), 4.6)
    with style():
        ax = fig.subplots()
        width = 0.8 / max(1, len(policies))
        x = np.arange(len(order))
        for i, policy in enumerate(policies):
            values = shares.reindex(index=[policy], columns=order, fill_value=0.0).iloc[0]
            ax.bar(
                x + (i - (len(policies) - 1) / 2) * width,
                100 * values,
                width,
                color=colors[policy],
                label=policy,
            )
        ax.set_xticks(x, order)
        ax.set_xlabel(_("Latest grade (best first)"))
        ax.set_ylabel(_("Share of rated employees (%)"))
        ax.set_title(_("Grade distribution at the horizon"))
        ax.legend()
    return fig


def plot_pay_distribution(
    snapshot: pd.DataFrame, results: Results | None = None, currency: str | None = None
) -> Figure:
    """Distribution of yearly salaries at the horizon, per policy (step histograms)."""
    policies = _snapshot_policies(snapshot, results)
    colors = _colors_for(policies, results)
    if currency is None and results is not None:
        params = results.manifest.get("parameters", {})
        currency = params.get("organization", {}).get("salary_bands", {}).get("currency")
    salary = snapshot["salary"].to_numpy() / 1000.0
    # hist takes any array of edges; its stubs name only Sequence[float].
    bins = cast(
        "Sequence[float] | int",
        np.linspace(np.nanmin(salary), np.nanmax(salary), 31) if len(salary) else 10,
    )
    fig = _figure(8.5, 4.6)
    with style():
        ax = fig.subplots()
        for policy in policies:
            values = snapshot.loc[snapshot["policy"] == policy, "salary"] / 1000.0
            ax.hist(
                values,
                bins=bins,
                histtype="step",
                lw=2.2,
                color=colors[policy],
                label=_("{policy} (median {median}k)").format(
                    policy=policy, median=f"{values.median():,.1f}"
                ),
            )
        ax.set_xlabel(
            _("Yearly salary (thousand {currency})").format(
                currency=currency or _("currency units")
            )
        )
        ax.set_ylabel(_("Employees"))
        ax.set_title(_("Pay distribution at the horizon"))
        ax.legend()
    return fig


def plot_nine_box(snapshot: pd.DataFrame, results: Results | None = None) -> Figure:
    """The 9-box per policy: latest grade (performance) x potential, share of employees.

    Performance boxes come from the latest grade by share of people (the grades holding the
    bottom 20% = low, the top 20% = high; see :mod:`simlib.present.nine_box`); potential
    boxes from fixed cut points in SD units, the same for every policy.
    """
    policies = _snapshot_policies(snapshot, results)
    colors = _colors_for(policies, results)
    rated = snapshot[snapshot["performance_box"] >= 0]
    fig, axes = _grid(len(policies), 3, (4.6, 4.4))
    with style():
        from matplotlib.colors import LinearSegmentedColormap

        for ax, policy in zip(axes, policies, strict=True):
            own = rated[rated["policy"] == policy]
            counts = np.zeros((3, 3))
            np.add.at(
                counts, (own["potential_box"].to_numpy(), own["performance_box"].to_numpy()), 1
            )
            share = counts / max(1, counts.sum())
            cmap = LinearSegmentedColormap.from_list(policy, ["#ffffff", colors[policy]])
            ax.imshow(share, origin="lower", cmap=cmap, vmin=0, vmax=max(0.35, share.max()))
            for pot in range(3):
                for perf in range(3):
                    dark = share[pot, perf] > 0.6 * max(0.35, share.max())
                    ax.text(
                        perf,
                        pot,
                        f"{100 * share[pot, perf]:.0f}%\n({int(counts[pot, perf])})",
                        ha="center",
                        va="center",
                        fontsize=12,
                        color="white" if dark else "black",
                    )
            boxes = [_(b) for b in BOX_LABELS]
            ax.set_xticks(range(3), boxes)
            ax.set_yticks(range(3), boxes)
            ax.set_xlabel(_("Performance (latest grade)"))
            ax.set_ylabel(_("Potential (SD terciles)"))
            ax.set_title(f"{policy} (n={len(own)})", color=colors[policy])
            ax.grid(False)
        fig.suptitle(_("9-box at the horizon: share of rated employees (count)"), fontsize=15)
    return fig


def figure_png(fig: Figure, dpi: float = 150, tight: bool = True) -> bytes:
    """The figure as PNG bytes.

    150 dpi for reports; the explorer uses screen resolution and ``tight=False`` (the
    constrained layout already fits the margins; a tight box costs a second drawing).
    """
    buffer = io.BytesIO()
    with style():
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write the figure as a PNG atomically (no half-written image under the final name)."""
    return atomic_write_bytes(path, figure_png(fig))


def show(fig: Figure) -> None:
    """Display the figure as a PNG in a notebook (or widget output); works in offline HTML."""
    from IPython.display import Image, display

    display(Image(data=figure_png(fig), format="png"))
