"""What a pilot can see, unit by unit: observable outcomes per team or department per review.

A pilot compares units (teams or departments) running policy P with units running the
baseline B. Its data are each unit's observable outcomes (an engagement survey, quits from HR
records, the grades given) at each review; :func:`unit_outcomes` simulates one organization
under one policy and returns them, computed the way the catalogue computes the
organization's value, restricted to the unit.

Two ways to simulate the arms:

- **together** (:class:`MeasuredSimulation` with ``pilot=``): one organization in which the
  pilot units run P and the others B at the same time, sharing what the model shares
  (hiring queue and recruiters, applicants, market, committees); which sections of a policy
  may differ between the arms is said in :mod:`simlib.state.pilot_arms`.
- **apart**: each arm's units are read from a run of the whole organization under that
  arm's policy (same seed and replication: common random numbers). A pilot unit sees P as if
  everyone ran P: no spillovers between the arms (the no-interference estimate). Any two
  policies can be compared this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from simlib.engine.simulation import Simulation
from simlib.engine.turnover_anchor import anchor_quit_rate
from simlib.mechanisms import goals
from simlib.mechanisms.base import Hook
from simlib.mechanisms.registry import MECHANISMS
from simlib.metrics.catalogue import metric
from simlib.scenario.definition import Scenario
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.state.pilot_arms import PilotArms, combined_policy
from simlib.state.simulation_state import Review

UnitKind = Literal["team", "department"]

# The observable metrics measured per unit (others are refused with a message naming these).
PER_UNIT = (
    "engagement",
    "perceived_fairness",
    "voluntary_attrition",
    "involuntary_exits",
    "kpi_attainment",
)
GRADE_SHARE = "grade_share:"


def unit_labels(sim: Simulation, units: UnitKind) -> tuple[np.ndarray, int]:
    """Each position's unit index (-1 for a department's management team when units are
    teams: managers are not a working team a pilot would enrol) and the number of units."""
    chart = sim.workforce.chart
    if units == "department":
        return chart.department, len(chart.department_names)
    working = ~chart.team_is_management
    index = np.full(len(chart.team_is_management), -1, dtype=np.int64)
    index[working] = np.arange(int(working.sum()))
    return index[chart.team], int(working.sum())


def unit_count(scenario: Scenario, units: UnitKind) -> int:
    """How many units of that kind the organization has."""
    from simlib.state.workforce import OrgChart

    chart = OrgChart.build(scenario.organization)
    if units == "department":
        return len(chart.department_names)
    return int((~chart.team_is_management).sum())


def check_pilot_metric(name: str) -> str | None:
    """Why a pilot cannot measure ``name`` (one line), or None if it can."""
    found = metric(name)
    if found is None:
        return f"--metrics: {name!r} is not a metric"
    if not found.observable:
        return (
            f"--metrics: {name!r} is latent (only the model knows it); a pilot can measure "
            f"observable outcomes such as {', '.join(PER_UNIT)} or grade_share:<grade>"
        )
    if name not in PER_UNIT and not name.startswith(GRADE_SHARE):
        return (
            f"--metrics: {name!r} is observable but not measured per unit (manager hours, "
            "payroll and costs are kept for the organization only); "
            f"one of {', '.join(PER_UNIT)} or grade_share:<grade>"
        )
    return None


class MeasuredSimulation(Simulation):
    """A simulation that also keeps each unit's observable outcomes at every review."""

    def __init__(
        self,
        scenario: Scenario,
        policy: str,
        seed: int,
        rep: int,
        *,
        units: UnitKind,
        metrics: tuple[str, ...],
        neutral_quit_rate: float,
        pilot: tuple[str, np.ndarray] | None = None,
    ) -> None:
        super().__init__(scenario, policy, seed, rep, neutral_quit_rate=neutral_quit_rate)
        self.turnover.departures = []
        self.unit_of, self.n_units = unit_labels(self, units)
        if pilot is not None:  # ``policy`` is the baseline B; these units run P
            name, chosen = pilot
            treated, control = scenario.policies[name], self.policy
            in_pilot = np.isin(self.unit_of, chosen) & (self.unit_of >= 0)
            self.pilot_arms = PilotArms.build(in_pilot, treated, control)
            self.policy = combined_policy(treated, control)
        self.metrics = metrics
        self.rows: list[np.ndarray] = []  # per review: metrics x units
        self.departures_at_last_review = 0
        self._last_review = 0.0
        self._attainment = np.full(self.n_units, np.nan)

    def _run_steps(self, hook: Hook, *args: object) -> None:
        super()._run_steps(hook, *args)
        if hook == "after_review" and "kpi_attainment" in self.metrics:
            review = args[0]
            assert isinstance(review, Review)
            self._attainment = self._kpi_attainment(review)

    def _kpi_attainment(self, review: Review) -> np.ndarray:
        """Each unit's mean OKR-style grade of the cycle just reviewed, read as the goals
        mechanism reads the organization's (before the next cycle's targets are set)."""
        unit, n = self.unit_of, self.n_units
        if self.policy.goals.regime == "none" or review.luck is None:
            return np.full(n, np.nan)
        rated = review.rated
        attained = goals.attainment(self, rated, review.luck[rated])
        on = (unit[rated] >= 0) & np.isfinite(attained)
        total = np.bincount(unit[rated[on]], weights=attained[on], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / np.bincount(unit[rated[on]], minlength=n)

    def record_review(self, review: Review) -> None:
        super().record_review(review)
        self.rows.append(np.stack([self._per_unit(name, review) for name in self.metrics]))
        self.departures_at_last_review = len(self.turnover.departures or [])
        self._last_review = self.now

    def _per_unit(self, name: str, review: Review) -> np.ndarray:
        wf = self.workforce
        unit, n = self.unit_of, self.n_units
        keep = unit >= 0
        if name in ("engagement", "perceived_fairness"):
            values = wf.engagement if name == "engagement" else wf.fairness_belief
            on = keep & wf.active
            total = np.bincount(unit[on], weights=values[on], minlength=n)
            people = np.bincount(unit[on], minlength=n)
            with np.errstate(invalid="ignore", divide="ignore"):
                return total / people
        if name in ("voluntary_attrition", "involuntary_exits"):
            voluntary = name == "voluntary_attrition"
            left = np.zeros(n)
            for d in (self.turnover.departures or [])[self.departures_at_last_review :]:
                if d.voluntary == voluntary:
                    rows = d.rows[keep[d.rows]]
                    left += np.bincount(unit[rows], minlength=n)
            # Yearly share of the unit's positions (the positions stand for the mean headcount).
            positions = np.bincount(unit[keep], minlength=n)
            years = (self.now - self._last_review) / WEEKS_PER_YEAR
            return left / positions / years
        if name == "kpi_attainment":
            return self._attainment
        grades = list(self.policy.rating.grades)
        if name.removeprefix(GRADE_SHARE) not in grades:
            return np.full(n, np.nan)  # not a grade of this policy's scale
        grade = grades.index(name.removeprefix(GRADE_SHARE))
        rated = review.rated[keep[review.rated]]
        given = review.grades[rated] == grade
        counted = np.bincount(unit[rated], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.bincount(unit[rated], weights=given, minlength=n) / counted


@dataclass(frozen=True)
class UnitOutcomes:
    """One organization's observable outcomes per unit: ``values[review, metric, unit]``."""

    metrics: tuple[str, ...]
    values: np.ndarray


def unit_outcomes(
    scenario: Scenario,
    policy: str,
    seed: int,
    rep: int,
    units: UnitKind,
    metrics: tuple[str, ...],
    neutral_quit_rate: float | None = None,
    pilot: tuple[str, np.ndarray] | None = None,
) -> UnitOutcomes:
    """Simulate the whole organization under ``policy`` and measure every unit at each review.

    ``neutral_quit_rate`` is the scenario's anchored quit intercept (solved here if not given;
    pass it to share one across runs). With ``pilot`` (P's name and the pilot units), the
    units named run P while the others run ``policy``, together in one organization.
    """
    if neutral_quit_rate is None:
        neutral_quit_rate = anchor_quit_rate(scenario, MECHANISMS, Simulation)
    sim = MeasuredSimulation(
        scenario,
        policy,
        seed,
        rep,
        units=units,
        metrics=metrics,
        neutral_quit_rate=neutral_quit_rate,
        pilot=pilot,
    )
    sim.run_calendar()
    return UnitOutcomes(metrics, np.stack(sim.rows))
