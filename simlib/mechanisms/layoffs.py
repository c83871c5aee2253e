"""Layoffs and discharges for cause: involuntary exits no performance policy decides.

Organizations let people go outside any rating-based exit rule: restructuring and cuts lay
people off whatever their performance, and people are discharged for cause (misconduct,
attendance), which goes with low performance only weakly. Both happen under every policy,
an absolute one with no exit rule included.

At every exit check (every ``environment.exit_check_weeks``), two uniform draws per position
from the ``layoffs`` stream (the same draws under every policy: common random numbers)
decide, for everyone employed:

* a **layoff**, with the probability of ``behaviour.exits.layoff_rate`` a year;
* else a **discharge for cause**. Conduct is a liability score correlated
  ``discharge_performance_correlation`` with low performance; a discharge is its worst
  tail. Given standardized performance ``z`` that is
  ``P(discharge | z) = Phi((-rho z - t) / sqrt(1 - rho^2))`` with ``t`` the threshold of the
  interval's rate, scaled so that the organization's mean is the stated
  ``discharge_rate`` exactly (:func:`discharge_probability`).

Leavers are counted among ``counts.exits`` (the ``involuntary_exits`` metric: everyone made
to leave) and apart in ``counts.layoffs`` and ``counts.discharges``; their positions are
refilled by hiring like any leaver's. With ``behaviour.exits: null`` or both rates 0 the
mechanism does nothing and draws nothing.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import ndtr, ndtri

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.exits import leave, performance_z, quit_probability
from simlib.state import moments
from simlib.state.compiled import KERNELS, compiled_for
from simlib.state.simulation_state import SimState


def discharge_probability(
    z: np.ndarray, active: np.ndarray, chance: float, correlation: float
) -> np.ndarray:
    """Each position's chance of a discharge for cause in one interval.

    Parameters
    ----------
    z
        Current performance, standardized over those employed (SD units).
    active
        Who is employed; their mean chance is ``chance``.
    chance
        The organization's chance of a discharge in the interval (share).
    correlation
        Correlation of the conduct liability with low performance (0 = unrelated).
    """
    if chance <= 0:
        return np.zeros(len(z))
    if correlation <= 0 or not active.any():
        return np.full(len(z), chance)
    threshold, spread = _liability_scale(chance, correlation)
    if compiled_for(len(z)):
        liability = np.empty(len(z))
        KERNELS.affine(liability, z, -correlation, threshold, spread)
    else:
        liability = np.multiply(-correlation, z)
        liability -= threshold
        liability /= spread
    ndtr(liability, out=liability)
    if compiled_for(len(z)):
        mean = float(KERNELS.active_mean(liability, active))
    else:
        mean = float(moments.mean(liability[active]))
    if mean <= 0:
        return np.full(len(z), chance)
    if compiled_for(len(z)):
        KERNELS.scaled_capped(liability, chance, mean, 1.0)
        return liability
    liability *= chance
    liability /= mean
    return np.minimum(liability, 1.0, out=liability)


@functools.lru_cache(maxsize=16)
def _liability_scale(chance: float, correlation: float) -> tuple[float, float]:
    """The conduct liability's threshold for ``chance``, and the SD of its part that
    performance does not explain."""
    return float(ndtri(1.0 - chance)), float(np.sqrt(1.0 - correlation**2))


def layoffs_and_discharges(sim: SimState) -> None:
    """At an exit check: layoffs, then discharges for cause among the rest."""
    xb = sim.scenario.behaviour.exits
    assert xb is not None
    weeks = sim.scenario.environment.exit_check_weeks
    laid_off_chance, discharge_chance = _interval_chances(xb.layoff_rate, xb.discharge_rate, weeks)
    draws = sim.streams["layoffs"].random((2, sim.workforce.size))
    wf = sim.workforce
    chance = discharge_probability(
        performance_z(sim), wf.active, discharge_chance, xb.discharge_performance_correlation
    )
    if compiled_for(wf.size):
        laid_off, discharged = KERNELS.let_go(draws, wf.active, laid_off_chance, chance)
    else:
        laid_off_mask = wf.active & (draws[0] < laid_off_chance)
        discharged_mask = wf.active & ~laid_off_mask & (draws[1] < chance)
        laid_off, discharged = laid_off_mask.nonzero()[0], discharged_mask.nonzero()[0]
    sim.counts.layoffs += len(laid_off)
    leave(sim, laid_off, voluntary=False, event="layoff", search=False)
    rows = discharged
    sim.counts.discharges += len(rows)
    leave(sim, rows, voluntary=False, event="discharge", search=False)


@functools.lru_cache(maxsize=16)
def _interval_chances(layoff_rate: float, discharge_rate: float, weeks: int) -> tuple[float, float]:
    """The chances of a layoff and of a discharge within one interval of ``weeks``."""
    return (
        float(quit_probability(layoff_rate, weeks)),
        float(quit_probability(discharge_rate, weeks)),
    )


def any_let_go(sim: SimState) -> bool:
    xb = sim.scenario.behaviour.exits
    return xb is not None and (xb.layoff_rate != 0 or xb.discharge_rate != 0)


MECHANISM = Mechanism(
    "layoffs",
    steps=(Step("exit_check", layoffs_and_discharges, when=any_let_go),),
    summary="layoffs unrelated to performance and discharges for cause, at yearly base rates",
)
