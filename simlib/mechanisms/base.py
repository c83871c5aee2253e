"""How a mechanism plugs into the calendar: the hooks it joins and the order it needs.

A mechanism is a module of functions over :class:`~simlib.state.simulation_state.SimState`
that ends with one :class:`Mechanism` declaration, listed in :mod:`simlib.mechanisms.registry`.
The engine runs every registered step of a hook in registry order, moved only as far as a
step's ``after`` constraint requires, and starts the mechanisms' calendar processes.

Hooks, in the order of a run:

``start``
    Week 0, once the workforce is in place: first beliefs about the policy.
``new_cycle``
    Week 0 and at every review, before the review's metrics are recorded: new goals,
    newcomers' traits, effort for the cycle ahead.
``review``
    At a review, once grades are set: decisions on the grades (exits, PIPs, appeals).
``after_review``
    Then what the review brings: pay, beliefs about the stake, careers, attitudes.
``market_change``
    Demand moved (``SimState.market_level`` set), after performance was accrued.
``exit_check``
    Every ``environment.exit_check_weeks``: who leaves (quits, layoffs, discharges). The
    steps of a check run in one calendar event; a step leaves people with
    ``leave(..., search=False)`` and the recruiters take up every vacancy of the check at
    its end, in the order people left (as if each step had started its searches at once:
    the steps draw from streams of their own). A step with a ``when`` that is false for the
    scenario and policy is left out; with none left, no check is scheduled.

Processes are generators on the SimPy calendar, made at week 0 by a mechanism's factories:
first every mechanism's ``before_reviews`` processes (the exit checks join them where the
first mechanism with an ``exit_check`` step stands), then the review cycle, then every
``after_reviews`` process, each group in registry order. Events due at one instant run in
the order they were scheduled, so start order decides ties at the first such instant.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from simlib.state.simulation_state import Review, SimState

Hook = Literal["start", "new_cycle", "review", "after_review", "market_change", "exit_check"]
HOOKS: tuple[Hook, ...] = (
    "start",
    "new_cycle",
    "review",
    "after_review",
    "market_change",
    "exit_check",
)

StateStep = Callable[[SimState], None]
ReviewStep = Callable[[SimState, Review], None]
MarketStep = Callable[[SimState, float, float], None]
Processes = Callable[[SimState], Sequence[Generator[Any, Any, None]]]


@dataclass(frozen=True)
class Step:
    """One function a mechanism runs at a hook, after the named mechanisms' steps.

    ``when`` says whether the step acts at all in a simulation (default: always); only the
    ``exit_check`` hook asks, to leave idle checks off the calendar.
    """

    hook: Hook
    run: Callable[..., None]
    after: tuple[str, ...] = ()
    when: Callable[[SimState], bool] | None = None


@dataclass(frozen=True)
class Mechanism:
    """A mechanism's declaration: its name, hook steps and calendar processes.

    An ``observer`` only reads what happens (a recorder, a test's spy): it changes nothing,
    so the engine leaves it out of the status-quo runs that anchor turnover.
    """

    name: str
    steps: Sequence[Step] = ()
    before_reviews: Sequence[Processes] = field(default=())
    after_reviews: Sequence[Processes] = field(default=())
    summary: str = ""
    observer: bool = False


def ordered_steps(mechanisms: Sequence[Mechanism], hook: Hook) -> list[tuple[str, Step]]:
    """The steps of ``hook`` in registry order, each moved after the mechanisms it names.

    Raises ``ValueError`` for a constraint naming an unknown mechanism or a cycle.
    """
    names = [m.name for m in mechanisms]
    pending = [(m.name, s) for m in mechanisms for s in m.steps if s.hook == hook]
    for _, step in pending:
        unknown = [a for a in step.after if a not in names]
        if unknown:
            raise ValueError(f"{hook} step {step.run.__name__} runs after unknown {unknown}")
    done: list[tuple[str, Step]] = []
    while pending:
        waiting = {name for name, _ in pending}
        for i, (name, step) in enumerate(pending):
            if not (set(step.after) - {name}) & waiting:
                done.append(pending.pop(i))
                break
        else:
            raise ValueError(f"{hook} steps wait on each other: {sorted(waiting)}")
    return done
