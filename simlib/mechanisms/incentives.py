"""Incentive responses: effort, gaming, helping and sabotage, all vectorized.

* **Effort** (expectancy theory, Vroom 1964): the *stake* is what one more SD of
  performance is believed to be worth, in % of yearly salary: the spread of what the
  grades bring (merit raise, bonus, promotion, job loss; the valences) times how strongly
  grades follow performance (the instrumentality), both learned from experience
  (:mod:`simlib.mechanisms.expectations`). Effort rises with the stake (x line of sight
  when pay rests on measured KPIs), with a diminishing return against the cost of effort.
  Engagement and perceived fairness add a small effect of their own around their usual
  levels instead of multiplying the stake: whether performance pays is already the
  learned link (a fairness multiplier would count it twice), expectancy models that
  multiply their terms predict no better than the terms alone (Van Eerde & Thierry 1996),
  and attitudes move later performance only weakly (Riketta 2008: beta = .06).
* **Gaming**: work moved from unmeasured to measured tasks, rising with the weight of
  measured KPIs in pay and a personal propensity. Measured and unmeasured work are
  complements (Cobb-Douglas at their baseline shares), so gaming lifts KPIs and lowers
  business value (Kerr 1975; Holmström & Milgrom 1991).
* **Cooperation and sabotage**: under relative ranking a teammate's gain is one's loss.
  Helping falls with the stake; sabotage rises with the stake to the power 1.5, faster
  than effort (Harbring & Irlenbusch 2011). Both act on teammates' performance.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.scenario.behaviour import IncentiveBehaviour
from simlib.state.compiled import KERNELS, compiled_for
from simlib.state.moments import clip
from simlib.state.simulation_state import SimState
from simlib.state.workforce import Teammates, Workforce

NEUTRAL_ENGAGEMENT = 0.7  # the new-hire level: helping is at its base here
# One SD of an attitude across people on the 0-1 scale: a 1-5 survey item's SD of ~0.9
# points (the reading behind behaviour.exits.engagement_sensitivity).
ATTITUDE_SD = 0.22


def is_relative(sim: SimState) -> bool:
    """Grades handed out by rank within a unit: one's gain is a teammate's loss."""
    return sim.policy.rating.scheme == "forced_distribution"


def ranked(sim: SimState) -> float | np.ndarray:
    """1 where grades are handed out by rank, else 0; in a pilot's mixed run, per position
    by its arm's rating."""
    arms = sim.pilot_arms
    if arms is None:
        return 1.0 if is_relative(sim) else 0.0
    p, b = (float(policy.rating.scheme == "forced_distribution") for policy, _ in arms.each())
    return np.where(arms.in_pilot, p, b)


def believed_stake(sim: SimState) -> float | np.ndarray:
    """The stake people believe in; in a mixed run with beliefs per arm, per position."""
    arms = sim.pilot_arms
    if arms is None or not arms.beliefs:
        return sim.beliefs.stake
    return np.where(arms.in_pilot, arms.beliefs[True].stake, arms.beliefs[False].stake)


def draw_traits(sim: SimState) -> None:
    """Gaming and sabotage propensities (mean 1, lognormal) for anyone still without.

    Draws for every position each time (aligned streams); only newcomers take them.
    """
    wf = sim.workforce
    inc = sim.scenario.behaviour.incentives
    if inc is None:
        return  # traits unused; the stream is the same for every policy either way
    z = sim.streams["traits"].standard_normal((2, wf.size))
    sd = inc.gaming_propensity_sd
    traits = np.exp(sd * z - 0.5 * sd * sd)
    missing = np.isnan(wf.gaming_propensity)
    wf.inputs_revision += 1
    wf.gaming_propensity[missing] = traits[0, missing]
    wf.sabotage_propensity[missing] = traits[1, missing]


def usual_attitudes(sim: SimState) -> tuple[float, float]:
    """Engagement and perceived fairness at which attitudes neither add nor take effort.

    Engagement's set point (the new-hire level when engagement does not move) and the
    new-hire fairness: the levels the quit hazard also measures attitudes from.
    """
    eb = sim.scenario.behaviour.engagement
    wf = sim.workforce
    engagement = eb.set_point if eb is not None else wf.NEW_HIRE_ENGAGEMENT
    return engagement, wf.NEW_HIRE_FAIRNESS


def effort_level(
    stake: float,
    line_of_sight: float,
    inc: IncentiveBehaviour,
) -> float:
    """Extra performance the stake draws (SD units): diminishing returns to the force."""
    force = max(stake, 0.0) * line_of_sight / inc.effort_cost
    return float(inc.effort_max_sd * (1.0 - np.exp(-force)))


def attitude_effect(
    engagement: np.ndarray,
    fairness: np.ndarray,
    usual: tuple[float, float],
    inc: IncentiveBehaviour,
) -> np.ndarray:
    """Performance (SD units) engagement and perceived fairness add around their usual levels.

    Linear in each attitude, measured in SDs across people (``ATTITUDE_SD``): per SD,
    ``engagement_performance_sd`` and ``fairness_performance_sd``.
    """
    usual_engagement, usual_fairness = usual
    effect = np.subtract(engagement, usual_engagement)
    effect *= inc.engagement_performance_sd
    from_fairness = np.subtract(fairness, usual_fairness)
    from_fairness *= inc.fairness_performance_sd
    effect += from_fairness
    effect /= ATTITUDE_SD
    return effect


def complement_factors(gaming: np.ndarray, measured_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Measured output and business value per unit of output, for each gaming share.

    Work moved to measured tasks raises measured output by ``m / m0``; business value is a
    Cobb-Douglas of measured and unmeasured work at their baseline shares, so it is 1
    without gaming and falls ever faster as gaming grows.
    """
    m0 = measured_share
    m = m0 + gaming * (1.0 - m0)
    measured = m / m0
    value = measured**m0 * ((1.0 - m) / (1.0 - m0)) ** (1.0 - m0)
    return measured, value


def team_others_mean(
    values: np.ndarray,
    team: np.ndarray,
    active: np.ndarray,
    teammates: Teammates | None = None,
) -> np.ndarray:
    """Mean of ``values`` over each person's active teammates (0 for someone alone).

    ``teammates`` counts them (default: counted here from ``team`` and ``active``).
    """
    v = np.where(active, values, 0.0)
    if not np.count_nonzero(v):
        return np.zeros(len(values))  # nobody does it (e.g. sabotage without ranking)
    total = np.bincount(team, weights=v)
    mates = Teammates.count(team, active) if teammates is None else teammates
    return np.where(mates.any, (total[team] - v) / mates.divisor, 0.0)


def update(sim: SimState) -> None:
    """Recompute everyone's effort, gaming, helping, sabotage and their performance drive.

    Call after :meth:`SimState.catch_up`: the new drive applies from now on.
    """
    wf = sim.workforce
    inc = sim.scenario.behaviour.incentives
    goals = sim.policy.goals
    if inc is None:
        wf.drive[:] = np.where(wf.active, wf.goal_effect + wf.feedback_effect, 0.0)
        wf.value_factor[:] = _aligned_share(sim)
        return
    if sim.pilot_arms is not None:
        return mixed_update(sim, inc, _aligned_share(sim))
    stake = sim.beliefs.stake
    relative = 1.0 if is_relative(sim) else 0.0
    if compiled_for(wf.size):
        _update_compiled(sim, inc, stake, relative)
        return
    attitudes = attitude_effect(wf.engagement, wf.fairness_belief, usual_attitudes(sim), inc)
    w = goals.measured_pay_weight
    line_of_sight = 1.0 + inc.line_of_sight_gain * w
    np.add(effort_level(stake, line_of_sight, inc), attitudes, out=wf.effort)
    help_level = np.divide(wf.engagement, NEUTRAL_ENGAGEMENT, out=wf.helping)
    help_level *= inc.help_base
    help_level *= np.exp(-relative * inc.help_ranking_sensitivity * max(stake, 0.0))
    clip(help_level, 0.0, 1.0, out=wf.helping)
    pressure = relative * (max(stake, 0.0) / inc.sabotage_stake_ref) ** 1.5
    sabotages = inc.sabotage_propensity * pressure != 0  # else nobody sabotages
    # Gaming, sabotage and the output factors read only the propensities, the stake, the
    # alignment and the policy: recomputed when one of them (or the roster) has changed.
    key = (wf.roster, wf.inputs_revision, stake, id(sim.policy))
    if wf.incentive_key != key:
        _gaming_and_sabotage(sim, inc, w, sabotages, pressure, relative)
        wf.incentive_key = key

    _drive(wf, inc, sabotages)


def _update_compiled(sim: SimState, inc: IncentiveBehaviour, stake: float, relative: float) -> None:
    """:func:`update` for everyone under one policy, its loops compiled (the same steps)."""
    assert KERNELS is not None
    wf = sim.workforce
    scalars, sabotages = compiled_inputs(sim, inc, stake, relative)
    mates = wf.teammates()
    KERNELS.incentives(
        wf.effort,
        wf.helping,
        wf.drive,
        wf.engagement,
        wf.fairness_belief,
        wf.goal_effect,
        wf.feedback_effect,
        wf.sabotage,
        wf.chart.team,
        wf.active,
        mates.any,
        mates.divisor,
        scalars,
        sabotages,
    )


def compiled_inputs(
    sim: SimState, inc: IncentiveBehaviour, stake: float, relative: float
) -> tuple[np.ndarray, bool]:
    """What the compiled :func:`update` reads besides the workforce: its sizes (see
    ``simlib.state.compiled``) and whether anyone sabotages, kept while the stake and the
    policy stay (nothing else they read changes in a run). Recomputes gaming and sabotage
    first if what they read has changed."""
    wf = sim.workforce
    goals = sim.policy.goals
    w = goals.measured_pay_weight
    line_of_sight = 1.0 + inc.line_of_sight_gain * w
    pressure = relative * (max(stake, 0.0) / inc.sabotage_stake_ref) ** 1.5
    sabotages = inc.sabotage_propensity * pressure != 0
    key = (wf.roster, wf.inputs_revision, stake, id(sim.policy))
    if wf.incentive_key != key:
        _gaming_and_sabotage(sim, inc, w, sabotages, pressure, relative)
        wf.incentive_key = key
    kept = wf.incentive_sizes
    if kept is not None and kept[0] == (stake, id(sim.policy)):
        return kept[1], kept[2]
    usual_engagement, usual_fairness = usual_attitudes(sim)
    help_factor = np.exp(-relative * inc.help_ranking_sensitivity * max(stake, 0.0))
    scalars = np.array(
        [
            usual_engagement,
            usual_fairness,
            inc.engagement_performance_sd,
            inc.fairness_performance_sd,
            ATTITUDE_SD,
            effort_level(stake, line_of_sight, inc),
            NEUTRAL_ENGAGEMENT,
            inc.help_base,
            help_factor,
            inc.help_effect_sd,
            inc.sabotage_effect_sd,
        ]
    )
    wf.incentive_sizes = ((stake, id(sim.policy)), scalars, bool(sabotages))
    return scalars, bool(sabotages)


def _gaming_and_sabotage(
    sim: SimState,
    inc: IncentiveBehaviour,
    w: float,
    sabotages: bool,
    pressure: float,
    relative: float,
) -> None:
    """Everyone's gaming and sabotage shares, and the measured-output and value factors."""
    wf = sim.workforce
    # Without pay on measured KPIs nobody games: gaming stays at the newcomer's 0 and the
    # measured-output factor at 1 (nothing else moves them).
    games = inc.gaming_at_full_weight * w != 0
    if games:
        propensity = _known_or_one(wf.gaming_propensity)
        clip(inc.gaming_at_full_weight * w * propensity, 0.0, 1.0, out=wf.gaming)
    if sabotages:
        propensity = _known_or_one(wf.sabotage_propensity)
        clip(inc.sabotage_propensity * propensity * pressure, 0.0, 1.0, out=wf.sabotage)
    elif relative:  # no stake left: sabotage stops (without ranking it never starts)
        wf.sabotage[:] = 0.0
    if games:
        measured, value = complement_factors(wf.gaming, inc.measured_share)
        wf.measured_factor[:] = measured
        wf.value_factor[:] = value * _aligned_share(sim)
    else:  # what complement_factors gives without gaming: 1 and 1
        wf.value_factor[:] = _aligned_share(sim)


def _aligned_share(sim: SimState) -> np.ndarray:
    """Each position's share of value kept: 1 if aligned, else less the misalignment loss."""
    misalignment = sim.scenario.behaviour.goals.misalignment_loss
    return np.where(sim.workforce.aligned, 1.0, 1.0 - misalignment)


def mixed_update(sim: SimState, inc: IncentiveBehaviour, aligned: np.ndarray) -> None:
    """:func:`update` in a pilot's mixed run: each arm's stake (from its own beliefs), line
    of sight (its weight of measured KPIs) and ranking, per position."""
    wf = sim.workforce
    arms = sim.pilot_arms
    assert arms is not None
    stake = believed_stake(sim)
    relative = ranked(sim)
    attitudes = attitude_effect(wf.engagement, wf.fairness_belief, usual_attitudes(sim), inc)
    w = arms.measured_pay_weight
    p_stake = b_stake = sim.beliefs.stake
    if arms.beliefs:
        p_stake, b_stake = arms.beliefs[True].stake, arms.beliefs[False].stake
    p_effort, b_effort = (
        effort_level(s, 1.0 + inc.line_of_sight_gain * arm.goals.measured_pay_weight, inc)
        for s, arm in ((p_stake, arms.pilot), (b_stake, arms.baseline))
    )
    np.add(np.where(arms.in_pilot, p_effort, b_effort), attitudes, out=wf.effort)
    if np.any(inc.gaming_at_full_weight * w != 0):
        propensity = _known_or_one(wf.gaming_propensity)
        clip(inc.gaming_at_full_weight * w * propensity, 0.0, 1.0, out=wf.gaming)
    positive = np.maximum(stake, 0.0)
    help_level = np.divide(wf.engagement, NEUTRAL_ENGAGEMENT, out=wf.helping)
    help_level *= inc.help_base
    help_level *= np.exp(-relative * inc.help_ranking_sensitivity * positive)
    clip(help_level, 0.0, 1.0, out=wf.helping)
    pressure = relative * (positive / inc.sabotage_stake_ref) ** 1.5
    sabotages = bool(np.any(inc.sabotage_propensity * pressure != 0))
    if sabotages:
        propensity = _known_or_one(wf.sabotage_propensity)
        clip(inc.sabotage_propensity * propensity * pressure, 0.0, 1.0, out=wf.sabotage)
    else:
        wf.sabotage[:] = 0.0
    _drive(wf, inc, sabotages)
    if np.any(inc.gaming_at_full_weight * w != 0):
        measured, value = complement_factors(wf.gaming, inc.measured_share)
        wf.measured_factor[:] = measured
        wf.value_factor[:] = value * aligned
    else:
        wf.value_factor[:] = aligned


def _drive(wf: Workforce, inc: IncentiveBehaviour, sabotages: bool) -> None:
    """Everyone's performance drive: effort, goal and feedback, plus teammates' help, less
    their sabotage (where anyone sabotages)."""
    team, mates = wf.chart.team, wf.teammates()
    drive = wf.effort + wf.goal_effect
    drive += wf.feedback_effect
    helped = team_others_mean(wf.helping, team, wf.active, mates)
    helped *= inc.help_effect_sd
    drive += helped
    if sabotages:
        hurt = team_others_mean(wf.sabotage, team, wf.active, mates)
        hurt *= inc.sabotage_effect_sd
        drive -= hurt
    wf.drive[:] = np.where(wf.active, drive, 0.0)


def _known_or_one(propensity: np.ndarray) -> np.ndarray:
    """A personal propensity, 1 (the mean) where not drawn yet (nan)."""
    return np.where(np.isnan(propensity), 1.0, propensity)


def prepare_cycle(sim: SimState) -> None:
    """Traits for newcomers, then everyone's effort and behaviour for the cycle ahead."""
    draw_traits(sim)
    update(sim)


def market_moved(sim: SimState, old: float, new: float) -> None:
    """Demand moved: effort and behaviour respond to the re-weighed goals."""
    update(sim)


MECHANISM = Mechanism(
    "incentives",
    steps=(
        Step("new_cycle", prepare_cycle),
        Step("market_change", market_moved, after=("goals",)),
    ),
    summary="effort from the perceived stake; gaming, helping and sabotage",
)
