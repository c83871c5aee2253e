"""The interactive explorer behind ``notebooks/explore.ipynb``: controls, cache, Run, figures.

The controls are read off the scenario schema, not hard-coded: every numeric, yes/no or
choice field of the policy being adjusted (rating, consequences, and whatever sections the
schema grows: calibration, pay matrix, check-ins ...) and of the behaviour assumptions (rater
biases ...) becomes a slider, checkbox or dropdown with the field's bounds and description.
A lever the schema does not have is simply not shown; one that lands later appears.

The logic is plain Python and testable without a browser: :func:`levers` lists the controls,
:class:`ExplorerSession` turns control values into a validated scenario and runs it through a
cache keyed by the scenario hash (which covers every parameter, replications and seed
included), so unchanged inputs redraw instantly. :class:`Explorer` is the thin ipywidgets
layer. Bad input shows as readable lines in the page, never as a traceback.
"""

from __future__ import annotations

import html
import math
import time
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from simlib.analysis.results import Results
from simlib.errors import ScenarioError
from simlib.scenario.definition import Scenario
from simlib.scenario.fields import FieldRecord, walk
from simlib.scenario.loading import load_scenario

SKIPPED_FIELDS = {"description", "scheme", "grades", "name"}
SLIDER_MAX_SPAN = 1_000.0  # wider numeric ranges get a number box, not a slider


@dataclass(frozen=True)
class Lever:
    """One control: where it writes in the scenario and what it allows.

    ``path`` is the dotted override path (``policies.curve.rating.shares.S``); ``kind`` is
    ``float``, ``int``, ``bool`` or ``choice``.
    """

    path: str
    label: str
    kind: str
    value: Any
    group: str
    low: float | None = None
    high: float | None = None
    options: tuple[Any, ...] = ()
    description: str = ""
    optional: bool = False  # None (switched off) is allowed, e.g. no merit budget of its own

    @property
    def step(self) -> float:
        if self.kind == "int":
            return 1
        if self.low is None or self.high is None:
            return 0.01
        span = self.high - self.low
        raw = span / 100.0
        power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 0.01
        return min((m * power for m in (1, 2, 5, 10) if m * power >= raw), default=power)

    @property
    def slider(self) -> bool:
        return (
            self.kind in ("float", "int")
            and self.low is not None
            and self.high is not None
            and self.high - self.low <= SLIDER_MAX_SPAN
        )


def _label(path: Sequence[str]) -> str:
    return " · ".join(p.replace("_", " ") for p in path)


def _lever(record: FieldRecord, group: str, label: str) -> Lever | None:
    """The control for one field or item, if it is a number, a yes/no or a choice."""
    value, path, doc = record.value, record.dotted, record.description
    if record.kind == "choice":
        return Lever(path, label, "choice", value, group, options=record.choices, description=doc)
    if record.kind == "bool" and isinstance(value, bool):
        return Lever(path, label, "bool", value, group, description=doc)
    if not record.numeric:
        return None
    low = None if record.low is None else float(record.low)
    high = None if record.high is None else float(record.high)
    numeric = Lever(path, label, record.kind, value, group, low, high, description=doc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return replace(numeric, optional=record.optional)
    if value is None and record.optional and low is not None and high is not None:
        return replace(numeric, optional=True)
    return None


def _walk(
    model: BaseModel, prefix: tuple[str, ...], group: str, label_from: int
) -> list[tuple[Lever, tuple[str, ...]]]:
    """Levers of every field below ``model`` with their paths; sections name the group.

    Items of lists and mappings become levers too (a pay matrix cell, a share of a forced
    curve); fields of models held in a list or mapping do not.
    """
    found: list[tuple[Lever, tuple[str, ...]]] = []
    skipped: list[tuple[str, ...]] = []
    for record in walk(model, prefix):
        if record.in_item or any(record.path[: len(s)] == s for s in skipped):
            continue
        if not record.entry and record.field in SKIPPED_FIELDS:
            skipped.append(record.path)
            continue
        owner = record.owner
        section = owner[label_from].replace("_", " ") if len(owner) > label_from else group
        lever = _lever(record, section, _label(record.path[label_from:]))
        if lever is not None:
            found.append((lever, record.path))
    return found


def levers(scenario: Scenario, policy: str) -> list[Lever]:
    """The controls for ``policy`` and for the behaviour assumptions, read off the schema.

    Policy fields come first, grouped by section (``rating``, ``consequences``, and any
    section the schema adds); then the assumptions of ``behaviour``, grouped the same way.
    Labels leave out the section, which the group title names.
    """
    found = []
    for lv, parts in _walk(scenario.policies[policy], ("policies", policy), "", 2):
        label = _label(parts[3:]) if len(parts) > 3 else _label(parts[2:])
        found.append(replace(lv, label=label, group=f"{policy}: {lv.group or 'policy'}"))
    for lv, parts in _walk(scenario.behaviour, ("behaviour",), "general", 1):
        label = _label(parts[1:]) if lv.group == "general" else _label(parts[2:])
        found.append(replace(lv, label=label, group=f"assumptions: {lv.group}"))
    return found


def shares_check(values: dict[str, float]) -> tuple[bool, str]:
    """Whether grade shares sum to 100%, and a line saying so."""
    total = 100.0 * math.fsum(values.values())
    ok = abs(total - 100.0) < 0.05
    mark = "✓" if ok else "✗"
    return ok, f"{mark} shares sum to {total:.1f}%" + ("" if ok else " — they must sum to 100%")


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
    how = "from cache" if outcome.cached else f"in {outcome.seconds:.1f} s"
    years = m["parameters"]["environment"]["years"]
    head = (
        f"<p><b>{html.escape(m['scenario_name'])}</b>: {m['reps']} replications × "
        f"{len(m['policies'])} policies × {years} years, seed {m['seed']} — answered {how}. "
        "Mean [95% CI] at the horizon; ★ best per row.</p>"
    )
    return head + executive_summary_html(outcome.results)


def error_html(lines: list[str]) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (
        "<div style='color:#b00020;border-left:4px solid #b00020;padding:.3em .8em'>"
        f"<b>Cannot run these settings:</b><ul style='margin:.2em 0'>{items}</ul></div>"
    )


def problem_lines(exc: BaseException) -> list[str]:
    """Readable lines for any failure (no traceback)."""
    if isinstance(exc, ScenarioError):
        return list(exc.messages)
    return [f"{type(exc).__name__}: {exc}"]


# --- figures ------------------------------------------------------------------------------

FIGURE_TABS = ("Over time", "Differences", "Grades & pay", "9-box")
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


# --- the widgets --------------------------------------------------------------------------


class _OptionalControl:
    """A lever that may be switched off (None): a checkbox, and its slider when ticked."""

    def __init__(self, explorer: Explorer, lever: Lever, value: Any) -> None:
        w = explorer.w
        start = value
        if start is None:  # switched off: the slider waits at a modest setting
            assert lever.low is not None  # every optional numeric field has a lower bound
            start = int(lever.low) if lever.kind == "int" else lever.low + 5 * lever.step
        self.enabled = w.Checkbox(
            value=value is not None,
            description=lever.label,
            indent=False,
            layout=w.Layout(width="230px"),
        )
        self.enabled.tooltip = lever.description or lever.path
        self.slider = explorer._plain_control(replace(lever, label="", optional=False), start)
        self.slider.layout = w.Layout(width="270px")
        self._show_slider()
        self.box = w.HBox([self.enabled, self.slider])

    def _show_slider(self) -> None:
        # Switched off, the slider is hidden: only the switch shows, ticked to set a value.
        self.slider.disabled = not self.enabled.value
        self.slider.layout.display = None if self.enabled.value else "none"

    @property
    def value(self) -> Any:
        return self.slider.value if self.enabled.value else None

    def observe(self, handler: Any, names: str = "value") -> None:
        def from_checkbox(_change: dict) -> None:
            self._show_slider()
            handler({"new": self.value})

        def from_slider(_change: dict) -> None:
            if self.enabled.value:
                handler({"new": self.value})

        self.enabled.observe(from_checkbox, names=names)
        self.slider.observe(from_slider, names=names)


def process_pool(jobs: int) -> Any:
    """A pool of ``jobs`` worker processes for the replications, or None for ``jobs <= 1``.

    Workers are spawned (never forked from a kernel with running threads) and ignore
    interrupts meant for the kernel; they end when the pool is shut down or the kernel exits.
    """
    if jobs <= 1:
        return None
    from simlib.experiments.executors import worker_pool

    return worker_pool(jobs, spawn=True)


def find_scenarios(folder: str | Path | None = None) -> list[Path]:
    """Shipped scenario files: ``scenarios/*.yaml`` found from the working folder upwards."""
    from simlib.storage.paths import locate

    where = Path(folder) if folder is not None else locate("scenarios")
    return sorted(p for p in where.glob("*.yaml") if p.is_file()) if where.is_dir() else []


class Explorer:
    """The explorer's page: controls on top, summary table, figure tabs.

    Parameters
    ----------
    scenario
        The scenario file to start with (default: ``baseline.yaml`` among the shipped ones).
    years, reps, seed
        Starting horizon (years), replications per policy and seed.
    live
        Re-run on every change when the run is small (about 2 s or less).
    jobs
        Worker processes for the replications (1: in this process). Two workers on two
        idle cores take about half the simulation time off each Run.
    """

    LIVE_LIMIT = 600_000  # headcount x years x reps x policies answered "live"

    def __init__(
        self,
        scenario: str | Path | None = None,
        years: int = 3,
        reps: int = 10,
        seed: int | None = None,
        live: bool = True,
        session: ExplorerSession | None = None,
        jobs: int = 1,
    ) -> None:
        import ipywidgets as w

        self.w = w
        if session is None:
            session = ExplorerSession(executor=process_pool(jobs))
        self.session = session
        files = find_scenarios()
        if scenario is not None:
            chosen = Path(scenario)
            files = [chosen] + [f for f in files if f.resolve() != chosen.resolve()]
        elif files:
            files.sort(key=lambda p: p.stem != "baseline")
        self.files = {p.stem: p for p in files}
        self.overrides: dict[str, Any] = {}
        self.outcome: Outcome | None = None
        self._building = False
        self._rendered: dict[tuple[str, str], list[bytes]] = {}

        style = {"description_width": "150px"}
        wide = w.Layout(width="420px")
        self.scenario_box = w.Dropdown(
            options=list(self.files), description="Scenario", style=style, layout=wide
        )
        self.years_box = w.IntSlider(
            value=years, min=1, max=30, description="Years", style=style, layout=wide
        )
        self.reps_box = w.IntSlider(
            value=reps, min=1, max=100, description="Replications", style=style, layout=wide
        )
        self.seed = seed
        self.seed_box = w.BoundedIntText(
            value=seed or 0, min=0, max=2**31 - 1, description="Seed", style=style, layout=wide
        )
        self.policies_box = w.SelectMultiple(
            description="Policies", style=style, layout=w.Layout(width="420px", height="90px")
        )
        self.edit_box = w.Dropdown(description="Adjust policy", style=style, layout=wide)
        self.live_box = w.Checkbox(value=live, description="Live update (small runs)")
        self.run_button = w.Button(description="Run", button_style="primary", icon="play")
        self.run_button.add_class("simlib-run")
        self.reset_button = w.Button(description="Reset levers")
        self.status = w.HTML()
        self.status.add_class("simlib-message")
        self.levers_box = w.VBox()
        self.summary = w.HTML()
        self.summary.add_class("simlib-summary")
        self.tabs = w.Tab(children=[w.VBox() for _ in FIGURE_TABS])
        for i, title in enumerate(FIGURE_TABS):
            self.tabs.set_title(i, title)

        self.scenario_box.observe(self._on_scenario, names="value")
        self.edit_box.observe(self._on_edit_policy, names="value")
        for box in (self.years_box, self.reps_box, self.seed_box, self.policies_box):
            box.observe(self._on_change, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.run_button.on_click(lambda _b: self.run())
        self.reset_button.on_click(lambda _b: self._reset())

        general = w.VBox(
            [
                self.scenario_box,
                self.policies_box,
                self.years_box,
                self.reps_box,
                self.seed_box,
                self.edit_box,
                w.HBox([self.run_button, self.reset_button, self.live_box]),
            ]
        )
        self.view = w.VBox(
            [w.HBox([general, self.levers_box]), self.status, self.summary, self.tabs]
        )
        self.view.add_class("simlib-explorer")
        if self.files:
            self._load_scenario(self.scenario_box.value)
        else:
            self.status.value = error_html(["no scenario files found (scenarios/*.yaml)"])

    # --- building controls ---------------------------------------------------------------

    def _load_scenario(self, stem: str) -> None:
        self._building = True
        try:
            self.overrides = {}
            try:
                base = self.session.base(self.files[stem])
            except ScenarioError as exc:
                self.status.value = error_html(problem_lines(exc))
                self.policies_box.options, self.edit_box.options = (), ()
                self.levers_box.children = ()
                return
            names = list(base.policies)
            if self.seed is None:
                self.seed_box.value = base.experiment.seed % 2**31
            self.policies_box.options = names
            self.policies_box.value = tuple(base.policy_names)
            treatment = [p for p in base.policy_names if p != base.baseline]
            self.edit_box.options = names
            self.edit_box.value = (treatment or names)[0]
            self._build_levers()
        finally:
            self._building = False

    def _build_levers(self) -> None:
        w = self.w
        scenario = self.session.base(self.files[self.scenario_box.value])
        policy = self.edit_box.value
        if policy is None:
            self.levers_box.children = ()
            return
        groups: dict[str, list] = {}
        share_widgets: dict[str, dict[str, Any]] = {}
        for lever in levers(scenario, policy):
            value = self.overrides.get(lever.path, lever.value)
            control = self._control(lever, value)
            control.observe(self._lever_changed(lever), names="value")
            groups.setdefault(lever.group, []).append(getattr(control, "box", control))
            parent, _, key = lever.path.rpartition(".")
            if parent.endswith(".shares"):
                share_widgets.setdefault(parent, {})[key] = control
        children, titles = [], []
        for group, controls in groups.items():
            rows = list(controls)
            for widgets in share_widgets.values():
                if widgets and next(iter(widgets.values())) in controls:
                    check = w.HTML()
                    check.add_class("simlib-shares-check")

                    def update(_change: Any = None, widgets=widgets, check=check) -> None:
                        ok, text = shares_check({k: v.value for k, v in widgets.items()})
                        colour = "#1b7f3b" if ok else "#b00020"
                        check.value = f"<span style='color:{colour}'><b>{text}</b></span>"

                    for control in widgets.values():
                        control.observe(update, names="value")
                    update()
                    rows.append(check)
            children.append(w.VBox(rows))
            titles.append(group)
        accordion = w.Accordion(children=children)
        for i, title in enumerate(titles):
            accordion.set_title(i, title)
        accordion.selected_index = 0 if children else None
        self.levers_box.children = (accordion,)

    def _control(self, lever: Lever, value: Any) -> Any:
        if lever.optional:
            return _OptionalControl(self, lever, value)
        return self._plain_control(lever, value)

    def _plain_control(self, lever: Lever, value: Any) -> Any:
        w = self.w
        style = {"description_width": "210px"}
        layout = w.Layout(width="500px")
        common = {
            "description": lever.label,
            "style": style,
            "layout": layout,
            "description_allow_html": False,
        }
        if lever.kind == "bool":
            control = w.Checkbox(value=bool(value), indent=False, **common)
        elif lever.kind == "choice":
            control = w.Dropdown(options=list(lever.options), value=value, **common)
        elif lever.slider and lever.kind == "int":
            assert lever.low is not None and lever.high is not None  # implied by lever.slider
            control = w.IntSlider(
                value=int(value),
                min=int(lever.low),
                max=int(lever.high),
                continuous_update=False,
                **common,
            )
        elif lever.slider:
            control = w.FloatSlider(
                value=float(value),
                min=lever.low,
                max=lever.high,
                step=lever.step,
                readout_format=".3g",
                continuous_update=False,
                **common,
            )
        elif lever.kind == "int":
            control = w.IntText(value=int(value), **common)
        else:
            control = w.FloatText(value=float(value), **common)
        control.tooltip = lever.description or lever.path
        return control

    def _lever_changed(self, lever: Lever):
        def changed(change: dict) -> None:
            if change["new"] == lever.value:
                self.overrides.pop(lever.path, None)
            else:
                self.overrides[lever.path] = change["new"]
            self._on_change(change)

        return changed

    # --- events ------------------------------------------------------------------------

    def _on_scenario(self, change: dict) -> None:
        self._load_scenario(change["new"])
        self._on_change(change)

    def _on_edit_policy(self, change: dict) -> None:
        if not self._building:
            self._build_levers()

    def _on_change(self, change: dict) -> None:
        if self._building or not self.live_box.value:
            return
        if self._work() <= self.LIVE_LIMIT:
            self.run()
        else:
            self.status.value = "<i>Settings changed: press Run (a large run).</i>"

    def _on_tab(self, change: dict) -> None:
        self._draw_tab(self.tabs.selected_index or 0)

    def _reset(self) -> None:
        self.overrides = {}
        self._building = True
        try:
            self._build_levers()
        finally:
            self._building = False
        self._on_change({})

    def _work(self) -> float:
        try:
            base = self.session.base(self.files[self.scenario_box.value])
        except ScenarioError:
            return 0
        return (
            base.organization.headcount
            * self.years_box.value
            * self.reps_box.value
            * max(1, len(self.policies_box.value))
        )

    # --- running and drawing -----------------------------------------------------------

    def inputs(self) -> dict[str, Any]:
        """The current control values, as :meth:`ExplorerSession.scenario` takes them."""
        return {
            "source": self.files[self.scenario_box.value],
            "overrides": dict(self.overrides),
            "policies": list(self.policies_box.value),
            "years": self.years_box.value,
            "reps": self.reps_box.value,
            "seed": self.seed_box.value,
        }

    def run(self) -> Outcome | None:
        """Validate the inputs, run (or reuse) the comparison and redraw; errors show inline."""
        self.status.value = "<i>Running…</i>"
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                scenario = self.session.scenario(**self.inputs())
                self.outcome = self.session.run(scenario)
        except Exception as exc:  # noqa: BLE001 - every failure becomes readable text
            self.status.value = error_html(problem_lines(exc))
            return None
        notes = sorted({str(c.message) for c in caught})
        self.status.value = (
            "<small>" + "<br>".join(html.escape(n) for n in notes) + "</small>" if notes else ""
        )
        self.summary.value = summary_html(self.outcome)
        self._draw_tab(self.tabs.selected_index or 0)
        return self.outcome

    def _draw_tab(self, index: int) -> None:
        if self.outcome is None:
            return
        tab = FIGURE_TABS[index]
        key = (self.outcome.scenario.hash, tab)
        if key not in self._rendered:
            try:
                self._rendered[key] = figure_pngs(tab, self.outcome)
            except Exception as exc:  # noqa: BLE001
                self.status.value = error_html([f"drawing {tab}: {exc}"])
                return
            while len(self._rendered) > 4 * self.session.cache_size:
                self._rendered.pop(next(iter(self._rendered)))
        images = []
        for png in self._rendered[key]:
            image = self.w.Image(value=png, format="png", layout=self.w.Layout(max_width="100%"))
            image.add_class("simlib-chart")
            images.append(image)
        box = self.tabs.children[index]
        for old in box.children:
            old.close()
        box.children = images
