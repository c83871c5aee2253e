"""Resource guards: estimate a run's memory and time before allocating, refuse what won't fit.

A scenario is a few lines of YAML, but ``headcount x years x replications x policies`` can
describe weeks of computing or more memory than the machine has. Before anything is
allocated, :func:`estimate_resources` predicts the peak memory and the wall time of a run
from the scenario alone, and :func:`check_resources` refuses a run beyond this machine
with a message stating the estimate. An explicit override (``allow_large=True``, the CLI's
``--force``) runs it anyway.

The cost model counts the events that touch the whole workforce (reviews, quit checks,
weekly ticks when a mechanism acts every week, and the weeks in which recruiters' searches
end, each catching up the whole workforce) and the vacancies filled. Its constants were
measured on the engine (benchmarks/guard_calibration.py prints estimate against
measurement): about 200 million agent-weeks a second for the Scullen et al. (2005) design,
about 6 million for the 500-person baseline with its hiring queue; memory a few hundred bytes per
position, the applicant pool of an initial hiring round (``positions x applicants``), and
the result frame. The estimate is meant to be right within a factor of about two.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from simlib.errors import ScenarioError
from simlib.i18n import _, ngettext
from simlib.scenario.definition import Scenario
from simlib.scenario.organization import WEEKS_PER_YEAR

# --- measured costs (seconds or bytes; see the module docstring) ----------------------------
SECONDS_PER_SIMULATION = 0.006  # set-up: org chart, streams, first hiring round bookkeeping
SECONDS_PER_REVIEW = 2.4e-4  # fixed part of one review (grading, metrics, consequences)
SECONDS_PER_REVIEWED_POSITION = 2.1e-7
SECONDS_PER_QUIT_CHECK = 6e-5
SECONDS_PER_CHECKED_POSITION = 6e-8
SECONDS_PER_WEEKLY_TICK = 6e-5
SECONDS_PER_TICKED_POSITION = 6e-8
SECONDS_PER_INTAKE = 3e-5  # a week in which searches end: one hiring event
SECONDS_PER_INTAKE_POSITION = 9e-9  # each such event catches up everyone
SECONDS_PER_PIPELINE_HIRE = 2e-6  # queue bookkeeping and filling the position
SECONDS_PER_APPLICANT_DRAW = 4.5e-8  # two normal draws per applicant screened
BYTES_PER_POSITION = 1_200  # state columns, org chart, pay bands, vectorized temporaries
BYTES_PER_APPLICANT = 32  # peak of the applicant pool: draws, potential, scores
BYTES_PER_RECORD = 160  # ledger lists while running, then the tidy frame and its copies
BYTES_BASE = 250_000_000  # the interpreter with numpy, pandas, scipy and SimPy loaded
METRICS_PER_REVIEW = 20  # upper bound on metrics recorded at each review

# --- what this machine allows ---------------------------------------------------------------
MEMORY_SHARE = 0.8  # refuse a run needing more than this share of the available memory
DEFAULT_MAX_HOURS = 24.0  # refuse a run estimated to take longer (SIMLIB_MAX_HOURS overrides)


class ResourceLimitError(ScenarioError):
    """A run estimated to need more memory or time than this machine allows."""


@dataclass(frozen=True)
class ResourceEstimate:
    """Predicted cost of a run. Memory in bytes, time in seconds of wall clock."""

    simulations: int
    policies: int
    positions: int
    years: int
    agent_weeks: float
    seconds: float
    peak_bytes: float
    workers: int
    available_bytes: float
    max_seconds: float

    @property
    def too_much_memory(self) -> bool:
        return self.peak_bytes > MEMORY_SHARE * self.available_bytes

    @property
    def too_long(self) -> bool:
        return self.seconds > self.max_seconds

    @property
    def fits(self) -> bool:
        return not (self.too_much_memory or self.too_long)

    def describe(self) -> str:
        """``about 1.2 GB of memory and about 3 min on 2 workers`` style text."""
        return _("about {memory} of memory and about {time} on {workers}").format(
            memory=format_bytes(self.peak_bytes),
            time=format_duration(self.seconds),
            workers=_workers(self.workers),
        )


def format_bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n / 1e3:.3g} kB"


def format_duration(seconds: float) -> str:
    for unit, size, above in (("days", 86_400, 172_800), ("h", 3_600, 3_600), ("min", 60, 60)):
        if seconds >= above:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.2g} s"


def available_memory() -> float:
    """Memory this process can still use (bytes): MemAvailable, else physical memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return float("inf")  # unknown: do not refuse on memory


def max_seconds() -> float:
    """The longest run accepted without an override (``SIMLIB_MAX_HOURS``, default 24 h)."""
    text = os.environ.get("SIMLIB_MAX_HOURS", "")
    try:
        hours = float(text) if text else DEFAULT_MAX_HOURS
    except ValueError:
        hours = DEFAULT_MAX_HOURS
    return hours * 3_600 if hours > 0 and math.isfinite(hours) else DEFAULT_MAX_HOURS * 3_600


def _bottom_share(policy: Any) -> float:
    """Share of the rated given the bottom grade (forced curve; ~5% for absolute ratings)."""
    rating = policy.rating
    if getattr(rating, "scheme", "absolute") == "absolute":
        return 0.05
    try:
        return float(rating.grade_shares()[-1])
    except (AttributeError, IndexError, TypeError, ValueError):
        return 0.1


def _weekly(policy: Any) -> bool:
    """Whether a mechanism of ``policy`` acts every week (check-ins, early warnings)."""
    checkins = getattr(policy, "checkins", None)
    if checkins is None:
        return False
    return any(
        getattr(checkins, name, None) is not None
        for name in ("interval_weeks", "early_warning_weeks")
    )


def simulation_seconds(scenario: Scenario, policy: Any) -> float:
    """Estimated seconds for one replication of one policy on one core."""
    env = scenario.environment
    hiring = scenario.hiring
    n = scenario.organization.headcount
    weeks = env.years * WEEKS_PER_YEAR
    reviews = weeks / env.weeks_per_cycle
    quit_rate = scenario.behaviour.voluntary_quit_rate
    checks = weeks / env.exit_check_weeks if quit_rate > 0 else 0.0
    ticks = weeks if _weekly(policy) else 0.0
    cycles_per_year = WEEKS_PER_YEAR / env.weeks_per_cycle
    rule = policy.consequences
    exit_rate = 0.0
    if rule.terminate_bottom_grade:
        exit_rate = _bottom_share(policy) * cycles_per_year
    elif rule.consecutive_bottom_to_exit is not None:
        exit_rate = _bottom_share(policy) * cycles_per_year / rule.consecutive_bottom_to_exit
    vacancies = n * min(quit_rate + exit_rate, 4.0) * env.years
    if hiring.time_to_fill_weeks > 0:
        capacity = hiring.recruiters * hiring.requisitions_per_recruiter if hiring.recruiters else n
        pipeline = min(vacancies, capacity * weeks / hiring.time_to_fill_weeks)
        intakes = min(pipeline, weeks)  # searches last whole weeks: one intake a week at most
        bulk = 0.0
    else:
        pipeline, intakes, bulk = 0.0, 0.0, vacancies
    draws = (n + bulk) * (2 * hiring.applicants_per_hire + 2)
    return (
        SECONDS_PER_SIMULATION
        + reviews * (SECONDS_PER_REVIEW + n * SECONDS_PER_REVIEWED_POSITION)
        + checks * (SECONDS_PER_QUIT_CHECK + n * SECONDS_PER_CHECKED_POSITION)
        + ticks * (SECONDS_PER_WEEKLY_TICK + n * SECONDS_PER_TICKED_POSITION)
        + intakes * (SECONDS_PER_INTAKE + n * SECONDS_PER_INTAKE_POSITION)
        + pipeline * SECONDS_PER_PIPELINE_HIRE
        + draws * SECONDS_PER_APPLICANT_DRAW
    )


def simulation_bytes(scenario: Scenario) -> float:
    """Estimated peak memory (bytes) of one simulation's state, beyond the interpreter."""
    n = scenario.organization.headcount
    applicants = scenario.hiring.applicants_per_hire
    return n * (BYTES_PER_POSITION + BYTES_PER_APPLICANT * applicants)


def estimate_resources(
    scenario: Scenario,
    reps: int | None = None,
    policies: list[Any] | None = None,
    workers: int = 1,
) -> ResourceEstimate:
    """Predict the peak memory and wall time of ``policies x reps`` simulations.

    Parameters
    ----------
    scenario
        A validated scenario.
    reps, policies
        Replications per policy and the policies run, by name or as Policy objects
        (default: the scenario's).
    workers
        Simulations running at once (worker processes); time divides by the cores used,
        memory multiplies by the simulations held at once.
    """
    reps = scenario.experiment.reps if reps is None else int(reps)
    names = list(policies or scenario.policy_names)
    chosen = [
        scenario.policies[p] if isinstance(p, str) else p
        for p in names
        if not isinstance(p, str) or p in scenario.policies
    ] or list(scenario.policies.values())
    per_policy = [simulation_seconds(scenario, p) for p in chosen]
    parallel = max(1, min(int(workers), os.cpu_count() or 1))
    seconds = reps * sum(per_policy) / parallel
    simulations = reps * len(chosen)
    env = scenario.environment
    reviews = env.years * WEEKS_PER_YEAR / env.weeks_per_cycle
    records = simulations * (reviews + 1) * METRICS_PER_REVIEW
    peak = (
        BYTES_BASE + max(1, int(workers)) * simulation_bytes(scenario) + records * BYTES_PER_RECORD
    )
    n = scenario.organization.headcount
    return ResourceEstimate(
        simulations=simulations,
        policies=len(chosen),
        positions=n,
        years=env.years,
        agent_weeks=float(simulations) * n * env.years * WEEKS_PER_YEAR,
        seconds=seconds,
        peak_bytes=peak,
        workers=max(1, int(workers)),
        available_bytes=available_memory(),
        max_seconds=max_seconds(),
    )


def check_resources(
    scenario: Scenario,
    reps: int | None = None,
    policies: list[Any] | None = None,
    workers: int = 1,
    allow_large: bool = False,
) -> ResourceEstimate:
    """Estimate a run and refuse it, unless ``allow_large``, if it is beyond this machine.

    Raises
    ------
    ResourceLimitError
        One line stating the estimate, what the machine allows, and how to proceed.
    """
    estimate = estimate_resources(scenario, reps, policies, workers)
    if allow_large or estimate.fits:
        return estimate
    problems = []
    if estimate.too_much_memory:
        problems.append(
            _("about {memory} of memory ({available} available)").format(
                memory=format_bytes(estimate.peak_bytes),
                available=format_bytes(estimate.available_bytes),
            )
        )
    if estimate.too_long:
        problems.append(
            _("about {time} on {workers} (limit {limit}, SIMLIB_MAX_HOURS)").format(
                time=format_duration(estimate.seconds),
                workers=_workers(estimate.workers),
                limit=format_duration(estimate.max_seconds),
            )
        )
    levers = "organization.headcount, environment.years or experiment.reps"
    applicants = scenario.hiring.applicants_per_hire
    if BYTES_PER_APPLICANT * applicants > BYTES_PER_POSITION:
        levers = (
            _("hiring.selection_ratio (now {applicants} applicants per hire)").format(
                applicants=f"{applicants:,}"
            )
            + ", "
            + levers
        )
    raise ResourceLimitError(
        _(
            "run too large for this machine: {simulations} simulations ({policies} policies x "
            "{reps} replications) of {positions} positions over {years} years need {problems}; "
            "reduce {levers}, or pass --force (allow_large=True) to run anyway"
        ).format(
            simulations=f"{estimate.simulations:,}",
            policies=estimate.policies,
            reps=f"{estimate.simulations // estimate.policies:,}",
            positions=f"{estimate.positions:,}",
            years=estimate.years,
            problems=_(" and ").join(problems),
            levers=levers,
        )
    )


def _workers(n: int) -> str:
    """``1 worker`` / ``2 workers`` in the reader's language."""
    return ngettext("{n} worker", "{n} workers", n).format(n=n)
