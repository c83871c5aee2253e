"""The explorer's "Pilot" tab: how many units and cycles a pilot of one policy needs, for one
metric at a time.

:func:`pilot_answer` is the plain logic (a scenario in, the power curve and the advice out),
testable without widgets; :class:`PilotTab` lays it out with a few controls. The pilot runs
the explorer's scenario as it stands (levers moved, years, seed), with its replications.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from simlib.analysis.pilot import Arms, recommendation, run_pilot
from simlib.experiments.pilot import GRADE_SHARE, PER_UNIT, UnitKind, unit_count
from simlib.i18n import N_, _
from simlib.present import wording
from simlib.present.pilot_page import pilot_heading, png_bytes, power_figure
from simlib.scenario.definition import Scenario
from simlib.state.pilot_arms import unmixed_sections

UNIT_WORDS = {"team": N_("team"), "department": N_("department")}
SIZES = (3, 5, 10, 20, 40)  # pilot units tried, kept to those the organization can hold
MAX_CYCLES = 3


@dataclass(frozen=True)
class PilotAnswer:
    """One pilot design study: the table, its power curve (PNG) and the advice in words."""

    table: pd.DataFrame
    png: bytes
    advice: str
    arms: str


def pilot_metrics(scenario: Scenario, policy: str, baseline: str) -> list[str]:
    """The metrics a pilot of ``policy`` against ``baseline`` can measure per unit."""
    grades = [
        g
        for g in scenario.policies[baseline].rating.grades
        if g in scenario.policies[policy].rating.grades
    ]
    return list(PER_UNIT) + [GRADE_SHARE + g for g in grades]


def pilot_answer(
    scenario: Scenario,
    policy: str,
    baseline: str,
    metric: str,
    units: str = "team",
    reps: int | None = None,
) -> PilotAnswer:
    """Simulate pilots of ``policy`` against ``baseline`` on ``metric``.

    The arms run together in one organization when the two policies can be mixed, else
    apart (whole-organization runs, said in the advice). Sizes and cycles are those the
    scenario can hold (at most :data:`MAX_CYCLES` reviews).
    """
    kind: UnitKind = "department" if units == "department" else "team"
    available = unit_count(scenario, kind)
    sizes = [n for n in SIZES if n <= available - 2] or [max(1, available - 2)]
    env = scenario.environment
    cycles = list(range(1, min(MAX_CYCLES, env.weeks // env.weeks_per_cycle) + 1))
    mixed = not unmixed_sections(scenario.policies[policy], scenario.policies[baseline])
    arms: Arms = "together" if mixed else "apart"
    table = run_pilot(
        scenario,
        policy,
        baseline,
        [metric],
        units=kind,
        cycles=cycles,
        sizes=sizes,
        reps=reps or scenario.experiment.reps,
        assignments=100,
        arms=arms,
    )
    title = pilot_heading(policy, baseline, kind, arms)
    advice = recommendation(table)
    if not mixed:
        advice += _(
            " The two policies differ in a part one organization cannot yet run two ways, so "
            "each arm was simulated as a whole organization (no spillovers)."
        )
    return PilotAnswer(table, png_bytes(power_figure(table, title)), advice, arms)


class PilotTab:
    """The Pilot tab's controls and output.

    Parameters
    ----------
    widgets
        The ``ipywidgets`` module.
    current
        Returns the explorer's scenario as it stands (raises ScenarioError when invalid).
    """

    def __init__(self, widgets: Any, current: Callable[[], Scenario]) -> None:
        w = self.w = widgets
        self.current = current
        style = {"description_width": "110px"}
        self.policy_box = w.Dropdown(style=style)
        self.baseline_box = w.Dropdown(style=style)
        self.metric_box = w.Dropdown(style=style)
        self.units_box = w.ToggleButtons()
        self.button = w.Button(button_style="primary")
        self.relabel()
        self.advice = w.HTML()
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.button.on_click(lambda _b: self.run())
        for box in (self.policy_box, self.baseline_box):
            box.observe(lambda _c: self._metrics(), names="value")
        self.view = w.VBox(
            [
                w.HBox([self.policy_box, self.baseline_box]),
                w.HBox([self.metric_box, self.units_box]),
                self.button,
                self.advice,
                self.image,
            ]
        )
        self.scenario: Scenario | None = None

    def relabel(self) -> None:
        """The controls' words in the language in force (the metric and unit choices too)."""
        for widget, words in (
            (self.policy_box, N_("Pilot policy")),
            (self.baseline_box, N_("Others keep")),
            (self.metric_box, N_("Metric")),
            (self.units_box, N_("Units")),
            (self.button, N_("Simulate pilots")),
        ):
            widget.description = _(words)
        unit = self.units_box.value or "team"
        self.units_box.options = [(_(UNIT_WORDS[k]), k) for k in UNIT_WORDS]
        self.units_box.value = unit
        metric = self.metric_box.value
        names = [name for _label, name in self.metric_box.options]
        self.metric_box.options = [(wording.label(name), name) for name in names]
        if metric in names:
            self.metric_box.value = metric

    def show(self) -> None:
        """Fill the choices from the explorer's scenario (when the tab is opened)."""
        try:
            scenario = self.current()
        except Exception as exc:  # noqa: BLE001 - shown in the tab
            self.advice.value = f"<span class='simlib-error'>{html.escape(str(exc))}</span>"
            return
        self.scenario = scenario
        names = list(scenario.policy_names)
        if list(self.policy_box.options) != names:  # a new scenario: fresh choices
            self.baseline_box.options = names
            self.baseline_box.value = scenario.baseline
            self.policy_box.options = names
            self.policy_box.value = next((n for n in names if n != scenario.baseline), names[0])
        self._metrics()

    def _metrics(self) -> None:
        s = self.scenario
        if s is None or self.policy_box.value is None or self.baseline_box.value is None:
            return
        keep = self.metric_box.value
        names = pilot_metrics(s, self.policy_box.value, self.baseline_box.value)
        self.metric_box.options = [(wording.label(name), name) for name in names]
        if keep in names:
            self.metric_box.value = keep

    def run(self) -> PilotAnswer | None:
        """Simulate the pilots and show the power curve and the advice (errors inline)."""
        self.show()
        if self.scenario is None:
            return None
        self.advice.value = "<i>" + html.escape(_("Simulating pilots…")) + "</i>"
        try:
            answer = pilot_answer(
                self.scenario,
                self.policy_box.value,
                self.baseline_box.value,
                self.metric_box.value,
                self.units_box.value,
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes readable text
            self.advice.value = f"<span class='simlib-error'>{html.escape(str(exc))}</span>"
            return None
        self.advice.value = f"<p>{html.escape(answer.advice)}</p>"
        self.image.value = answer.png
        return answer
