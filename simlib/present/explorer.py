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

Kept whole at about 420 lines: the controls, their layout and their callbacks read best
together; the lever logic and the session live in :mod:`simlib.present.levers` and
:mod:`simlib.present.explorer_session`.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from simlib.errors import ScenarioError
from simlib.i18n import LANGUAGES, N_, _, language, set_language
from simlib.present.explorer_session import (
    FIGURE_TABS,
    ExplorerSession,
    Outcome,
    error_html,
    figure_pngs,
    problem_lines,
    summary_html,
)
from simlib.present.levers import Lever, levers, shares_check

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
        self.language_box = w.Dropdown(
            options=[(name, code) for code, name in LANGUAGES.items()],
            value=language(),
            description="Language / 语言",
            style=style,
            layout=wide,
        )
        self.scenario_box = w.Dropdown(options=list(self.files), style=style, layout=wide)
        self.years_box = w.IntSlider(value=years, min=1, max=30, style=style, layout=wide)
        self.reps_box = w.IntSlider(value=reps, min=1, max=100, style=style, layout=wide)
        self.seed = seed
        self.seed_box = w.BoundedIntText(
            value=seed or 0, min=0, max=2**31 - 1, style=style, layout=wide
        )
        self.policies_box = w.SelectMultiple(
            style=style, layout=w.Layout(width="420px", height="90px")
        )
        self.edit_box = w.Dropdown(style=style, layout=wide)
        self.live_box = w.Checkbox(value=live)
        self.run_button = w.Button(button_style="primary", icon="play")
        self.run_button.add_class("simlib-run")
        self.reset_button = w.Button()
        self.status = w.HTML()
        self.status.add_class("simlib-message")
        self.levers_box = w.VBox()
        self.summary = w.HTML()
        self.summary.add_class("simlib-summary")
        self.tabs = w.Tab(children=[w.VBox() for _tab in FIGURE_TABS])
        self._relabel()
        self.language_box.observe(self._on_language, names="value")

        self.scenario_box.observe(self._on_scenario, names="value")
        self.edit_box.observe(self._on_edit_policy, names="value")
        for box in (self.years_box, self.reps_box, self.seed_box, self.policies_box):
            box.observe(self._on_change, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.run_button.on_click(lambda _b: self.run())
        self.reset_button.on_click(lambda _b: self._reset())

        general = w.VBox(
            [
                self.language_box,
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
            self.status.value = error_html([_("no scenario files found (scenarios/*.yaml)")])

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
            parent, _dot, key = lever.path.rpartition(".")
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
            self.status.value = "<i>" + _("Settings changed: press Run (a large run).") + "</i>"

    def _relabel(self) -> None:
        """Every fixed control's words in the language in force."""
        for widget, words in (
            (self.scenario_box, N_("Scenario")),
            (self.years_box, N_("Years")),
            (self.reps_box, N_("Replications")),
            (self.seed_box, N_("Seed")),
            (self.policies_box, N_("Policies")),
            (self.edit_box, N_("Adjust policy")),
            (self.live_box, N_("Live update (small runs)")),
            (self.run_button, N_("Run")),
            (self.reset_button, N_("Reset levers")),
        ):
            widget.description = _(words)
        for i, title in enumerate(FIGURE_TABS):
            self.tabs.set_title(i, _(title))

    def _on_language(self, change: dict) -> None:
        """The language selector: relabel the page, redraw the summary and charts."""
        set_language(change["new"])
        self._relabel()
        self._rendered.clear()
        if self.files:
            self._building = True
            try:
                self._build_levers()
            finally:
                self._building = False
        if self.outcome is not None:
            self.summary.value = summary_html(self.outcome)
            self._draw_tab(self.tabs.selected_index or 0)

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
        self.status.value = "<i>" + _("Running…") + "</i>"
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
                said = _("drawing {tab}: {error}").format(tab=_(tab), error=exc)
                self.status.value = error_html([said])
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
