"""One simulation: one policy, one replication, one seed, on a SimPy calendar.

The SimPy environment is the calendar of organizational events (reviews, quit decisions,
weeks in which recruiters' searches end, PIPs, market shocks). Every event updates the whole
workforce with vectorized numpy; vacancies wait in one queue of arrays, not a process each;
only per-case processes (a batch of PIPs, an appeal, a shock) are SimPy processes, and only
the events a scenario's mechanisms need are scheduled.

The engine owns the calendar and the ledger; the mechanisms it runs are those registered in
:mod:`simlib.mechanisms.registry`, each at the hooks it declares.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import pandas as pd

from simlib.engine import invariants
from simlib.engine.guards import check_resources
from simlib.engine.review import rate_and_grade, review_cycle
from simlib.engine.turnover_anchor import anchor_quit_rate
from simlib.mechanisms.base import HOOKS, Hook, Mechanism, Step, ordered_steps
from simlib.mechanisms.grading import ranking_units
from simlib.mechanisms.hiring import select_hires, start_searches
from simlib.mechanisms.registry import MECHANISMS
from simlib.metrics.catalogue import Cycle
from simlib.metrics.ledger import Ledger
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.scenario.policy import Policy
from simlib.state.pilot_arms import acting_as
from simlib.state.simulation_state import Review, SimState
from simlib.state.workforce import cluster_groups


class Simulation(SimState):
    """The state, calendar and ledger of one run. Use :func:`simulate` unless you need them.

    Parameters
    ----------
    mechanisms
        The mechanisms to run (default: every registered one).
    trace
        Keep the event trace ``(week, event, count)`` in :attr:`trace`.
    neutral_quit_rate
        The quit hazard's intercept (default: solved at :meth:`start` so that the
        scenario's status quo realises its ``voluntary_quit_rate``; see
        :mod:`simlib.engine.turnover_anchor`).
    """

    def __init__(
        self,
        scenario: Scenario,
        policy: str | Policy,
        seed: int,
        rep: int = 0,
        check_invariants: bool | None = None,
        *,
        mechanisms: tuple[Mechanism, ...] = MECHANISMS,
        trace: bool = False,
        neutral_quit_rate: float | None = None,
    ) -> None:
        super().__init__(scenario, policy, seed, rep)
        self.mechanisms = mechanisms
        self.quit_intercept = neutral_quit_rate
        self.steps: dict[Hook, list[Step]] = {
            hook: [step for _, step in ordered_steps(mechanisms, hook)] for hook in HOOKS
        }
        self.check_invariants = invariants.enabled(check_invariants)
        refuse = invariants.refuse_invalid(self) if self.check_invariants else None
        env = scenario.environment
        self.ledger = Ledger(on_invalid=refuse, reviews=env.weeks // env.weeks_per_cycle)
        if trace:
            self.trace = []
        self.market_listeners.append(self._market_moved)

    def _run_steps(self, hook: Hook, *args: object) -> None:
        for step in self.steps[hook]:
            step.run(self, *args)

    def _market_moved(self, old: float, new: float) -> None:
        self._run_steps("market_change", old, new)

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
        group = cluster_groups(
            self.workforce.chart, rows, group, org.group_clustering, self.streams["groups"]
        )
        salary = self.pay.starting_salary(rows, band_position)
        self.workforce.fill(rows, 0.0, potential, group, salary)
        # Today's staff have been here a while: tenure from half a year to ten years.
        self.workforce.hired_week[:] = -rng.uniform(26, 10 * WEEKS_PER_YEAR, n)

    def start(self) -> None:
        """Week 0: the workforce, first beliefs, goals and effort, the first records, and
        the calendar's processes (started, not yet run)."""
        if self.quit_intercept is None:
            self.quit_intercept = anchor_quit_rate(self.scenario, self.mechanisms, Simulation)
        self.turnover.neutral_quit_rate = self.quit_intercept
        self.populate()
        self._run_steps("start")
        self._run_steps("new_cycle")
        self.ledger.record_start(self)
        self._start_processes("before_reviews")
        self.env.process(review_cycle(self, self.conduct_review))
        self._start_processes("after_reviews")

    def _start_processes(self, group: str) -> None:
        checks = [s for s in self.steps["exit_check"] if s.when is None or s.when(self)]
        first = next(
            (m.name for m in self.mechanisms if any(s.hook == "exit_check" for s in m.steps)), None
        )
        for mechanism in self.mechanisms:
            if group == "before_reviews" and checks and mechanism.name == first:
                self.env.process(self.exit_checks(checks))
            for factory in getattr(mechanism, group):
                for process in factory(self):
                    self.env.process(process)

    def exit_checks(self, steps: list[Step]) -> Generator[Any, Any, None]:
        """Every ``exit_check_weeks``: the ``exit_check`` steps in one event, then the
        recruiters take up the vacancies of everyone who left."""
        weeks = self.scenario.environment.exit_check_weeks
        while True:
            yield self.env.timeout(weeks)
            for step in steps:
                step.run(self)
            start_searches(self)

    def conduct_review(self) -> None:
        """One review: rate and grade, act, take its consequences, record, start a cycle."""
        review = rate_and_grade(self)
        self.log("review", len(review.rated))
        self._run_steps("review", review)
        self._run_steps("after_review", review)
        self._run_steps("new_cycle")
        self.record_review(review)
        if self.check_invariants:  # in a pilot, each arm's grades under its own rating
            arms: Any = ((self.policy, None),)
            if self.pilot_arms is not None and self.pilot_arms.differ("rating"):
                arms = self.pilot_arms.each()
            for policy, flags in arms:
                rated = review.rated if flags is None else review.rated[flags[review.rated]]
                with acting_as(self, policy):
                    units = ranking_units(self)[rated]
                    invariants.check_review(
                        self, self.ledger, review.scores[rated], units, review.grades[rated]
                    )
        self.start_cycle()

    def record_review(self, review: Review) -> None:
        cycle = self.cycle
        counts = self.counts_this_cycle()
        self.ledger.record_review(
            self, Cycle(review, counts, cycle.perf_sum, cycle.fte_weeks, cycle.value_sum)
        )

    def run(self) -> pd.DataFrame:
        """Run to the horizon and return the tidy frame ``week, metric, value``."""
        self.run_calendar()
        return self.ledger.frame()

    def run_calendar(self) -> None:
        """Start, and run every event up to the horizon (the records are in the ledger)."""
        self.start()
        self.env.run(until=self.scenario.environment.weeks + 1e-6)
        if self.check_invariants:
            invariants.check_final(self, self.ledger)


def simulate(
    scenario: Scenario | str | dict,
    policy: str | Policy | None = None,
    seed: int | None = None,
    rep: int = 0,
    *,
    check_invariants: bool | None = None,
    allow_large: bool = False,
    trace: bool = False,
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
        allows (see :mod:`simlib.engine.guards`).
    trace
        Keep the calendar's events: ``frame.attrs["trace"]`` is then the list of
        ``(week, event, count)`` in the order they happened (``review`` with the number
        rated, ``quit``, ``exit``, ``hire``, ``shock``, ``pip``, ``appeal``, ``checkin``).

    Returns
    -------
    pandas.DataFrame
        Tidy records with columns ``policy, rep, week, metric, value``.
    """
    scenario = load_scenario(scenario)
    policy = scenario.baseline if policy is None else policy
    seed = scenario.experiment.seed if seed is None else seed
    check_resources(scenario, reps=1, policies=[policy], allow_large=allow_large)
    sim = Simulation(scenario, policy, seed, rep, check_invariants=check_invariants, trace=trace)
    sim.run_calendar()
    frame = sim.ledger.frame(sim.policy_name, rep)
    if trace:
        frame.attrs["trace"] = list(sim.trace or [])
    return frame
