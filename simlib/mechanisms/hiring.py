"""Hiring: applicants, selection, and the queue of vacancies recruiters fill.

Each hire is the best of ``round(1 / selection_ratio)`` applicants, ranked by a selection
score ``validity * potential + sqrt(1 - validity**2) * e``. Applicants come from the hiring
stream in a fixed order: the k-th hire of a replication sees the same applicants under
every policy (common random numbers).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from simlib.mechanisms.base import Mechanism
from simlib.mechanisms.engagement import newcomers_joined
from simlib.scenario.organization import Organization
from simlib.state.simulation_state import SimState
from simlib.state.workforce import cluster_groups


def applicant_potential(z: np.ndarray, org: Organization) -> np.ndarray:
    """Map standard normal draws to applicants' potential (SD units, mean 0, SD 1)."""
    if org.potential_distribution == "normal":
        return z
    a = org.pareto_shape
    u = np.clip(ndtr(z), 1e-300, 1.0)
    x = (1.0 - u) ** (-1.0 / a)  # Pareto type I with minimum 1, upper tail in x
    mean = a / (a - 1.0)
    sd = np.sqrt(a / ((a - 1.0) ** 2 * (a - 2.0)))
    return (x - mean) / sd


def select_hires(
    rng: np.random.Generator,
    n: int,
    applicants: int,
    validity: float,
    org: Organization,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw ``n`` hires, each the best-scoring of ``applicants`` applicants.

    Returns potential (SD units), a group index and a salary position in the band (0–1).
    Every hire consumes exactly ``2 * applicants + 2`` normal draws, so a batch of hires
    and the same hires drawn one by one give identical people.
    """
    z = rng.standard_normal((n, 2 * applicants + 2))
    potential = applicant_potential(z[:, :applicants], org)
    # validity * potential + sqrt(1 - validity**2) * e, worked out in place (same numbers).
    score = z[:, applicants : 2 * applicants] * math.sqrt(1.0 - validity**2)
    score += validity * potential
    best = np.argmax(score, axis=1)
    chosen = potential[np.arange(n), best]
    if len(org.groups) == 1:
        group = np.zeros(n, dtype=np.int64)
    else:
        group_cdf = np.cumsum(list(org.groups.values()))
        group = np.searchsorted(group_cdf, ndtr(z[:, -2]), side="right")
        group = np.minimum(group, len(group_cdf) - 1)
    band_position = ndtr(z[:, -1])
    return chosen, group, band_position


HIRES_PER_DRAW = 256  # hires drawn ahead at least (any size gives the same people)


def next_hires(sim: SimState, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The next ``k`` hires of the replication, drawn ahead in blocks from the hiring stream."""
    pool = sim.candidates
    if len(pool) < k:
        hiring = sim.scenario.hiring
        pool.add(
            *select_hires(
                sim.streams["hiring"],
                max(k - len(pool), HIRES_PER_DRAW),
                hiring.applicants_per_hire,
                hiring.selection_validity,
                sim.scenario.organization,
            )
        )
    return pool.take(k)


def hire_into(sim: SimState, rows: np.ndarray) -> None:
    """Fill ``rows`` now with the next hires from the applicant stream."""
    if len(rows) == 0:
        return
    potential, group, band_position = next_hires(sim, len(rows))
    org = sim.scenario.organization
    if org.group_clustering > 0:
        group = cluster_groups(
            sim.workforce.chart, rows, group, org.group_clustering, sim.streams["groups"]
        )
    salary = sim.pay.starting_salary(rows, band_position)
    sim.workforce.fill(rows, sim.now, potential, group, salary)
    newcomers_joined(sim, rows)
    sim.counts.hires += len(rows)
    sim.log("hire", len(rows))


def open_vacancies(sim: SimState, rows: np.ndarray, search: bool = True) -> None:
    """Vacancies for ``rows``: filled at once when hiring takes no time, else they join the
    recruiters' queue (first come, first served) and, with ``search``, recruiters take up
    what they can now (without, the caller calls :func:`start_searches` later this week)."""
    if len(rows) == 0:
        return
    if sim.scenario.hiring.time_to_fill_weeks == 0:
        hire_into(sim, rows)
        return
    sim.requisitions.join(rows)
    if search:
        start_searches(sim)


def start_searches(sim: SimState) -> None:
    """Recruiters take up what their capacity allows from the front of the queue.

    Each search's length is drawn from a gamma distribution with shape 4 around
    ``time_to_fill_weeks``: searches vary, but rarely take less than a third of the mean.
    The hire starts on the start date nearest the search's end (every
    ``hiring.start_date_weeks`` weeks, see :func:`start_dates`; with 1, on the search's
    last week, rounded to whole weeks and at least one). The k-th search of a replication
    takes the k-th draw of the ``time_to_fill`` stream under every policy. Hires starting
    in the same week join together, in one vectorized step, once everything else due that
    week is done.
    """
    queue = sim.requisitions
    rows = queue.take_up()
    if len(rows) == 0:
        return
    hiring = sim.scenario.hiring
    mean = hiring.time_to_fill_weeks
    draws = sim.streams["time_to_fill"].gamma(4.0, mean / 4.0, len(rows))
    if hiring.start_date_weeks == 1:
        ends = np.maximum(1.0, draws.round()) + sim.now
    else:
        ends = start_dates(sim.now, draws, hiring.start_date_weeks)
    for week in queue.search(rows, ends):
        schedule_intake(sim, week)


def start_dates(now: float, searches: np.ndarray, every: int) -> np.ndarray:
    """The start date nearest the end of each search begun ``now`` and lasting
    ``searches`` weeks, and at the earliest the first one after ``now``.

    Start dates fall every ``every`` weeks, midway between the multiples of ``every``
    (weeks 2, 6, 10, ... for 4), where exit checks and reviews usually fall: a hire's first
    quit check then comes after about as many weeks as with weekly hiring, and a review
    counts the hires whose searches ended before it. Rounding to the nearest start date
    rather than the next keeps the mean time to fill; hires whose searches end near the
    same start date join in one event.
    """
    offset = every // 2
    ends = np.add(now - offset, searches)
    ends /= float(every)
    np.rint(ends, out=ends)
    ends *= every
    ends += offset
    first = (math.floor((now - offset) / every) + 1) * every + offset
    return np.maximum(ends, first, out=ends)


def schedule_intake(sim: SimState, week: float) -> None:
    """Hire those whose search ends in ``week`` once that week's other events have happened
    (one calendar entry per week, however many searches end in it)."""

    def week_due(_: object) -> None:
        sim.env.timeout(0).callbacks.append(hire_now)

    def hire_now(_: object) -> None:
        intake(sim, week)

    sim.env.timeout(week - sim.now).callbacks.append(week_due)


def intake(sim: SimState, week: float) -> None:
    """Hire everyone whose search ended this week; the freed recruiters take up the queue."""
    rows = sim.requisitions.finish(week)
    # Nobody else's work changes: performance is accrued at the next event that needs it,
    # the newcomers' from their hire week. Salaries start at today's market.
    sim.pay.now = sim.now
    hire_into(sim, rows)
    start_searches(sim)


MECHANISM = Mechanism(
    "hiring",
    summary="vacancies filled by recruiters: time to fill, best of 1/selection-ratio applicants",
)
