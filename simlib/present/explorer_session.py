"""The explorer's session: control values to a validated scenario, run through a cache.

The cache is keyed by the scenario hash (every parameter, replications and seed included), so
unchanged inputs redraw instantly; bad input becomes readable lines, never a traceback.
"""

from __future__ import annotations

import html
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from simlib.analysis.results import Results
from simlib.errors import ScenarioError
from simlib.i18n import N_, _
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario

# --- running, with a cache --------------------------------------------------------------


@dataclass
class Outcome:
    """One answered Run: the scenario as run, its results and (on demand) final workforce."""

    scenario: Scenario
    results: Results
    seconds: float
    cached: bool
    _store: dict = field(default_factory=dict, repr=False)  # shared with cached copies

    @property
    def snapshot(self) -> pd.DataFrame:
        """The final workforce of replication 0 per policy, simulated the first time it is
        needed (only the grade, pay and 9-box views need it)."""
        if "snapshot" not in self._store:
            from simlib.present.snapshot import final_workforce

            self._store["snapshot"] = final_workforce(
                self.scenario, self.results.policies, seed=self.results.manifest["seed"], rep=0
            )
        return self._store["snapshot"]


@dataclass
class ExplorerSession:
    """Scenario loading, validation and cached runs, without any widgets.

    Parameters
    ----------
    cache_size
        How many distinct runs to keep (least recently used are dropped).
    executor
        Optional ``concurrent.futures`` executor for the replications.
    """

    cache_size: int = 16
    executor: Any = None
    _cache: OrderedDict = field(default_factory=OrderedDict)
    _bases: dict = field(default_factory=dict)

    def base(self, source: str | Path) -> Scenario:
        """The scenario file as written (loaded once per file version)."""
        path = Path(source)
        stamp = path.stat().st_mtime_ns if path.exists() else 0
        key = (str(path), stamp)
        if key not in self._bases:
            self._bases[key] = load_scenario(path)
        return self._bases[key]

    def scenario(
        self,
        source: str | Path,
        overrides: dict[str, Any],
        policies: list[str],
        years: int,
        reps: int,
        seed: int,
    ) -> Scenario:
        """The validated scenario for these inputs (raises ScenarioError with readable lines)."""
        from simlib.present.briefing import run_overrides

        if not policies:
            raise ScenarioError("choose at least one policy to compare")
        merged = run_overrides(overrides, policies=policies, reps=reps, seed=seed, years=years)
        return load_scenario(self.base(source).to_dict(), overrides=merged)

    def run(self, scenario: Scenario) -> Outcome:
        """Results (and, on demand, final workforce) for ``scenario``; cached by its hash."""
        from simlib.experiments.compare import compare

        key = scenario.hash
        if key in self._cache:
            self._cache.move_to_end(key)
            return replace(self._cache[key], seconds=0.0, cached=True)
        started = time.perf_counter()
        results = compare(scenario, executor=self.executor)
        outcome = Outcome(scenario, results, time.perf_counter() - started, False)
        self._cache[key] = outcome
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return outcome


def summary_html(outcome: Outcome) -> str:
    """The executive summary with a one-line header, as HTML for the page."""
    from simlib.present.briefing import executive_summary_html

    m = outcome.results.manifest
    how = (
        _("from cache")
        if outcome.cached
        else _("in {seconds} s").format(seconds=f"{outcome.seconds:.1f}")
    )
    years = m["parameters"]["environment"]["years"]
    said = _(
        "{name}: {reps} replications × {policies} policies × {years} years, seed {seed} — "
        "answered {how}. Mean [95% CI] at the horizon; ★ best per row."
    )
    head = (
        "<p>"
        + said.format(
            name=f"<b>{html.escape(m['scenario_name'])}</b>",
            reps=m["reps"],
            policies=len(m["policies"]),
            years=years,
            seed=m["seed"],
            how=how,
        )
        + "</p>"
    )
    return head + executive_summary_html(outcome.results)


def error_html(lines: list[str]) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (
        "<div style='color:#b00020;border-left:4px solid #b00020;padding:.3em .8em'>"
        + "<b>"
        + _("Cannot run these settings:")
        + f"</b><ul style='margin:.2em 0'>{items}</ul></div>"
    )


def problem_lines(exc: BaseException) -> list[str]:
    """Readable lines for any failure (no traceback)."""
    if isinstance(exc, ScenarioError):
        return list(exc.messages)
    return [f"{type(exc).__name__}: {exc}"]


# --- figures ------------------------------------------------------------------------------

# Tab names (English keys; translated where shown).
FIGURE_TABS = (N_("Over time"), N_("Differences"), N_("Grades & pay"), N_("9-box"))
EXPLORER_DPI = 80


def figure_pngs(tab: str, outcome: Outcome) -> list[bytes]:
    """The PNG images of one tab (rendered at screen resolution)."""
    from simlib.present import plots

    r, snap = outcome.results, outcome.snapshot
    if tab == "Over time":
        figs = [plots.plot_over_time(r, fast=True)]
    elif tab == "Differences":
        figs = [plots.plot_paired_differences(r, fast=True)] if len(r.policies) > 1 else []
    elif tab == "Grades & pay":
        figs = [plots.plot_grade_distribution(snap, r), plots.plot_pay_distribution(snap, r)]
    else:
        figs = [plots.plot_nine_box(snap, r)]
    return [plots.figure_png(f, dpi=EXPLORER_DPI, tight=False) for f in figs]
