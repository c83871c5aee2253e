"""Goals: targets cascaded from the company down, their difficulty, acceptance and effect.

At the start of each review cycle every employee gets a target: the performance their
manager expects of them anyway (an estimate, with error) plus the policy's stretch. The
cascade company -> department -> team -> individual links each goal to its parent with the
policy's alignment share; work on goals cut off from the company's goals is worth less.

The goal-difficulty effect (Locke & Latham 1990, 2002): a specific goal helps a little, a
harder one more, while it is accepted; as the gap between target and capability grows past
what people believe they can reach, they give up and perform *below* "do your best".
Without re-baselining, a fall in demand widens every gap at once.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.scenario.behaviour import GoalBehaviour
from simlib.state.simulation_state import Review, SimState


def goal_response(
    gap: np.ndarray, gb: GoalBehaviour, tolerance_sd: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Acceptance (share 0–1) and performance effect (SD units) of goals ``gap`` SD away.

    Parameters
    ----------
    gap
        Target minus what the person would do anyway (SD units).
    gb
        The goal-setting assumptions.
    tolerance_sd
        Extra gap people accept before giving up (goals decoupled from pay).
    """
    z = (gap - (gb.abandon_gap_sd + tolerance_sd)) / gb.abandon_width_sd
    acceptance = 1.0 / (1.0 + np.exp(np.clip(z, -50, 50)))
    lift = gb.specific_sd + gb.difficulty_slope * np.maximum(gap, 0.0)
    effect = acceptance * lift - (1.0 - acceptance) * gb.abandon_penalty_sd
    return acceptance, effect


def capability(sim: SimState) -> np.ndarray:
    """What each person would do now without extra effort (SD units, market included)."""
    wf = sim.workforce
    return wf.potential + wf.skill + sim.market_level


def cascade_alignment(sim: SimState) -> np.ndarray:
    """Whether each position's goal links all the way up: department, team, individual.

    Draws one uniform per department, team and position (the same count under every
    policy, so the goals stream stays aligned).
    """
    wf = sim.workforce
    chart = wf.chart
    share = sim.policy.goals.alignment
    rng = sim.streams["goals"]
    dept = rng.random(len(chart.department_names)) < share
    team = rng.random(len(chart.team_department)) < share
    own = rng.random(wf.size) < share
    return dept[chart.department] & team[chart.team] & own


def set_targets(sim: SimState) -> None:
    """New goals for everyone employed, at the start of a review cycle."""
    wf = sim.workforce
    policy = sim.policy.goals
    gb = sim.scenario.behaviour.goals
    noise = sim.streams["goals"].standard_normal(wf.size)
    wf.aligned[:] = cascade_alignment(sim)
    baseline = capability(sim) + gb.estimate_noise_sd * noise
    wf.goal_baseline[:] = np.where(wf.active, baseline, np.nan)
    wf.goal_target[:] = wf.goal_baseline + policy.stretch
    refresh(sim)


def refresh(sim: SimState) -> None:
    """Recompute acceptance and goal effect from today's targets and capability."""
    wf = sim.workforce
    policy = sim.policy.goals
    if policy.regime == "none":
        wf.goal_acceptance[:] = 1.0
        wf.goal_effect[:] = 0.0
        return
    gb = sim.scenario.behaviour.goals
    has_goal = np.isfinite(wf.goal_target)
    gap = np.where(has_goal, wf.goal_target - capability(sim), 0.0)
    tolerance = gb.decoupled_tolerance_sd * (1.0 - policy.coupling)
    acceptance, effect = goal_response(gap, gb, tolerance)
    wf.goal_acceptance[:] = np.where(has_goal, acceptance, 1.0)
    wf.goal_effect[:] = np.where(has_goal, effect, 0.0)


def on_market_change(sim: SimState, old: float, new: float) -> None:
    """Demand moved: re-baseline targets if the policy says so, then re-weigh the goals."""
    if sim.policy.goals.rebaseline:
        shift = new - old
        sim.workforce.goal_baseline += shift
        sim.workforce.goal_target += shift
        sim.counts.rebaselines += 1
    refresh(sim)


def attainment(sim: SimState, rows: np.ndarray) -> np.ndarray:
    """OKR-style grade 0–1 of each row's cycle: progress of measured output to target.

    Progress is measured output above the baseline over the target's distance above it,
    capped to 0–1; rows without a target (or a zero stretch) are NaN.
    """
    wf = sim.workforce
    k = sim.scenario.behaviour.output_per_sd
    weeks = wf.weeks_cum[rows] - wf.weeks_cycle_start[rows]
    mw = wf.measured_weeks_cum[rows] - wf.measured_weeks_cycle_start[rows]
    mp = wf.measured_perf_cum[rows] - wf.measured_perf_cycle_start[rows]
    with np.errstate(invalid="ignore", divide="ignore"):
        measured = (mw + k * mp) / weeks  # output per week, 1 = average full-speed hire
        base = 1.0 + k * wf.goal_baseline[rows]
        target = 1.0 + k * wf.goal_target[rows]
        progress = (measured - base) / (target - base)
    ok = (weeks > 0) & np.isfinite(progress) & (target - base > 1e-12)
    return np.where(ok, np.clip(progress, 0.0, 1.0), np.nan)


def measured_bias(sim: SimState, mean_rate: np.ndarray, weeks: np.ndarray) -> np.ndarray:
    """How much better each person looks (SD units) because the rating counts measured KPIs.

    Measured output runs ahead of total output by the work moved to measured tasks; the
    rating sees that excess in proportion to the weight of measured KPIs in pay decisions.
    """
    wf = sim.workforce
    w = sim.policy.goals.measured_pay_weight
    k = sim.scenario.behaviour.output_per_sd
    if w == 0 or k == 0:
        return np.zeros(wf.size)
    mw = wf.measured_weeks_cum - wf.measured_weeks_cycle_start
    mp = wf.measured_perf_cum - wf.measured_perf_cycle_start
    with np.errstate(invalid="ignore", divide="ignore"):
        measured_sd = ((mw + k * mp) / weeks - 1.0) / k
    excess = np.where(weeks > 0, measured_sd - mean_rate, 0.0)
    return w * np.nan_to_num(excess)


def record_attainment(sim: SimState, review: Review) -> None:
    """The mean OKR-style grade of the rated this cycle, for the ``kpi_attainment`` metric."""
    if sim.policy.goals.regime == "none":
        return
    attained = attainment(sim, review.rated)
    if np.isfinite(attained).any():
        sim.cycle_results.kpi_attainment = float(np.nanmean(attained))


MECHANISM = Mechanism(
    "goals",
    steps=(
        Step("new_cycle", set_targets),
        Step("after_review", record_attainment),
        Step("market_change", on_market_change, after=("engagement",)),
    ),
    summary="targets cascaded each cycle; difficulty, acceptance and abandonment; re-baselining",
)
