"""Hiring: applicants, selection, and the pipeline that fills vacancies.

Each hire is the best of ``round(1 / selection_ratio)`` applicants, ranked by a selection
score ``validity * potential + sqrt(1 - validity**2) * e``. Applicants come from the hiring
stream in a fixed order: the k-th hire of a replication sees the same applicants under
every policy (common random numbers).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
from scipy.special import ndtr

from simlib.mechanisms.base import Mechanism
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
    score = validity * potential + np.sqrt(1.0 - validity**2) * z[:, applicants : 2 * applicants]
    best = np.argmax(score, axis=1)
    chosen = potential[np.arange(n), best]
    group_cdf = np.cumsum(list(org.groups.values()))
    group = np.minimum(np.searchsorted(group_cdf, ndtr(z[:, -2]), side="right"), len(group_cdf) - 1)
    band_position = ndtr(z[:, -1])
    return chosen, group, band_position


def hire_into(sim: SimState, rows: np.ndarray) -> None:
    """Fill ``rows`` now with the next hires from the applicant stream."""
    if len(rows) == 0:
        return
    org = sim.scenario.organization
    hiring = sim.scenario.hiring
    potential, group, band_position = select_hires(
        sim.streams["hiring"], len(rows), hiring.applicants_per_hire, hiring.selection_validity, org
    )
    group = cluster_groups(
        sim.workforce.chart, rows, group, org.group_clustering, sim.streams["groups"]
    )
    salary = sim.pay.starting_salary(rows, band_position)
    sim.workforce.fill(rows, sim.now, potential, group, salary)
    sim.counts.hires += len(rows)
    sim.log("hire", len(rows))


def hiring_pipeline(sim: SimState, row: int) -> Generator[Any, Any, None]:
    """One vacancy: wait for a recruiter, search for a while, hire the best applicant.

    Searches last whole weeks (offers go out on a weekly rhythm), so vacancies filled in the
    same week start together: they join the week's intake, hired in one vectorized step.
    """
    with sim.recruiters.request() as request:
        yield request
        mean = sim.scenario.hiring.time_to_fill_weeks
        # Gamma with shape 4: searches vary, but rarely take less than a third of the mean.
        search = max(1.0, round(sim.streams["time_to_fill"].gamma(4.0, mean / 4.0)))
        yield sim.env.timeout(search)
    sim.intake.append(row)
    if len(sim.intake) == 1:
        sim.env.process(start_intake(sim))


def start_intake(sim: SimState) -> Generator[Any, Any, None]:
    """Hire everyone whose search ended at this instant, after all such searches ended."""
    yield sim.env.timeout(0)
    rows = np.array(sim.intake, dtype=np.int64)
    sim.intake.clear()
    sim.catch_up()
    hire_into(sim, rows)


def open_vacancies(sim: SimState, rows: np.ndarray) -> None:
    """Vacancies for ``rows``: filled at once when hiring takes no time, else by pipeline."""
    if len(rows) == 0:
        return
    if sim.scenario.hiring.time_to_fill_weeks == 0:
        hire_into(sim, rows)
        return
    for row in rows.tolist():
        sim.env.process(hiring_pipeline(sim, row))


MECHANISM = Mechanism(
    "hiring",
    summary="vacancies filled by recruiters: time to fill, best of 1/selection-ratio applicants",
)
