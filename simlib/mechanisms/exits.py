"""Exits: voluntary quits as a hazard, and how anyone leaves (:func:`leave`).

Involuntary exits are decided elsewhere: by the policy's exit rule
(:mod:`simlib.mechanisms.consequences`) and by layoffs and discharges for cause
(:mod:`simlib.mechanisms.layoffs`).

Quits are drawn at every exit check (every ``environment.exit_check_weeks``) for everyone
employed, from a yearly rate turned into the probability of leaving within the interval.
One uniform draw per position per check keeps the quits stream aligned across policies.

The hazard's intercept, ``sim.turnover.neutral_quit_rate``, is set by the engine so that the
status-quo policy realises the scenario's ``voluntary_quit_rate``; the terms here are what
move another policy away from it. Outside employers pay for the performance they can see:
a promotion is a public signal, so a promoted person's market standing is at least what
the market reads into a promotion in this organization (the mean standing of those
promoted), and their pay must keep up with that or they are pulled away.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from simlib.mechanisms import engagement
from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.hiring import open_vacancies
from simlib.scenario.behaviour import ExitBehaviour
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.state.compiled import KERNELS, compiled_for
from simlib.state.counts import quintile_counts
from simlib.state.moments import clip, mean_sd
from simlib.state.simulation_state import SimState
from simlib.state.turnover import Departures


def quit_probability(yearly_rate: float | np.ndarray, weeks: float) -> np.ndarray:
    """Probability of quitting within ``weeks`` at a constant yearly turnover rate."""
    if isinstance(yearly_rate, np.ndarray):
        stay = np.subtract(1.0, clip(yearly_rate, 0.0, 1.0 - 1e-12))
        stay **= weeks / WEEKS_PER_YEAR
        return np.subtract(1.0, stay, out=stay)
    rate = np.clip(yearly_rate, 0.0, 1.0 - 1e-12)
    return 1.0 - (1.0 - rate) ** (weeks / WEEKS_PER_YEAR)


def leave(
    sim: SimState,
    rows: np.ndarray,
    voluntary: bool,
    event: str | None = None,
    search: bool = True,
) -> None:
    """People in ``rows`` leave now (quits or exits); their positions become vacancies.

    With ``search`` false the vacancies only join the recruiters' queue (an exit check's
    steps: the engine starts the searches once the check is done).

    Involuntary leavers are counted in ``counts.exits`` and marked in
    ``workforce.left_involuntarily_week``. ``event`` names them in the trace (default
    ``quit`` or ``exit``).
    """
    if len(rows) == 0:
        return
    sim.catch_up()
    departures = sim.turnover.departures
    if departures is not None:
        wf = sim.workforce
        hired = wf.hired_week[rows].copy()
        kind = event or ("quit" if voluntary else "exit")
        salary, group = wf.salary[rows].copy(), wf.group[rows].copy()
        departures.append(Departures(sim.now, rows.copy(), hired, voluntary, kind, salary, group))
    sim.workforce.vacate(rows)
    if voluntary:
        sim.counts.quits += len(rows)
    else:
        sim.counts.exits += len(rows)
        sim.workforce.left_involuntarily_week[rows] = sim.now
    sim.log(event or ("quit" if voluntary else "exit"), len(rows))
    open_vacancies(sim, rows, search)


def performance_z(sim: SimState) -> np.ndarray:
    """Each position's current performance rate, standardized over those employed (SD)."""
    wf = sim.workforce
    if compiled_for(wf.size):
        z = np.empty(wf.size)
        if KERNELS.standardized(z, wf.potential, wf.skill, wf.drive, wf.active):
            return z
        return np.zeros(wf.size)
    rate = wf.potential + wf.skill + wf.drive
    employed = rate[wf.active]
    if len(employed) < 2:
        return np.zeros(wf.size)
    centre, sd = mean_sd(employed)
    if not sd > 0:
        return np.zeros(wf.size)
    rate -= centre
    rate /= sd
    return rate


def market_standing(sim: SimState, z: np.ndarray) -> np.ndarray:
    """The performance standing (SD) outside employers see: one's own, or for the promoted
    at least ``promotion_visibility`` x the mean standing of everyone promoted so far."""
    xb = sim.scenario.behaviour.exits
    signal = sim.turnover.promotion_signal_sd
    if xb is None or xb.promotion_visibility == 0 or not math.isfinite(signal):
        return z
    promoted = sim.workforce.level > 0
    return np.where(promoted, np.maximum(z, xb.promotion_visibility * signal), z)


def quit_hazard(sim: SimState, z: np.ndarray) -> np.ndarray:
    """Yearly quit rate of each position (share), given standardized performance ``z``.

    ``intercept x U(z) x pay lag x engagement x fairness`` (the sizes and their sources are
    in :class:`~simlib.scenario.behaviour.ExitBehaviour`):

    * U-shaped in performance, ``exp(c z^2) sqrt(1 - 2c)`` (mean 1 over a normal
      workforce): the weakest are pushed, the best pulled by outside offers (Trevor,
      Gerhart & Boudreau 1997);
    * people whose pay growth lags what the market would pay for the performance it sees
      quit more: ``exp(s * lag)``, with
      ``lag = max(0, drift + premium * clip(standing, 0, 2) - pay growth)``, where the
      standing is :func:`market_standing` (Trevor et al. 1997; Nyberg 2010);
    * low engagement and low perceived fairness raise it (Griffeth, Hom & Gaertner 2000;
      Colquitt et al. 2001).

    The intercept is ``sim.turnover.neutral_quit_rate``.
    """
    base = sim.turnover.neutral_quit_rate
    xb = sim.scenario.behaviour.exits
    wf = sim.workforce
    if xb is None:
        return np.full(wf.size, base)
    hazard = np.exp(log_hazard_terms(sim, z, xb))
    hazard *= base
    return hazard


@functools.lru_cache(maxsize=16)
def u_normaliser(curvature: float) -> float:
    """log sqrt(1 - 2c): what makes the U-shape's terms average 1 over a normal workforce."""
    return 0.5 * np.log(1.0 - 2.0 * curvature)


def log_hazard_terms(sim: SimState, z: np.ndarray, xb: ExitBehaviour) -> np.ndarray:
    """The log of the hazard's terms beyond the intercept (0 = neutral), capped at 50."""
    wf = sim.workforce
    drift = sim.scenario.environment.pay_drift
    c = xb.u_curvature
    if compiled_for(wf.size):
        return _log_hazard_compiled(sim, z, xb)
    log_h = c * z
    log_h *= z
    log_h += u_normaliser(c)
    growth = np.where(np.isnan(wf.pay_growth), drift, wf.pay_growth)  # none yet: the market
    lag = clip(market_standing(sim, z), 0.0, 2.0)
    lag *= xb.market_premium_per_sd
    np.add(drift, lag, out=lag)  # the growth the standing deserves
    lag -= growth
    np.maximum(lag, 0.0, out=lag)
    lag *= xb.pay_lag_sensitivity
    log_h += lag
    eb = sim.scenario.behaviour.engagement
    usual = eb.set_point if eb is not None else wf.NEW_HIRE_ENGAGEMENT
    attitude = np.subtract(wf.engagement, usual)
    attitude *= xb.engagement_sensitivity
    log_h -= attitude
    np.subtract(wf.fairness_belief, wf.NEW_HIRE_FAIRNESS, out=attitude)
    attitude *= xb.fairness_sensitivity
    log_h -= attitude
    return np.minimum(log_h, 50.0, out=log_h)  # a certain quit long before the cap


def _log_hazard_compiled(sim: SimState, z: np.ndarray, xb: ExitBehaviour) -> np.ndarray:
    """:func:`log_hazard_terms` with its loop compiled (the same steps)."""
    assert KERNELS is not None
    wf = sim.workforce
    signal = sim.turnover.promotion_signal_sd
    floor = xb.promotion_visibility != 0 and math.isfinite(signal)
    eb = sim.scenario.behaviour.engagement
    scalars = np.array(
        [
            xb.u_curvature,
            u_normaliser(xb.u_curvature),
            sim.scenario.environment.pay_drift,
            xb.promotion_visibility * signal if floor else 0.0,
            xb.market_premium_per_sd,
            xb.pay_lag_sensitivity,
            eb.set_point if eb is not None else wf.NEW_HIRE_ENGAGEMENT,
            xb.engagement_sensitivity,
            wf.NEW_HIRE_FAIRNESS,
            xb.fairness_sensitivity,
        ]
    )
    log_h = np.empty(wf.size)
    KERNELS.log_hazard(
        log_h, z, wf.pay_growth, wf.level, wf.engagement, wf.fairness_belief, scalars, floor
    )
    return log_h


def quit_check(sim: SimState) -> None:
    """Each employee quits with the hazard's probability over ``exit_check_weeks``.

    Quits of people in the top 20% by current performance are also counted as
    ``regretted_quits``; ``quits_by_quintile`` and ``at_risk_by_quintile`` count quits and
    people at risk by performance quintile (0 = bottom fifth) for the turnover curve. The
    quit probabilities and the person-years at risk are summed in ``sim.turnover`` (what
    the engine's anchor measures: expected quits, free of the draws' noise).
    """
    weeks = sim.scenario.environment.exit_check_weeks
    draws = sim.streams["quits"].random(sim.workforce.size)
    wf = sim.workforce
    z = performance_z(sim)
    if sim.scenario.behaviour.exits is not None:
        engagement.advance(sim)
    xb = sim.scenario.behaviour.exits
    if compiled_for(wf.size) and xb is not None:  # the same steps, the loops compiled
        stay = np.exp(log_hazard_terms(sim, z, xb))
        KERNELS.chance_to_stay(stay, sim.turnover.neutral_quit_rate, 1.0 - 1e-12)
        stay **= weeks / WEEKS_PER_YEAR
        rows, expected = KERNELS.quits(stay, draws, wf.active)
        sim.turnover.expected_quits += expected
    else:
        probability = quit_probability(quit_hazard(sim, z), weeks)
        quits = wf.active & (draws < probability)
        sim.turnover.expected_quits += float(probability[wf.active].sum())
        rows = quits.nonzero()[0]
    employed = wf.headcount
    sim.turnover.exposure_years += employed * weeks / WEEKS_PER_YEAR
    if employed:
        exposed, quit_by = quintile_counts(z, wf.active, rows)  # 0 = bottom fifth
        sim.counts.regretted_quits += int(quit_by[4])
        sim.counts.at_risk_by_quintile += exposed
        sim.counts.quits_by_quintile += quit_by
    leave(sim, rows, voluntary=True, search=False)


def quits_drawn(sim: SimState) -> bool:
    return sim.scenario.behaviour.voluntary_quit_rate > 0


MECHANISM = Mechanism(
    "exits",
    steps=(Step("exit_check", quit_check, when=quits_drawn),),
    summary="voluntary quits as a hazard: U-shaped in performance, pay lag, engagement, fairness",
)
