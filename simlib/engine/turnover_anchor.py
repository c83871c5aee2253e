"""Anchoring turnover to the status quo: the quit hazard's intercept, solved once per scenario.

A scenario states ``behaviour.voluntary_quit_rate`` as what its organization sees today:
the yearly voluntary turnover under its status-quo policy (``scenario.baseline``). The quit
hazard multiplies an intercept by terms for performance, pay lag, engagement and fairness,
so the rate people would realise with the stated rate as intercept differs from it (the
terms do not average to one). What is solved:

    find the intercept r (a yearly quit rate at neutral conditions) such that, simulating
    the status-quo policy with it, quits per person-year at risk over the horizon equal
    the stated rate.

The status quo is simulated with a fixed seed derived from the scenario's content (not
from the experiment's seed or the replication), and its quits are *expected* quits: the
sum of every employed person's quit probability at every quit check, which removes the
noise of the draws. A few multiplicative steps, ``r <- r x stated / realised``, then secant
steps on ``log r``, bring it within :data:`TOLERANCE`. Every policy of the scenario then
runs with the same intercept: common random numbers stay exact, and a policy differs from
the status quo only through the hazard's terms. Without hazard terms
(``behaviour.exits: null``), or with ``behaviour.anchor_turnover: false``, the stated rate
is the intercept, unchanged.

Solutions are kept per scenario content in this process (:data:`CACHE_SIZE`), so an
experiment pays for the solve once per process, not per run.

The intercept is a property of rates (who quits per person-year under the status quo), not
of size. An organization larger than :data:`SOLVE_HEADCOUNT` is solved on a scaled copy
(:func:`solve_scenario`): the same departments, spans, shares, behaviour and policies at
about that headcount, with recruiting capacity (recruiters x requisitions each) scaled in
proportion, so that vacancies wait as long. A million people cost the solve what a few
thousand do.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from simlib.errors import ScenarioError
from simlib.mechanisms.base import Mechanism
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario
from simlib.state.turnover import Turnover

TOLERANCE = 0.0005  # |realised - stated| at which the solve stops (share per year)
MAX_RUNS = 6  # status-quo evaluations at most (each ``reps`` simulations)
PERSON_YEARS = 2_000  # person-years each evaluation simulates at least (more reps if small)
MAX_REPS = 8
CACHE_SIZE = 64
SOLVE_HEADCOUNT = 2_000  # larger organizations are solved on a copy scaled to about this


class StatusQuoRun(Protocol):
    """A simulation of the status quo: the anchor runs it and reads its turnover state."""

    turnover: Turnover

    def run(self) -> object: ...


SimulationFactory = Callable[..., StatusQuoRun]
"""The engine's simulation class (passed in: the anchor sits below it)."""


@dataclass(frozen=True)
class Anchor:
    """The solved intercept and how it was found (for reports and tests)."""

    neutral_quit_rate: float  # the intercept: yearly quit rate at neutral conditions
    stated_rate: float  # behaviour.voluntary_quit_rate
    realised_rate: float  # expected quits per person-year under the status quo
    evaluations: int  # status-quo evaluations the solve took
    reps: int  # simulations per evaluation
    seed: int
    headcount: int = 0  # of the organization the solve simulated (0: no solve)


_CACHE: OrderedDict[str, Anchor] = OrderedDict()
_KEYS: deque[tuple[Scenario, tuple[str, ...], str]] = deque(maxlen=8)


def content_key(scenario: Scenario, mechanisms: Sequence[Mechanism]) -> str:
    """What the intercept depends on: the organization, environment, behaviour, hiring and
    status-quo policy, and the mechanisms run (not the other policies or the experiment)."""
    data = scenario.to_dict()
    if data["hiring"].get("start_date_weeks") == 1:
        # Weekly start dates are the model as it was before start dates could be set: left
        # out, so that the intercepts (seeded from this key) of such scenarios stay as they were.
        del data["hiring"]["start_date_weeks"]
    relevant = {k: data[k] for k in ("organization", "environment", "behaviour", "hiring")}
    relevant["status_quo"] = data["policies"][scenario.baseline]
    relevant["mechanisms"] = [m.name for m in mechanisms]
    canonical = json.dumps(relevant, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def needs_solving(scenario: Scenario) -> bool:
    """Whether the hazard has terms that move realised turnover away from the intercept."""
    beh = scenario.behaviour
    return beh.anchor_turnover and beh.exits is not None and beh.voluntary_quit_rate > 0


def anchor_quit_rate(
    scenario: Scenario, mechanisms: Sequence[Mechanism], simulation: SimulationFactory
) -> float:
    """The intercept that makes the status quo realise the stated rate (cached)."""
    return anchor(scenario, mechanisms, simulation).neutral_quit_rate


def anchor(
    scenario: Scenario, mechanisms: Sequence[Mechanism], simulation: SimulationFactory
) -> Anchor:
    """The solved intercept with how it was found (cached per scenario content).

    Parameters
    ----------
    scenario
        The scenario; its ``baseline`` policy is the status quo.
    mechanisms
        The mechanisms of the simulation being anchored; the status quo runs those that
        change the model (observers left out), and they are part of the cache key.
    simulation
        The engine's simulation class, called as ``simulation(scenario, policy, seed, rep,
        check_invariants=False, mechanisms=..., neutral_quit_rate=...)``.
    """
    stated = scenario.behaviour.voluntary_quit_rate
    if not needs_solving(scenario):
        return Anchor(stated, stated, stated, 0, 0, 0)
    mechanisms = tuple(m for m in mechanisms if not m.observer)
    key = _remembered_key(scenario, mechanisms)
    found = _CACHE.get(key)
    if found is None:
        solved = solve_scenario(scenario)

        def run(rate: float, seed: int, rep: int) -> StatusQuoRun:
            sim = simulation(
                solved,
                solved.baseline,
                seed,
                rep,
                check_invariants=False,
                mechanisms=mechanisms,
                neutral_quit_rate=rate,
            )
            sim.run()
            return sim

        found = solve(solved, key, run)
        _CACHE[key] = found
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def solve_scenario(scenario: Scenario) -> Scenario:
    """The organization the solve simulates: the scenario itself up to
    :data:`SOLVE_HEADCOUNT` people, else a copy scaled to about that many.

    The copy keeps departments, spans, shares and everything but the headcount and the
    recruiting capacity, which is scaled in proportion to the headcount: recruiters first
    (at least one), then, below one recruiter, requisitions per recruiter (at least one);
    the headcount then follows the whole capacity, so capacity per head is the
    organization's (a capacity too small for a few thousand people makes the copy larger).
    """
    org, hiring = scenario.organization, scenario.hiring
    if org.headcount <= SOLVE_HEADCOUNT:
        return scenario
    overrides: dict[str, object] = {}
    if hiring.recruiters is None:  # unlimited: any headcount keeps it
        headcount = SOLVE_HEADCOUNT
    else:
        per_head = hiring.recruiters / org.headcount
        recruiters = max(1, round(per_head * SOLVE_HEADCOUNT))
        requisitions = hiring.requisitions_per_recruiter
        if recruiters == 1:
            requisitions = max(1, round(per_head * SOLVE_HEADCOUNT * requisitions))
        capacity = hiring.recruiters * hiring.requisitions_per_recruiter
        headcount = round(org.headcount * recruiters * requisitions / capacity)
        overrides["hiring.recruiters"] = recruiters
        overrides["hiring.requisitions_per_recruiter"] = requisitions
    if headcount >= org.headcount:
        return scenario
    overrides["organization.headcount"] = headcount
    try:
        return load_scenario(scenario, overrides=overrides)
    except ScenarioError:  # a structure too large for the copy (e.g. very many departments)
        return scenario


def _remembered_key(scenario: Scenario, mechanisms: Sequence[Mechanism]) -> str:
    """:func:`content_key`, remembered for the scenario objects seen last (they are
    immutable), so that a run of a solved scenario does not hash it again."""
    names = tuple(m.name for m in mechanisms)
    for seen, seen_names, key in _KEYS:
        if seen is scenario and seen_names == names:
            return key
    key = content_key(scenario, mechanisms)
    _KEYS.appendleft((scenario, names, key))
    return key


def solve(scenario: Scenario, key: str, run: Callable[[float, int, int], StatusQuoRun]) -> Anchor:
    """Solve the intercept for ``scenario`` (see the module docstring)."""
    stated = scenario.behaviour.voluntary_quit_rate
    seed = int(key[:12], 16)
    years = scenario.environment.years
    reps = min(
        MAX_REPS, max(1, math.ceil(PERSON_YEARS / (scenario.organization.headcount * years)))
    )

    def realised(rate: float) -> float:
        quits = exposure = 0.0
        for rep in range(reps):
            turnover = run(rate, seed, rep).turnover
            quits += turnover.expected_quits
            exposure += turnover.exposure_years
        return quits / exposure if exposure > 0 else math.nan

    tried: list[tuple[float, float]] = []  # (log intercept, log realised)
    log_rate = math.log(stated)
    for _ in range(MAX_RUNS):
        got = realised(math.exp(log_rate))
        if not math.isfinite(got) or got <= 0:
            break
        tried.append((log_rate, math.log(got)))
        if abs(got - stated) <= TOLERANCE:
            break
        log_rate = next_guess(tried, math.log(stated))
    if not tried:  # nobody at risk, or a rate too small to measure: nothing to anchor
        return Anchor(stated, stated, math.nan, 1, reps, seed, scenario.organization.headcount)
    best_log, best_got = min(tried, key=lambda t: abs(math.exp(t[1]) - stated))
    return Anchor(
        math.exp(best_log),
        stated,
        math.exp(best_got),
        len(tried),
        reps,
        seed,
        scenario.organization.headcount,
    )


def next_guess(tried: list[tuple[float, float]], target: float) -> float:
    """The next log intercept: a secant step through the last two tries, else a step that
    assumes realised turnover proportional to the intercept. Steps are kept within a
    factor of e."""
    x1, y1 = tried[-1]
    slope = 1.0
    if len(tried) >= 2:
        x0, y0 = tried[-2]
        if x1 != x0 and (y1 - y0) / (x1 - x0) > 0.1:
            slope = (y1 - y0) / (x1 - x0)
    step = (target - y1) / slope
    return x1 + max(-1.0, min(1.0, step))


def clear_cache() -> None:
    """Forget every solved intercept (tests; the results do not depend on the cache)."""
    _CACHE.clear()
    _KEYS.clear()
