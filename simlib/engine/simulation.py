"""One simulation: one policy, one replication, one seed, on a SimPy calendar.

The SimPy environment is the calendar of organizational events (reviews, quit decisions,
vacancies being filled, PIPs, market shocks). Every event updates the whole workforce with
vectorized numpy; only per-case processes (a vacancy, a batch of PIPs, a shock) are SimPy
processes, and only the events a scenario's mechanisms need are scheduled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd
import simpy

from simlib.engine import invariants
from simlib.engine.review import review_cycle
from simlib.experiments.guards import check_resources
from simlib.mechanisms.exits import voluntary_quits
from simlib.mechanisms.hiring import select_hires
from simlib.mechanisms.market import random_shocks, scheduled_shock
from simlib.mechanisms.pay import Pay
from simlib.mechanisms.work import start_work
from simlib.metrics.catalogue import Ledger
from simlib.scenario.definition import WEEKS_PER_YEAR, Scenario, load_scenario
from simlib.scenario.policy import Policy
from simlib.state.streams import Streams
from simlib.state.workforce import OrgChart, Workforce

UNLIMITED = 10**9


class Simulation:
    """The state and calendar of one run. Use :func:`simulate` unless you need the internals."""

    def __init__(
        self,
        scenario: Scenario,
        policy: str | Policy,
        seed: int,
        rep: int = 0,
        check_invariants: bool | None = None,
    ) -> None:
        if isinstance(policy, str):
            if policy not in scenario.policies:
                from simlib.errors import ScenarioError

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
        self.ledger = Ledger()
        self.check_invariants = invariants.enabled(check_invariants)
        if self.check_invariants:
            invariants.watch_ledger(self)
        self.counters: Counter[str] = Counter()
        self.cycle_counters: Counter[str] = Counter()
        hiring = scenario.hiring
        capacity = (
            hiring.recruiters * hiring.requisitions_per_recruiter
            if hiring.recruiters
            else UNLIMITED
        )
        self.recruiters = simpy.Resource(self.env, capacity=capacity)
        self.intake: list[int] = []  # positions whose search ended now, hired together
        self.market_listeners: list[Callable[[Simulation, float, float], None]] = []
        self.market_level = 0.0
        self.cycle_outcome: dict[str, float] = {}
        self.cycle_value_sum = 0.0
        self.engagement_clock = 0.0
        self.last_accrual = 0.0
        self.cycle_started = 0.0
        self.cycle_perf_sum = 0.0
        self.cycle_fte_weeks = 0.0

    @property
    def now(self) -> float:
        return float(self.env.now)

    @property
    def market_level(self) -> float:
        """Demand-driven shift of everyone's performance (SD units)."""
        return self._market_level

    @market_level.setter
    def market_level(self, value: float) -> None:
        old = getattr(self, "_market_level", value)
        self._market_level = value
        if value != old:
            for listener in self.market_listeners:
                listener(self, old, value)

    def catch_up(self) -> None:
        """Accrue everyone's performance up to now; call before any change of state."""
        t0, t1 = self.last_accrual, self.now
        if t1 <= t0:
            return
        wf = self.workforce
        before = wf.perf_cum.sum(), wf.weeks_cum.sum()
        k = self.scenario.behaviour.output_per_sd
        value_before = wf.value_weeks_cum.sum() + k * wf.value_perf_cum.sum()
        hiring = self.scenario.hiring
        wf.accrue(t0, t1, self.market_level, hiring.ramp_up_weeks, hiring.ramp_up_deficit_sd)
        self.cycle_perf_sum += wf.perf_cum.sum() - before[0]
        self.cycle_fte_weeks += wf.weeks_cum.sum() - before[1]
        self.cycle_value_sum += wf.value_weeks_cum.sum() + k * wf.value_perf_cum.sum()
        self.cycle_value_sum -= value_before
        self.pay.now = t1
        self.last_accrual = t1

    def start_cycle(self) -> None:
        self.workforce.start_cycle()
        self.cycle_started = self.now
        self.cycle_perf_sum = 0.0
        self.cycle_fte_weeks = 0.0
        self.cycle_value_sum = 0.0
        self.cycle_counters = Counter(self.counters)

    def populate(self) -> None:
        """Fill every position at week 0 from the workforce stream."""
        org = self.scenario.organization
        hiring = self.scenario.hiring
        rng = self.streams["workforce"]
        n = self.workforce.size
        applicants = hiring.applicants_per_hire if org.initial_workforce == "hired" else 1
        validity = hiring.selection_validity if org.initial_workforce == "hired" else 0.0
        potential, group, band_position = select_hires(rng, n, applicants, validity, org)
        rows = np.arange(n)
        salary = self.pay.starting_salary(rows, band_position)
        self.workforce.fill(rows, 0.0, potential, group, salary)
        # Today's staff have been here a while: tenure from half a year to ten years.
        self.workforce.hired_week[:] = -rng.uniform(26, 10 * WEEKS_PER_YEAR, n)

    def run(self) -> pd.DataFrame:
        """Run to the horizon and return the tidy frame ``week, metric, value``."""
        env_cfg = self.scenario.environment
        self.populate()
        start_work(self)
        self.ledger.record_state(self)
        # Started first, quit decisions due at a review's instant come before the review.
        if self.scenario.behaviour.voluntary_quit_rate > 0:
            self.env.process(voluntary_quits(self))
        self.env.process(review_cycle(self))
        for spec in env_cfg.market_shocks:
            self.env.process(scheduled_shock(self, spec))
        if env_cfg.random_shocks_per_year > 0:
            self.env.process(random_shocks(self))
        self.env.run(until=env_cfg.weeks + 1e-6)
        if self.check_invariants:
            invariants.check_final(self)
        return pd.DataFrame(
            {
                "week": np.asarray(self.ledger.weeks, dtype=float),
                "metric": self.ledger.metrics,
                "value": np.asarray(self.ledger.values, dtype=float),
            }
        )


def simulate(
    scenario: Scenario | str | dict,
    policy: str | Policy | None = None,
    seed: int | None = None,
    rep: int = 0,
    *,
    check_invariants: bool | None = None,
    allow_large: bool = False,
) -> pd.DataFrame:
    """Simulate one policy for one replication.

    Parameters
    ----------
    scenario
        A Scenario, or a path or mapping to load one from.
    policy
        A declared policy name (default: the scenario's baseline) or a Policy object.
    seed
        Experiment seed (default: the scenario's ``experiment.seed``).
    rep
        Replication number; with the seed it fixes every random stream.
    check_invariants
        Check the model's invariants after every review (default: the
        ``SIMLIB_CHECK_INVARIANTS`` environment variable; see :mod:`simlib.engine.invariants`).
    allow_large
        Run even if the resource guard estimates more memory or time than this machine
        allows (see :mod:`simlib.experiments.guards`).

    Returns
    -------
    pandas.DataFrame
        Tidy records with columns ``policy, rep, week, metric, value``.
    """
    scenario = load_scenario(scenario)
    policy = scenario.baseline if policy is None else policy
    seed = scenario.experiment.seed if seed is None else seed
    check_resources(scenario, reps=1, policies=[policy], allow_large=allow_large)
    sim = Simulation(scenario, policy, seed, rep, check_invariants=check_invariants)
    frame = sim.run()
    frame.insert(0, "rep", rep)
    frame.insert(0, "policy", sim.policy_name)
    return frame
