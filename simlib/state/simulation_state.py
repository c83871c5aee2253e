"""The state of one simulation: what every mechanism reads and writes, each field declared.

Mechanisms receive a :class:`SimState` and never import the engine that drives them. State a
mechanism keeps between events is a declared field here (the raters' memory, the appeal
panels, the workforce's beliefs about the policy), and what mechanisms count is a typed
:class:`~simlib.state.counts.Counts`, not a dictionary of strings.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from simlib.errors import ScenarioError
from simlib.scenario.definition import Scenario
from simlib.scenario.policy import Policy
from simlib.state.candidates import CandidatePool
from simlib.state.compiled import KERNELS, compiled_for
from simlib.state.counts import Counts
from simlib.state.pay_bands import Pay
from simlib.state.pilot_arms import PilotArms
from simlib.state.raters import RaterPanel
from simlib.state.requisitions import Requisitions
from simlib.state.streams import Streams
from simlib.state.turnover import Turnover
from simlib.state.workforce import OrgChart, Workforce

MarketListener = Callable[[float, float], None]  # old and new market level


def _no_grades() -> np.ndarray:
    return np.zeros(0)


@dataclass
class GradedCohort:
    """The people one review graded, kept to learn what their grades brought them."""

    week: float  # when they were graded
    rows: np.ndarray  # their positions
    grades: np.ndarray  # grade index each got, 0 = best
    exited: np.ndarray  # made to leave at that review (bool)


@dataclass
class Beliefs:
    """What the workforce believes each grade brings (shared by all employees).

    Arrays run over the policy's grades, best first. They start from the announced terms
    and are learned from what each review actually brought (see
    :mod:`simlib.mechanisms.expectations`).
    """

    raise_by_grade: np.ndarray = field(default_factory=_no_grades)  # merit raise, share a year
    bonus_by_grade: np.ndarray = field(default_factory=_no_grades)  # share of salary a year
    exit_by_grade: np.ndarray = field(default_factory=_no_grades)  # chance of being let go
    promotion_by_grade: np.ndarray = field(default_factory=_no_grades)  # chance of promotion
    promotion_gain: float = 0.0  # pay rise a promotion brings (share of salary)
    link: np.ndarray = field(default_factory=_no_grades)  # chance of each grade per SD
    separation_rate: float = 0.0  # yearly share of people leaving (how long a raise lasts)
    stake: float = 0.0  # % of yearly salary per SD of performance
    announced_stake: float = 0.0  # the stake the announced terms promised
    graded: GradedCohort | None = None  # the last review's graded, until the next review
    salary_after_pay: np.ndarray | None = None  # salaries between pay review and promotion


@dataclass
class AppealPanels:
    """The panels hearing rating appeals: how many there are, how many are hearing a case,
    and the appeals waiting for one, first come first served (the appeals mechanism's
    queue; each entry is that mechanism's record of a case)."""

    capacity: int
    hearing: int = 0
    waiting: deque[Any] = field(default_factory=deque)


@dataclass
class CycleTotals:
    """Integrals over the current review cycle, for the cycle's metrics."""

    started: float = 0.0  # week the cycle began
    perf_sum: float = 0.0  # performance x weeks of everyone who worked (SD x weeks)
    fte_weeks: float = 0.0  # weeks worked, summed over people
    value_sum: float = 0.0  # business value x weeks (index, 1 = average full-speed hire)


@dataclass
class CycleResults:
    """Facts of the last review that only a mechanism can compute, for the metrics."""

    kpi_attainment: float | None = None  # mean OKR-style grade 0-1 of the rated
    pay_performance_corr: float | None = None  # raise vs true performance


@dataclass
class Review:
    """One review as the mechanisms that act on it see it (arrays over all positions).

    The engine fills the rating part; mechanisms that act after it add what they decide
    (raises, promotions, appeals) for the ones after them and for the metrics.
    """

    rated: np.ndarray  # rows rated this cycle
    true_performance: np.ndarray  # true cycle performance (SD units)
    scores: np.ndarray  # final rating scores, after calibration
    grades: np.ndarray  # grade index, 0 = best, -1 = not rated
    self_assessment: np.ndarray | None  # self-ratings, when the rater model makes them
    cycle_weeks: float
    n_grades: int
    rated_people: np.ndarray  # hired_week of each rated person (who they were)
    groups: np.ndarray  # group index of the rated, at the review
    raises: np.ndarray | None = None  # merit raise of each position (share)
    promoted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    appeals: int = 0  # appeals filed after this review
    luck: np.ndarray | None = None  # mean weekly luck over the cycle (SD units)


class SimState:
    """Everything one run of one policy holds: workforce, calendar, streams, memory, counts.

    Parameters
    ----------
    scenario
        The validated scenario.
    policy
        A declared policy name, or a Policy object (named ``custom``).
    seed, rep
        Experiment seed and replication: together they fix every random stream.
    """

    def __init__(self, scenario: Scenario, policy: str | Policy, seed: int, rep: int = 0) -> None:
        if isinstance(policy, str):
            if policy not in scenario.policies:
                raise ScenarioError(
                    f"policy {policy!r} is not declared; declared: {', '.join(scenario.policies)}"
                )
            self.policy_name, self.policy = policy, scenario.policies[policy]
        else:
            self.policy_name, self.policy = "custom", policy
        self.scenario = scenario
        self.seed = seed
        self.rep = rep
        self.env = simpy.Environment()
        self.streams = Streams(seed, rep)
        self.workforce = Workforce(OrgChart.build(scenario.organization))
        self.pay = Pay(scenario, self.workforce)
        groups = len(scenario.organization.groups)
        self.counts = Counts.for_groups(groups)
        self.cycle_start_counts = Counts.for_groups(groups)
        self.cycle = CycleTotals()
        self.cycle_results = CycleResults()
        self.beliefs = Beliefs()
        # The engine replaces the stated rate by the intercept anchored to the status quo.
        self.turnover = Turnover(scenario.behaviour.voluntary_quit_rate)
        self.requisitions = Requisitions(scenario.hiring)
        self.candidates = CandidatePool()  # next hires, drawn ahead
        self.raters = RaterPanel(self.workforce, scenario.organization, scenario.behaviour.raters)
        self.appeal_panels = AppealPanels(self.policy.rating.appeals.panels)
        self.engagement_clock = 0.0  # week engagement was last brought up to date
        self.last_accrual = 0.0  # week performance was last accrued
        # The workforce's integral sums after the last accrual, and its fills count then.
        self._summed: tuple[int, list[float]] = (-1, [])
        self._totals = np.zeros(len(self.workforce.cumulative) - 2)  # what the accrual sums
        self.market_listeners: list[MarketListener] = []
        self._market_level = 0.0
        self.trace: list[tuple[float, str, int]] | None = None
        # A pilot's two arms in one organization (None: everyone runs ``policy``).
        self.pilot_arms: PilotArms | None = None

    @property
    def now(self) -> float:
        return float(self.env.now)

    @property
    def market_level(self) -> float:
        """Demand-driven shift of everyone's performance (SD units)."""
        return self._market_level

    @market_level.setter
    def market_level(self, value: float) -> None:
        old = self._market_level
        self._market_level = value
        if value != old:
            for listener in self.market_listeners:
                listener(old, value)

    def log(self, event: str, count: int = 1) -> None:
        """Add ``(week, event, count)`` to the event trace, if one is being kept."""
        if self.trace is not None:
            self.trace.append((self.now, event, int(count)))

    def catch_up(self) -> None:
        """Accrue everyone's performance up to now; call before any change of state."""
        t0, t1 = self.last_accrual, self.now
        if t1 <= t0:
            return
        wf = self.workforce
        k = self.scenario.behaviour.output_per_sd
        # Sums of performance, weeks worked and business value (see Workforce.cumulative):
        # its rows from the third on.
        # The sums as the last catch-up left them, unless someone joined since (a leaver's
        # integrals stay as they were).
        fills, summed = self._summed
        row_sums = KERNELS.row_sums if compiled_for(wf.size) and KERNELS else _row_sums
        if fills != wf.fills:
            summed = row_sums(wf.cumulative, 2).tolist()
        perf, weeks, value_perf, value_weeks = summed
        hiring = self.scenario.hiring
        totals = self._totals
        if wf.accrue(
            t0, t1, self._market_level, hiring.ramp_up_weeks, hiring.ramp_up_deficit_sd, totals
        ):
            summed = totals.tolist()
        else:
            summed = row_sums(wf.cumulative, 2).tolist()
        self._summed = (wf.fills, summed)
        perf_now, weeks_now, value_perf_now, value_weeks_now = summed
        cycle = self.cycle
        cycle.perf_sum += perf_now - perf
        cycle.fte_weeks += weeks_now - weeks
        cycle.value_sum += value_weeks_now + k * value_perf_now
        cycle.value_sum -= value_weeks + k * value_perf
        self.pay.now = t1
        self.last_accrual = t1

    def start_cycle(self) -> None:
        """A new review cycle starts now: reset the cycle's integrals and counts."""
        self.workforce.start_cycle()
        self.cycle = CycleTotals(started=self.now)
        self.cycle_start_counts = self.counts.copy()
        self.cycle_results = CycleResults()

    def counts_this_cycle(self) -> Counts:
        return self.counts.since(self.cycle_start_counts)


def _row_sums(table: np.ndarray, first: int) -> np.ndarray:
    """Each row's sum from row ``first`` on (the compiled loops do the same additions)."""
    return np.add.reduce(table[first:], axis=1)
