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

The page opens any scenario file (a file field, or ``simlib present --scenario FILE``,
which passes it in :data:`SCENARIO_ENV`), saves the tuned settings as a scenario file of
their own (:mod:`simlib.present.explorer_save`), keeps a curve's grade shares at 100% as one
is moved (each grade can be locked) and lists the policy's own levers first, the behavioural
assumptions folded below them, with a search box over all.

Kept whole at about 600 lines: the controls, their layout and their callbacks read best
together; the lever logic, the session and saving live in :mod:`simlib.present.levers`,
:mod:`simlib.present.explorer_session` and :mod:`simlib.present.explorer_save`.
"""

from __future__ import annotations

import html
import os
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from simlib.errors import ScenarioError
from simlib.i18n import LANGUAGES, N_, gettext, language, set_language
from simlib.i18n.fonts import page_font_style
from simlib.present.explorer_pilot import PilotTab
from simlib.present.explorer_save import CHANGED, save_scenario
from simlib.present.explorer_session import (
    FIGURE_TABS,
    ExplorerSession,
    Outcome,
    error_html,
    figure_pngs,
    problem_lines,
    summary_html,
)
from simlib.present.levers import (
    ASSUMPTIONS,
    Lever,
    choice_label,
    group_title,
    levers,
    matching,
    rebalance,
    shares_check,
)
from simlib.present.voila import SCENARIO_ENV  # the file ``simlib present --scenario`` opens

# --- what the page says (plain literals, kept together; translated where shown) -------------

FILE_LABEL = N_("Scenario file")
FILE_PLACEHOLDER = N_("path/to/your-scenario.yaml")
OPEN_LABEL = N_("Open")
SAVE_LABEL = N_("Save as")
SAVE_BUTTON = N_("Save as scenario")
SEARCH_PLACEHOLDER = N_("Search levers by name (e.g. quit rate)")
ASSUMPTIONS_TITLE = N_("Assumptions: how people and raters behave (sources in each tooltip)")
TITLE = N_("Policy explorer")
INTRO = N_(
    "Pick a scenario and the policies to compare, move the levers of the policy you are "
    "adjusting (forced-distribution shares, ranking unit, calibration, pay, check-ins, "
    "consequences) or the behaviour assumptions (rater biases, quit sensitivity ...), and press "
    "<b>Run</b>. Small runs redraw as you move a control; settings you have run before answer "
    "from a cache. Settings that cannot work are explained in red above the table."
)
LOCK_LABEL = N_("lock")
LOCK_TOOLTIP = N_("Lock this grade's share: moving another grade leaves it as it is")
NO_MATCH = N_("No lever matches “{query}”.")
MATCHES = N_("{count} lever(s) match “{query}”.")
OPENED = N_("Opened {path}.")
CANNOT_OPEN = N_("Cannot open {path} (the page keeps what it had):")
SAVED = N_("Saved {path}: {count} change(s) from {source}; simlib check and simlib batch take it.")
CANNOT_SAVE = N_("Cannot save {path} (nothing was written):")
NO_SCENARIOS = N_("no scenario files found (scenarios/*.yaml); open one with the file field")
LARGE_RUN = N_("<i>Settings changed: press Run (a large run).</i>")
# Room for a readout such as "0.0525" or "1.2e+03" next to every slider, at any page width;
# a long lever name wraps onto a second line rather than being cut.
PAGE_CSS = (
    "<style>.simlib-explorer .widget-readout{min-width:4.5em;overflow:visible}"
    ".simlib-explorer .widget-label{white-space:normal;line-height:1.05;overflow-wrap:anywhere}"
    "</style>"
)

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
            layout=w.Layout(width="auto", min_width="200px"),
        )
        self.enabled.tooltip = lever.tooltip
        self.slider = explorer._plain_control(replace(lever, label="", optional=False), start)
        self.slider.layout = w.Layout(width="250px")
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
        if scenario is None and os.environ.get(SCENARIO_ENV):
            scenario = os.environ[SCENARIO_ENV]
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
        self._quiet = False  # True while the page itself moves controls (share rebalancing)
        self._rows: list[tuple[Lever, Any]] = []
        self._accordions: tuple[Any, ...] = ()

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
        self.file_box = w.Text(style=style, layout=w.Layout(width="340px"))
        self.file_box.add_class("simlib-file")
        self.open_button = w.Button(layout=w.Layout(width="76px"))
        self.open_button.add_class("simlib-open")
        self.save_box = w.Text(style=style, layout=w.Layout(width="340px"))
        self.save_box.add_class("simlib-save-path")
        self.save_button = w.Button(layout=w.Layout(width="150px"))
        self.save_button.add_class("simlib-save")
        self.file_note = w.HTML()
        self.file_note.add_class("simlib-file-message")
        self.search_box = w.Text(continuous_update=True, layout=w.Layout(width="460px"))
        self.search_box.add_class("simlib-search")
        self.live_box = w.Checkbox(value=live)
        self.run_button = w.Button(button_style="primary", icon="play")
        self.run_button.add_class("simlib-run")
        self.reset_button = w.Button()
        self.status = w.HTML()
        self.status.add_class("simlib-message")
        self.levers_box = w.VBox()
        self.intro = w.HTML()
        self.intro.add_class("simlib-intro")
        self.summary = w.HTML()
        self.summary.add_class("simlib-summary")
        self.tabs = w.Tab(children=[w.VBox() for _ in FIGURE_TABS])
        self.pilot = PilotTab(w, lambda: self.session.scenario(**self.inputs()))
        self.tabs.children = (*self.tabs.children, self.pilot.view)
        self._relabel()
        self.language_box.observe(self._on_language, names="value")

        self.scenario_box.observe(self._on_scenario, names="value")
        self.edit_box.observe(self._on_edit_policy, names="value")
        for box in (self.years_box, self.reps_box, self.seed_box, self.policies_box):
            box.observe(self._on_change, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.run_button.on_click(lambda _b: self.run())
        self.reset_button.on_click(lambda _b: self._reset())
        self.open_button.on_click(lambda _b: self.open_file(self.file_box.value))
        self.save_button.on_click(lambda _b: self.save(self.save_box.value))
        self.search_box.observe(lambda _c: self._show_levers(), names="value")

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
                w.HBox([self.file_box, self.open_button]),
                w.HBox([self.save_box, self.save_button]),
                self.file_note,
            ]
        )
        self.lever_panel = w.VBox([self.search_box, self.levers_box])
        # Side by side where the page is wide enough, the levers below the settings where not.
        top = w.HBox([general, self.lever_panel], layout=w.Layout(flex_flow="row wrap"))
        # Chinese glyphs travel with the page: a browser without CJK fonts shows no boxes.
        self.font_style = w.HTML(page_font_style(language(), ".simlib-explorer"))
        self.view = w.VBox(
            [
                w.HTML(PAGE_CSS),
                self.font_style,
                self.intro,
                top,
                self.status,
                self.summary,
                self.tabs,
            ]
        )
        self.view.add_class("simlib-explorer")
        if self.files:
            self._load_scenario(self.scenario_box.value)
        else:
            self.status.value = error_html([gettext(NO_SCENARIOS)])

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
            self.save_box.value = str(self._save_default(self.files[stem]))
        finally:
            self._building = False

    def _save_default(self, source: Path) -> Path:
        """Where "Save as" writes unless told otherwise: beside a file of the user's own,
        else in the working folder (never among the shipped scenarios)."""
        shipped = {p.resolve() for p in find_scenarios()}
        folder = Path.cwd() if source.resolve() in shipped else source.parent
        return folder / f"{source.stem}-tuned.yaml"

    def _build_levers(self) -> None:
        w = self.w
        scenario = self.session.base(self.files[self.scenario_box.value])
        policy = self.edit_box.value
        if policy is None:
            self.levers_box.children = ()
            self._rows, self._accordions = [], ()
            return
        groups: dict[str, list] = {}
        shares: dict[str, dict[str, tuple[Lever, Any, Any]]] = {}
        self._rows = []
        for lever in levers(scenario, policy):
            value = self.overrides.get(lever.path, lever.value)
            control = self._control(lever, value)
            parent, _, key = lever.path.rpartition(".")
            if parent.endswith(".shares") and lever.slider:
                lock = w.Checkbox(
                    value=False,
                    description=gettext(LOCK_LABEL),
                    indent=False,
                    layout=w.Layout(width="64px"),
                )
                lock.tooltip = gettext(LOCK_TOOLTIP)
                lock.add_class("simlib-share-lock")
                shares.setdefault(parent, {})[key] = (lever, control, lock)
                row = w.HBox([control, lock])
            else:
                control.observe(self._lever_changed(lever), names="value")
                row = getattr(control, "box", control)
            groups.setdefault(lever.group, []).append(row)
            self._rows.append((lever, row))
        for members in shares.values():
            check = w.HTML()
            check.add_class("simlib-shares-check")
            group = next(iter(members.values()))[0].group
            groups[group].insert(len(members), check)
            self._watch_shares(members, check)
        assumed = [g for g in groups if g.startswith(f"{ASSUMPTIONS}:")]
        policy_groups = [g for g in groups if g not in assumed]
        policy_panel = self._accordion(
            [(group_title(g), groups[g]) for g in policy_groups], open_first=True
        )
        inner = self._accordion([(group_title(g), groups[g]) for g in assumed])
        folded = self._accordion([(gettext(ASSUMPTIONS_TITLE), [inner])])
        folded.add_class("simlib-assumptions")
        self._accordions = (policy_panel, folded)
        self._show_levers()

    def _accordion(self, sections: list[tuple[str, list]], open_first: bool = False) -> Any:
        w = self.w
        accordion = w.Accordion(children=[w.VBox(rows) for _, rows in sections])
        for i, (title, _) in enumerate(sections):
            accordion.set_title(i, title)
        accordion.selected_index = 0 if open_first and sections else None
        return accordion

    def _show_levers(self) -> None:
        """The policy's levers and the folded assumptions, or the levers the search finds."""
        query = self.search_box.value.strip()
        if not query:
            self.levers_box.children = self._accordions
            return
        found = {lv.path for lv in matching([lv for lv, _ in self._rows], query)}
        rows = [row for lv, row in self._rows if lv.path in found]
        text = gettext(MATCHES if rows else NO_MATCH)
        note = self.w.HTML(f"<i>{html.escape(text.format(count=len(rows), query=query))}</i>")
        note.add_class("simlib-search-result")
        self.levers_box.children = (self.w.VBox([note, *rows]),)

    def _watch_shares(self, members: dict[str, tuple[Lever, Any, Any]], check: Any) -> None:
        """Moving one grade's share rescales the other unlocked grades to keep 100%.

        The check line is redrawn first and the page then re-runs once for the whole move,
        not once per rescaled grade.
        """

        def show_check() -> None:
            ok, text = shares_check({k: c.value for k, (_, c, _) in members.items()})
            colour = "#1b7f3b" if ok else "#b00020"
            check.value = f"<span style='color:{colour}'><b>{html.escape(text)}</b></span>"

        def moved(change: dict, key: str) -> None:
            if self._quiet:
                return
            current = {k: c.value for k, (_, c, _) in members.items()}
            current[key] = change["old"]
            locked = frozenset(k for k, (_, _, lock) in members.items() if lock.value)
            balanced = rebalance(current, key, change["new"], locked)
            self._quiet = True
            try:
                for k, (lever, control, _) in members.items():
                    if control.value != balanced[k]:
                        control.value = balanced[k]
                    if abs(balanced[k] - lever.value) < 1e-12:
                        self.overrides.pop(lever.path, None)
                    else:
                        self.overrides[lever.path] = balanced[k]
            finally:
                self._quiet = False
            show_check()
            self._on_change(change)

        for key, (_, control, _) in members.items():
            control.observe(lambda change, key=key: moved(change, key), names="value")
        show_check()

    def _control(self, lever: Lever, value: Any) -> Any:
        if lever.optional:
            return _OptionalControl(self, lever, value)
        return self._plain_control(lever, value)

    def _plain_control(self, lever: Lever, value: Any) -> Any:
        w = self.w
        style = {"description_width": "170px"}
        layout = w.Layout(width="440px" if ".shares." in lever.path else "460px")
        common = {
            "description": lever.label,
            "style": style,
            "layout": layout,
            "description_allow_html": False,
        }
        if lever.kind == "bool":
            control = w.Checkbox(value=bool(value), indent=False, **common)
        elif lever.kind == "choice":
            shown = [(choice_label(option), option) for option in lever.options]
            control = w.Dropdown(options=shown, value=value, **common)
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
        control.tooltip = lever.tooltip
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
        if self._building:
            return
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
            self.status.value = gettext(LARGE_RUN)

    def _relabel(self) -> None:
        """Every fixed control's words in the language in force."""
        for widget, words in (
            (self.scenario_box, N_("Scenario")),
            (self.years_box, N_("Years")),
            (self.reps_box, N_("Replications")),
            (self.seed_box, N_("Seed")),
            (self.policies_box, N_("Policies")),
            (self.edit_box, N_("Adjust policy")),
            (self.file_box, FILE_LABEL),
            (self.open_button, OPEN_LABEL),
            (self.save_box, SAVE_LABEL),
            (self.save_button, SAVE_BUTTON),
            (self.live_box, N_("Live update (small runs)")),
            (self.run_button, N_("Run")),
            (self.reset_button, N_("Reset levers")),
        ):
            widget.description = gettext(words)
        self.intro.value = f"<h1>{html.escape(gettext(TITLE))}</h1><p>{gettext(INTRO)}</p>"
        self.file_box.placeholder = gettext(FILE_PLACEHOLDER)
        self.search_box.placeholder = gettext(SEARCH_PLACEHOLDER)
        for i, title in enumerate(FIGURE_TABS):
            self.tabs.set_title(i, gettext(title))
        self.tabs.set_title(len(FIGURE_TABS), gettext("Pilot"))
        self.pilot.relabel()

    def _on_language(self, change: dict) -> None:
        """The language selector: relabel the page, redraw the summary and charts."""
        set_language(change["new"])
        self.font_style.value = page_font_style(language(), ".simlib-explorer")
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
        if (self.tabs.selected_index or 0) == len(FIGURE_TABS):
            return self.pilot.show()
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

    # --- opening and saving scenario files ------------------------------------------------

    def open_file(self, path: str | Path) -> bool:
        """Open a scenario file from anywhere; on a bad file say why and keep the page as is."""
        chosen = Path(str(path).strip()).expanduser()
        try:
            if not str(path).strip():
                raise ScenarioError(gettext("give the path of a scenario file (.yaml)"))
            self.session.base(chosen)
        except Exception as exc:  # noqa: BLE001 - every failure becomes readable text
            self._file_message(False, gettext(CANNOT_OPEN).format(path=chosen), problem_lines(exc))
            return False
        key = chosen.stem
        known = self.files.get(key)
        if known is not None and known.resolve() != chosen.resolve():
            key = str(chosen)
        self.files[key] = chosen
        self._building = True
        try:
            self.scenario_box.options = list(self.files)
            self.scenario_box.value = key
        finally:
            self._building = False
        self._load_scenario(key)
        self._file_message(True, gettext(OPENED).format(path=chosen.resolve()))
        self._on_change({})
        return True

    def save(self, path: str | Path) -> Path | None:
        """Write the current settings as a scenario file (only the changes, each commented)."""
        target = Path(str(path).strip()).expanduser()
        inputs = self.inputs()
        source = inputs["source"]
        try:
            base = self.session.base(source)
            policies = inputs["policies"]
            changes = dict(inputs["overrides"])
            settings = {
                "environment.years": inputs["years"],
                "experiment.reps": inputs["reps"],
                "experiment.seed": inputs["seed"],
            }
            if policies != list(base.policy_names):
                settings["experiment.policies"] = policies
            changes.update(settings)
            written = save_scenario(source, changes, target)
        except Exception as exc:  # noqa: BLE001
            self._file_message(False, gettext(CANNOT_SAVE).format(path=target), problem_lines(exc))
            return None
        count = written.read_text(encoding="utf-8").count(CHANGED.split("{")[0])
        self._file_message(
            True, gettext(SAVED).format(path=written, count=count, source=source.name)
        )
        return written

    def _file_message(self, ok: bool, head: str, lines: list[str] | None = None) -> None:
        colour = "#1b7f3b" if ok else "#b00020"
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines or [])
        listed = f"<ul style='margin:.2em 0'>{items}</ul>" if items else ""
        self.file_note.value = (
            f"<div style='color:{colour};max-width:420px;overflow-wrap:anywhere'>"
            f"{html.escape(head)}{listed}</div>"
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
        self.status.value = "<i>" + gettext("Running…") + "</i>"
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
        if self.outcome is None or index >= len(FIGURE_TABS):
            return
        tab = FIGURE_TABS[index]
        key = (self.outcome.scenario.hash, tab)
        if key not in self._rendered:
            try:
                self._rendered[key] = figure_pngs(tab, self.outcome)
            except Exception as exc:  # noqa: BLE001
                said = gettext("drawing {tab}: {error}").format(tab=gettext(tab), error=exc)
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
