"""Goals: targets cascaded from the company down, their difficulty, acceptance and effect.

At the start of each review cycle every employee gets a target: the performance their
manager expects of them anyway (an estimate, with error) plus the policy's stretch. What
they would do anyway is the level they work at now apart from the goal: capability, the
effort today's incentives draw and what teammates' help and sabotage add. A target that
ignored effort would be met by the effort alone. The cascade company -> department -> team
-> individual links each goal to its parent with the policy's alignment share; work on
goals cut off from the company's goals is worth less.

What the KPIs count runs ahead of the work done when people game them, but only so far:
the excess over the measured part of their real output is capped at the gameable share
(``behaviour.goals.gameable_share``), so gaming can lift goal attainment and flatter a
rating by that much and no more.

The goal-difficulty effect (Locke & Latham 1990, 2002): a specific goal helps a little, a
harder one more, while it is accepted; as the gap between target and capability grows past
what people believe they can reach, they give up and perform *below* "do your best".
Without re-baselining, a fall in demand widens every gap at once.

How many meet their KPI target follows from three sizes: the policy's stretch above the
level people work at apart from the goal, the goal's own effect on that level, and gaming's
lift of what the KPIs count (at most ``gameable_share`` of output, which is more SD units
where output is higher). With the defaults (stretch 0.5 SD, goal effect about 0.17 SD,
lift 0.3-0.36 SD) about half of the people meet it, luck and the managers' estimate error
deciding who; across ``gameable_share``'s range (0.02-0.10) from under a third to over
three quarters. Practice sets "highly achievable" budget targets that 80-90% of managers
meet (Merchant & Manzoni 1989), so a majority at the cap is not in itself a fault.

With team goals (``goals.level: team``) a team shares one target: its members' estimated
levels averaged, plus the stretch. Every member judges the goal by the team's gap and
strives for it as for an own goal; attainment is the team's.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms import incentives
from simlib.mechanisms.base import Mechanism, Step
from simlib.scenario.behaviour import GoalBehaviour
from simlib.state.moments import nan_mean
from simlib.state.simulation_state import Review, SimState


def goal_response(
    gap: np.ndarray, gb: GoalBehaviour, tolerance_sd: float | np.ndarray = 0.0
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


def working_level(sim: SimState) -> np.ndarray:
    """What each person works at now apart from their goal (SD units): capability, effort,
    and teammates' help and sabotage (the performance drive less the goal's own effect)."""
    wf = sim.workforce
    return capability(sim) + wf.drive - wf.goal_effect


def team_mean(values: np.ndarray, team: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """Each position's team mean of ``values`` over the ``counted`` positions (nan if none)."""
    n_teams = int(team.max()) + 1 if len(team) else 0
    total = np.bincount(team, weights=np.where(counted, values, 0.0), minlength=n_teams)
    count = np.bincount(team, weights=counted, minlength=n_teams)
    mean = np.full(n_teams, np.nan)  # a team with nobody counted
    np.divide(total, count, out=mean, where=count > 0)
    return mean[team]


def stretch(sim: SimState) -> float | np.ndarray:
    """How far targets sit above what people would do anyway (SD units); in a pilot's mixed
    run, each position's arm's (:mod:`simlib.state.pilot_arms`)."""
    arms = sim.pilot_arms
    return sim.policy.goals.stretch if arms is None else arms.goal_stretch


def coupling(sim: SimState) -> float | np.ndarray:
    """How far goal attainment feeds pay (0–1); in a mixed run, each position's arm's."""
    arms = sim.pilot_arms
    return sim.policy.goals.coupling if arms is None else arms.goal_coupling


def measured_pay_weight(sim: SimState) -> float | np.ndarray:
    """Weight of measured KPIs in what decides pay; in a mixed run, each position's arm's."""
    arms = sim.pilot_arms
    return sim.policy.goals.measured_pay_weight if arms is None else arms.measured_pay_weight


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
    if sim.pilot_arms is None:
        team = rng.random(len(chart.team_department)) < share
        own = rng.random(wf.size) < share
        return dept[chart.department] & team[chart.team] & own
    # A pilot: team and own links by the position's arm (a team is in one arm); the
    # department's link stays the baseline's (``share`` is B's in the combined policy).
    mixed = sim.pilot_arms.goal_alignment
    team_links = rng.random(len(chart.team_department))[chart.team] < mixed
    own = rng.random(wf.size) < mixed
    return dept[chart.department] & team_links & own


def set_targets(sim: SimState) -> None:
    """New goals for everyone employed, at the start of a review cycle.

    Runs after the incentives mechanism has prepared the cycle: newcomers' gaming and
    sabotage propensities are drawn and everyone's effort, helping and sabotage worked out
    first, so targets sit above the level people will work at this cycle. (Targets set on
    propensities not yet drawn read every newcomer as the mean: under relative ranking at
    week 0 that overstated teammates' sabotage, and the first cycle's targets sat about
    0.2 SD too low.) Effort is brought up to date again for this cycle's alignment.
    """
    wf = sim.workforce
    policy = sim.policy.goals
    gb = sim.scenario.behaviour.goals
    noise = sim.streams["goals"].standard_normal(wf.size)
    wf.aligned[:] = cascade_alignment(sim)
    wf.inputs_revision += 1
    incentives.update(sim)
    if not targets_read(sim):
        refresh(sim)
        return
    baseline = working_level(sim) + gb.estimate_noise_sd * noise
    wf.goal_baseline[:] = np.where(wf.active, baseline, np.nan)
    if policy.level == "team":
        baseline = team_mean(baseline, wf.chart.team, wf.active)
    wf.goal_target[:] = np.where(wf.active, baseline + stretch(sim), np.nan)
    refresh(sim)


def targets_read(sim: SimState) -> bool:
    """Whether anything reads this cycle's targets: goal acceptance and effect and the
    attainment grade do under a goal regime, and the check-ins' early warning reads the
    baselines under any. Without them targets stay unset (nan), as a newcomer's are; the
    goals stream still draws the estimate errors, so the cascade's draws stay aligned."""
    return sim.policy.goals.regime != "none" or sim.policy.checkins.early_warning_weeks is not None


def refresh(sim: SimState) -> None:
    """Recompute acceptance and goal effect from today's targets and working level.

    People judge a target's difficulty by how far it is from what the KPIs will show of
    them anyway, gaming included: a target that gaming gets them part of the way to draws
    less real striving. The performance drive moves with the goal effect, so it stays the
    sum of its parts.
    """
    wf = sim.workforce
    policy = sim.policy.goals
    old_effect = wf.goal_effect.copy()
    if policy.regime == "none":
        wf.goal_acceptance[:] = 1.0
        wf.inputs_revision += 1
        wf.goal_effect[:] = 0.0
    else:
        gb = sim.scenario.behaviour.goals
        has_goal = np.isfinite(wf.goal_target)
        anyway = working_level(sim) + kpi_lift(sim)
        if policy.level == "team":
            anyway = team_mean(anyway, wf.chart.team, has_goal & wf.active)
        gap = np.where(has_goal, wf.goal_target - anyway, 0.0)
        tolerance = gb.decoupled_tolerance_sd * (1.0 - coupling(sim))
        acceptance, effect = goal_response(gap, gb, tolerance)
        wf.goal_acceptance[:] = np.where(has_goal, acceptance, 1.0)
        wf.inputs_revision += 1
        wf.goal_effect[:] = np.where(has_goal, effect, 0.0)
    wf.drive += np.where(wf.active, wf.goal_effect - old_effect, 0.0)


def on_market_change(sim: SimState, old: float, new: float) -> None:
    """Demand moved: re-baseline targets if the policy says so, then re-weigh the goals."""
    arms = sim.pilot_arms
    if arms is not None and arms.rebaseline.any():  # a pilot: only that arm's targets move
        shift = np.where(arms.rebaseline, new - old, 0.0)
        sim.workforce.goal_baseline += shift
        sim.workforce.goal_target += shift
        sim.counts.rebaselines += 1
    elif arms is None and sim.policy.goals.rebaseline:
        sim.workforce.goal_baseline += new - old
        sim.workforce.goal_target += new - old
        sim.counts.rebaselines += 1
    refresh(sim)


def kpi_factor(sim: SimState) -> np.ndarray:
    """What the KPIs count per unit of each person's output now: gaming's lift, capped at
    the gameable share."""
    wf = sim.workforce
    cap = sim.scenario.behaviour.goals.gameable_share
    return 1.0 + np.minimum(wf.measured_factor - 1.0, cap)


def kpi_lift(sim: SimState) -> np.ndarray:
    """How far ahead of each person's working level the KPIs read now (SD units)."""
    k = sim.scenario.behaviour.output_per_sd
    if k == 0:
        return np.zeros(sim.workforce.size)
    real_output = np.maximum(1.0 + k * working_level(sim), 0.0)
    return (kpi_factor(sim) - 1.0) * real_output / k


def kpi_output(
    sim: SimState, rows: np.ndarray, luck: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's output per week this cycle as the KPIs count it, and its weeks worked.

    Output is 1 for an average full-speed hire. The KPI reading is the real output (with
    the cycle's mean ``luck`` in SD units, when given) plus what gaming adds to it, and
    gaming adds at most ``gameable_share`` of the real output.
    """
    wf = sim.workforce
    k = sim.scenario.behaviour.output_per_sd
    cap = sim.scenario.behaviour.goals.gameable_share
    weeks = wf.weeks_cum[rows] - wf.weeks_cycle_start[rows]
    perf = wf.perf_cum[rows] - wf.perf_cycle_start[rows]
    mw = wf.measured_weeks_cum[rows] - wf.measured_weeks_cycle_start[rows]
    mp = wf.measured_perf_cum[rows] - wf.measured_perf_cycle_start[rows]
    with np.errstate(invalid="ignore", divide="ignore"):
        worked = (weeks + k * perf) / weeks
        excess = (mw + k * mp) / weeks - worked
        real = worked if luck is None else worked + k * luck
        counted = real + np.minimum(excess, cap * np.maximum(real, 0.0))
    return counted, weeks


def attainment(sim: SimState, rows: np.ndarray, luck: np.ndarray | None = None) -> np.ndarray:
    """OKR-style grade 0–1 of each row's cycle: progress of what the KPIs count to target.

    Progress is KPI output above the baseline over the target's distance above it,
    capped to 0–1; rows without a target (or a zero stretch) are NaN. ``luck`` is each
    row's mean weekly luck over the cycle (SD units): the KPIs count it too. Under team
    goals output and baseline are the team's means over its ``rows``.
    """
    wf = sim.workforce
    k = sim.scenario.behaviour.output_per_sd
    measured, weeks = kpi_output(sim, rows, luck)
    baseline = wf.goal_baseline[rows]
    if sim.policy.goals.level == "team" and len(rows):
        team = wf.chart.team[rows]
        counted = (weeks > 0) & np.isfinite(measured) & np.isfinite(baseline)
        measured = team_mean(measured, team, counted)
        baseline = team_mean(baseline, team, counted)
    with np.errstate(invalid="ignore", divide="ignore"):
        base = 1.0 + k * baseline
        target = 1.0 + k * wf.goal_target[rows]
        progress = (measured - base) / (target - base)
    ok = (weeks > 0) & np.isfinite(progress) & (target - base > 1e-12)
    return np.where(ok, np.clip(progress, 0.0, 1.0), np.nan)


def measured_bias(sim: SimState, mean_rate: np.ndarray, weeks: np.ndarray) -> np.ndarray:
    """How much better each person looks (SD units) because the rating counts measured KPIs.

    What the KPIs count runs ahead of total output by the work moved to measured tasks (up
    to the gameable share); the rating sees that excess in proportion to the weight of
    measured KPIs in pay decisions.
    """
    wf = sim.workforce
    w = measured_pay_weight(sim)
    k = sim.scenario.behaviour.output_per_sd
    if np.all(w == 0) or k == 0:
        return np.zeros(wf.size)
    counted, _ = kpi_output(sim, np.arange(wf.size))
    with np.errstate(invalid="ignore", divide="ignore"):
        measured_sd = (counted - 1.0) / k
    excess = np.where(weeks > 0, measured_sd - mean_rate, 0.0)
    if not np.isfinite(excess).all():
        excess = np.nan_to_num(excess)
    return w * excess


def cycle_luck(sim: SimState, review: Review) -> np.ndarray:
    """Each rated person's mean weekly luck over the cycle just reviewed (SD units).

    The luck alone, as the review drew it: true performance is judged against the demands
    of each person's career level, but what the KPIs count is output, and targets are set
    on output. (Read as true performance less the cycle's mean rate, a promoted person's
    KPIs lost their level's demands (``careers.level_demand_sd`` a level) at every review
    after.)
    """
    assert review.luck is not None, "the review records each cycle's luck"
    return review.luck[review.rated]


def record_attainment(sim: SimState, review: Review) -> None:
    """The mean OKR-style grade of the rated this cycle, for the ``kpi_attainment`` metric."""
    if sim.policy.goals.regime == "none":
        return
    attained = attainment(sim, review.rated, cycle_luck(sim, review))
    if np.isfinite(attained).any():
        sim.cycle_results.kpi_attainment = float(nan_mean(attained))


MECHANISM = Mechanism(
    "goals",
    steps=(
        Step("new_cycle", set_targets, after=("incentives",)),
        Step("after_review", record_attainment),
        Step("market_change", on_market_change, after=("engagement",)),
    ),
    summary="targets cascaded each cycle; difficulty, acceptance and abandonment; re-baselining",
)
