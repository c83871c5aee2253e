"""Compiled loops for the events that run most often: a check-in and an exit check.

At 500 employees a check-in or an exit check takes dozens of numpy steps over a few hundred
values each, and each step costs more in numpy's call overhead than in arithmetic. Where
numba is installed, the loops below do the same arithmetic in one pass each, in the same
order, step for step, as the numpy code they stand for (``tests/unit/test_compiled.py``
checks each against it, bit for bit). Sums that numpy adds pairwise (means, totals),
random draws and transcendental functions (exp, powers) stay in numpy, so results do not
depend on whether numba is there: without it, ``KERNELS`` is None and the numpy code runs.

Minimum and maximum keep numpy's rules: a nan wins (``np.maximum``, ``np.minimum``,
``np.clip``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np


def _nan_max(a: float, b: float) -> float:
    """``np.maximum(a, b)`` for two floats: ``a`` if it is nan or at least ``b``."""
    return a if (a >= b or a != a) else b


def _nan_min(a: float, b: float) -> float:
    """``np.minimum(a, b)`` for two floats: ``a`` if it is nan or at most ``b``."""
    return a if (a <= b or a != a) else b


def _clip(a: float, low: float, high: float) -> float:
    """``np.clip(a, low, high)`` for a float: nan stays nan."""
    if a != a:
        return a
    a = a if a > low else low
    return a if a < high else high


def _block(values: np.ndarray, start: int, n: int) -> float:
    """numpy's sum of up to 128 values: in order below 8, else eight running sums."""
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += values[i]
        return total
    v = values[start:]
    r0, r1, r2, r3, r4, r5, r6, r7 = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
    i = 8
    whole = n - n % 8
    while i < whole:
        r0 += v[i]
        r1 += v[i + 1]
        r2 += v[i + 2]
        r3 += v[i + 3]
        r4 += v[i + 4]
        r5 += v[i + 5]
        r6 += v[i + 6]
        r7 += v[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += v[i]
        i += 1
    return total


def _pairwise(values: np.ndarray, start: int, n: int) -> float:
    """numpy's pairwise sum of ``values[start : start + n]``, as ``np.add.reduce`` adds a
    float array: blocks of up to 128 (:func:`_block`), halved above that (at a multiple of
    8) and the halves' sums added. Without recursion (compiled loops that recurse cannot be
    cached): the halves wait on a stack, their sums on another."""
    if n <= 128:
        return _block(values, start, n)
    starts = np.empty(128, dtype=np.int64)
    sizes = np.empty(128, dtype=np.int64)
    split = np.zeros(128, dtype=np.bool_)
    sums = np.empty(128)
    top, done = 0, 0
    starts[0], sizes[0] = start, n
    while top >= 0:
        first, size = starts[top], sizes[top]
        if size <= 128:
            sums[done] = _block(values, first, size)
            done += 1
            top -= 1
        elif split[top]:  # both halves summed: the left's sum, then the right's
            sums[done - 2] = sums[done - 2] + sums[done - 1]
            done -= 1
            split[top] = False
            top -= 1
        else:
            half = size // 2
            half -= half % 8
            split[top] = True
            starts[top + 1], sizes[top + 1] = first + half, size - half  # right, done second
            starts[top + 2], sizes[top + 2] = first, half  # left, done first
            split[top + 1] = split[top + 2] = False
            top += 2
    return sums[0]


def _sum(values: np.ndarray) -> float:
    """``np.add.reduce(values)`` for a one-dimensional float array (from 0: no -0.0)."""
    return 0.0 + _pairwise(values, 0, len(values))


def _row_sums(table: np.ndarray, first: int) -> np.ndarray:
    """``np.add.reduce(table[first:], axis=1)`` for a C-ordered float table."""
    sums = np.empty(table.shape[0] - first)
    for k in range(len(sums)):
        sums[k] = _sum(table[first + k])
    return sums


def _standardized(
    out: np.ndarray,
    potential: np.ndarray,
    skill: np.ndarray,
    drive: np.ndarray,
    active: np.ndarray,
) -> bool:
    """exits.performance_z: ``potential + skill + drive`` standardized over the active
    (mean and population SD as numpy finds them). False (``out`` untouched) with fewer than
    two active or no spread."""
    n = len(out)
    employed = np.empty(n)
    m = 0
    for i in range(n):
        rate = potential[i] + skill[i]
        rate = rate + drive[i]
        out[i] = rate
        if active[i]:
            employed[m] = rate
            m += 1
    if m < 2:
        return False
    employed = employed[:m]
    centre = _sum(employed) / m
    for i in range(m):
        d = employed[i] - centre
        employed[i] = d * d
    sd = np.sqrt(_sum(employed) / m)
    if not sd > 0:
        return False
    for i in range(n):
        out[i] = (out[i] - centre) / sd
    return True


def _drift(engagement: np.ndarray, target: np.ndarray, active: np.ndarray, pull: float) -> None:
    """engagement.advance: ``engagement += (target - engagement) * pull`` where active."""
    for i in range(len(engagement)):
        if active[i]:
            e = engagement[i]
            engagement[i] = e + (target[i] - e) * pull


def _coach(skill: np.ndarray, who: np.ndarray, gain_sd: float) -> None:
    """checkins.coach for a mask (ceiling 1): ``skill += max(1 - skill, 0) * gain_sd``."""
    for i in range(len(skill)):
        if who[i]:
            skill[i] = skill[i] + _nan_max(1.0 - skill[i], 0.0) * gain_sd


def _feedback(
    out: np.ndarray,
    luck: np.ndarray,
    potential: np.ndarray,
    skill: np.ndarray,
    drive: np.ndarray,
    team: np.ndarray,
    active: np.ndarray,
    team_divisor: np.ndarray,
    told_below: float,
    told_above: float,
) -> None:
    """checkins.respond_to_feedback once the luck is scaled: below or above the team mean
    of what the manager sees; 0 where vacant. ``luck`` becomes what is seen."""
    n = len(out)
    total = np.zeros(len(team_divisor))
    for i in range(n):
        seen = potential[i] + skill[i]
        seen = seen + drive[i]
        seen = seen + luck[i]
        luck[i] = seen
        total[team[i]] += seen if active[i] else 0.0
    for t in range(len(total)):
        total[t] = total[t] / team_divisor[t]
    for i in range(n):
        if active[i]:
            out[i] = told_below if luck[i] < total[team[i]] else told_above
        else:
            out[i] = 0.0


def _team_others_mean(
    values: np.ndarray, team: np.ndarray, active: np.ndarray, any_: np.ndarray, divisor: np.ndarray
) -> np.ndarray:
    """incentives.team_others_mean with the teammates counted."""
    n = len(values)
    v = np.empty(n)
    size = 0
    for i in range(n):
        v[i] = values[i] if active[i] else 0.0
        if team[i] + 1 > size:
            size = team[i] + 1
    total = np.zeros(size)
    for i in range(n):
        total[team[i]] += v[i]
    out = np.empty(n)
    for i in range(n):
        out[i] = (total[team[i]] - v[i]) / divisor[i] if any_[i] else 0.0
    return out


def _incentives(
    effort: np.ndarray,
    helping: np.ndarray,
    drive: np.ndarray,
    engagement: np.ndarray,
    fairness: np.ndarray,
    goal_effect: np.ndarray,
    feedback_effect: np.ndarray,
    sabotage: np.ndarray,
    team: np.ndarray,
    active: np.ndarray,
    any_: np.ndarray,
    divisor: np.ndarray,
    scalars: np.ndarray,
    sabotages: bool,
) -> None:
    """incentives.update for everyone in one arm: effort, helping and the drive.

    ``scalars``: usual engagement, usual fairness, engagement and fairness performance
    (SD per SD), the attitude SD, the effort level, neutral engagement, help base, the
    ranking's factor on helping, help effect, sabotage effect.
    """
    usual_e, usual_f, e_sd, f_sd, attitude_sd, level = scalars[:6]
    neutral, help_base, help_factor, help_effect, sabotage_effect = scalars[6:]
    n = len(effort)
    for i in range(n):
        effect = (engagement[i] - usual_e) * e_sd
        effect = effect + (fairness[i] - usual_f) * f_sd
        effort[i] = level + effect / attitude_sd
        h = engagement[i] / neutral
        h = h * help_base
        h = h * help_factor
        helping[i] = _clip(h, 0.0, 1.0)
    helped = _team_others_mean(helping, team, active, any_, divisor)
    hurt = _team_others_mean(sabotage, team, active, any_, divisor) if sabotages else helped
    for i in range(n):
        d = effort[i] + goal_effect[i]
        d = d + feedback_effect[i]
        d = d + helped[i] * help_effect
        if sabotages:
            d = d - hurt[i] * sabotage_effect
        drive[i] = d if active[i] else 0.0


def _checkin(
    engagement: np.ndarray,
    target: np.ndarray,
    active: np.ndarray,
    pull: float,
    drifts: bool,
    skill: np.ndarray,
    gain_sd: float,
    feedback_effect: np.ndarray,
    luck: np.ndarray,
    potential: np.ndarray,
    drive: np.ndarray,
    team: np.ndarray,
    team_divisor: np.ndarray,
    told_below: float,
    told_above: float,
    effort: np.ndarray,
    helping: np.ndarray,
    fairness: np.ndarray,
    goal_effect: np.ndarray,
    sabotage: np.ndarray,
    any_: np.ndarray,
    divisor: np.ndarray,
    scalars: np.ndarray,
    sabotages: bool,
) -> None:
    """checkins.checkin once performance is caught up: engagement drifts (if the clock
    moved), coaching, the response to feedback, then effort, helping and the drive."""
    if drifts:
        _drift(engagement, target, active, pull)
    _coach(skill, active, gain_sd)
    _feedback(
        feedback_effect, luck, potential, skill, drive, team, active, team_divisor,
        told_below, told_above,
    )  # fmt: skip
    _incentives(
        effort, helping, drive, engagement, fairness, goal_effect, feedback_effect, sabotage,
        team, active, any_, divisor, scalars, sabotages,
    )  # fmt: skip


def _log_hazard(
    out: np.ndarray,
    z: np.ndarray,
    pay_growth: np.ndarray,
    level: np.ndarray,
    engagement: np.ndarray,
    fairness: np.ndarray,
    scalars: np.ndarray,
    promoted_floor: bool,
) -> None:
    """exits.log_hazard_terms: U-shape, pay lag, engagement and fairness; capped at 50.

    ``scalars``: curvature, the U's normaliser, pay drift, the promoted's floor on the
    standing, market premium per SD, pay lag sensitivity, usual engagement, engagement
    sensitivity, new-hire fairness, fairness sensitivity.
    """
    c, normaliser, drift, floor, premium, sensitivity = scalars[:6]
    usual_e, e_sens, usual_f, f_sens = scalars[6:]
    for i in range(len(out)):
        zi = z[i]
        h = c * zi
        h = h * zi
        h = h + normaliser
        growth = drift if pay_growth[i] != pay_growth[i] else pay_growth[i]
        standing = zi
        if promoted_floor and level[i] > 0:
            standing = _nan_max(zi, floor)
        lag = _clip(standing, 0.0, 2.0) * premium
        lag = drift + lag
        lag = lag - growth
        lag = _nan_max(lag, 0.0) * sensitivity
        h = h + lag
        h = h - (engagement[i] - usual_e) * e_sens
        h = h - (fairness[i] - usual_f) * f_sens
        out[i] = _nan_min(h, 50.0)


def _rate_times_weeks(
    gain: np.ndarray,
    weeks: np.ndarray,
    potential: np.ndarray,
    skill: np.ndarray,
    drive: np.ndarray,
    level: float,
    weights: np.ndarray,
    hired_week: np.ndarray,
    t1: float,
    dt: float,
    everyone: bool,
) -> None:
    """Workforce.accrue's first steps: the rate times the weeks worked, and those weeks
    (``everyone``: all worked the whole period where active)."""
    for i in range(len(gain)):
        g = potential[i] + skill[i]
        g = g + drive[i]
        if level:
            g = g + level
        if everyone:
            gain[i] = g * dt
            weeks[i] = weights[i] * dt
        else:
            worked = _nan_min(t1 - hired_week[i], dt)
            gain[i] = g * worked
            weeks[i] = worked * weights[i]


def _ramp_shortfall(
    gain: np.ndarray,
    hired_week: np.ndarray,
    t0: float,
    t1: float,
    ramp_weeks: float,
    ramp_deficit: float,
) -> None:
    """Workforce's ramp-up shortfall over [t0, t1] taken off ``gain``, for those hired
    less than ``ramp_weeks`` before t0."""
    for i in range(len(gain)):
        if t0 - hired_week[i] < ramp_weeks:
            s0 = _nan_min(_nan_max(t0 - hired_week[i], 0.0), ramp_weeks)
            s1 = _nan_min(_nan_max(t1 - hired_week[i], 0.0), ramp_weeks)
            g0 = s0 - s0 * s0 / (2.0 * ramp_weeks)
            g1 = s1 - s1 * s1 / (2.0 * ramp_weeks)
            gain[i] -= ramp_deficit * (g1 - g0)


def _set_point(
    out: np.ndarray,
    acceptance: np.ndarray,
    disposition: np.ndarray,
    swing: np.ndarray,
    level: float,
    hopeless_penalty: float,
    personal: bool,
) -> None:
    """engagement's set point: the common level less the hopeless goal's penalty, plus the
    disposition and swing (``personal``), within 0-1."""
    for i in range(len(out)):
        p = level - (1.0 - acceptance[i]) * hopeless_penalty
        if personal:
            p = p + disposition[i]
            p = p + swing[i]
        out[i] = _nan_min(_nan_max(p, 0.0), 1.0)


def _add_by_factor(
    cumulative: np.ndarray, factors: np.ndarray, added: np.ndarray, weights: np.ndarray
) -> None:
    """Workforce.accrue's last steps: nothing for vacant positions, then each output
    factor times performance and weeks added to the integrals."""
    for i in range(added.shape[1]):
        g = added[0, i] * weights[i]
        added[0, i] = g
        w = added[1, i]
        for f in range(factors.shape[0]):
            cumulative[2 * f, i] += factors[f, i] * g
            cumulative[2 * f + 1, i] += factors[f, i] * w


def _affine(out: np.ndarray, x: np.ndarray, scale: float, shift: float, divisor: float) -> None:
    """``out = (scale * x - shift) / divisor``."""
    for i in range(len(out)):
        out[i] = (scale * x[i] - shift) / divisor


def _scaled_capped(values: np.ndarray, times: float, over: float, cap: float) -> None:
    """``values = min(values * times / over, cap)``, in place."""
    for i in range(len(values)):
        values[i] = _nan_min(values[i] * times / over, cap)


def _chance_to_stay(hazard: np.ndarray, base: float, highest: float) -> None:
    """exits.quit_probability's first steps on ``hazard`` times ``base``, in place:
    ``1 - clip(hazard * base, 0, highest)``."""
    for i in range(len(hazard)):
        hazard[i] = 1.0 - _clip(hazard[i] * base, 0.0, highest)


def _quits(stay: np.ndarray, draws: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, float]:
    """exits.quit_check once the chance to stay is raised to the interval: ``stay``
    becomes the quit probability; returns who quits (draw below it, active) and the sum
    of the probabilities over the active."""
    n = len(stay)
    employed = np.empty(n)
    quits = np.empty(n, dtype=np.int64)
    m = 0
    k = 0
    for i in range(n):
        p = 1.0 - stay[i]
        stay[i] = p
        if active[i]:
            employed[m] = p
            m += 1
            if draws[i] < p:
                quits[k] = i
                k += 1
    return quits[:k].copy(), _sum(employed[:m])


def _active_mean(values: np.ndarray, active: np.ndarray) -> float:
    """``moments.mean(values[active])`` (nan if nobody is active)."""
    employed = np.empty(len(values))
    m = 0
    for i in range(len(values)):
        if active[i]:
            employed[m] = values[i]
            m += 1
    return _sum(employed[:m]) / m if m else np.nan


def _accrue(
    cumulative: np.ndarray,
    factors: np.ndarray,
    added: np.ndarray,
    potential: np.ndarray,
    skill: np.ndarray,
    drive: np.ndarray,
    weights: np.ndarray,
    hired_week: np.ndarray,
    times: np.ndarray,
    everyone: bool,
    ramps: bool,
) -> None:
    """Workforce.accrue: the rate times the weeks worked, the ramp-up shortfall (if
    ``ramps``), then each output factor times both added to the integrals. ``times``:
    t0, t1, the market level, ramp weeks, ramp deficit."""
    t0, t1, level, ramp_weeks, ramp_deficit = times[0], times[1], times[2], times[3], times[4]
    _rate_times_weeks(
        added[0], added[1], potential, skill, drive, level, weights, hired_week, t1, t1 - t0,
        everyone,
    )  # fmt: skip
    if ramps:
        _ramp_shortfall(added[0], hired_week, t0, t1, ramp_weeks, ramp_deficit)
    _add_by_factor(cumulative, factors, added, weights)


def _accrue_summed(
    cumulative: np.ndarray,
    factors: np.ndarray,
    added: np.ndarray,
    potential: np.ndarray,
    skill: np.ndarray,
    drive: np.ndarray,
    weights: np.ndarray,
    hired_week: np.ndarray,
    times: np.ndarray,
    everyone: bool,
    ramps: bool,
    sums: np.ndarray,
) -> None:
    """:func:`_accrue`, then the integrals' row sums from the third row on into ``sums``
    (``SimState.catch_up``'s totals: one call instead of two)."""
    _accrue(
        cumulative, factors, added, potential, skill, drive, weights, hired_week, times,
        everyone, ramps,
    )  # fmt: skip
    for k in range(len(sums)):
        sums[k] = _sum(cumulative[2 + k])


def _teammates(
    team: np.ndarray, active: np.ndarray, n_teams: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Workforce's Teammates.count: whole numbers, so exact in any order."""
    per_team = np.zeros(n_teams)
    for i in range(len(team)):
        if active[i]:
            per_team[team[i]] += 1.0
    staffed = per_team > 0
    team_divisor = np.where(staffed, per_team, np.nan)
    others = np.empty(len(team))
    for i in range(len(team)):
        others[i] = per_team[team[i]] - (1.0 if active[i] else 0.0)
    return per_team, staffed, others, others > 0, np.maximum(others, 1.0), team_divisor


def _quintile_counts(
    order: np.ndarray,
    values: np.ndarray,
    chosen: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    t: np.ndarray,
    upper_half: np.ndarray,
) -> tuple[bool, np.ndarray, np.ndarray]:
    """counts.quintile_counts for at least two values ``order`` (those counted, sorted by
    numpy: its sort is faster than the compiled one): the quantiles as numpy interpolates
    them, how many fall under each, and where the ``chosen`` fall. False (nothing counted)
    where an order statistic it reads is a zero: there the sign numpy's partition gives it
    decides, and the numpy code runs."""
    m = len(order)
    cuts = np.empty(len(lower))
    for k in range(len(lower)):
        a, b = order[lower[k]], order[upper[k]]
        if a == 0.0 or b == 0.0:
            return False, np.zeros(5, np.int64), np.zeros(5, np.int64)
        diff = b - a
        cuts[k] = b - diff * (1 - t[k]) if upper_half[k] else a + diff * t[k]
    below = np.searchsorted(order, cuts, side="left")
    counts = np.empty(len(cuts) + 1, np.int64)
    previous = 0
    for k in range(len(cuts)):
        counts[k] = below[k] - previous
        previous = below[k]
    counts[len(cuts)] = m - previous
    picked = np.zeros(len(cuts) + 1, np.int64)
    for i in chosen:
        picked[np.searchsorted(cuts, values[i], side="right")] += 1
    return True, counts, picked


def _let_go(
    draws: np.ndarray, active: np.ndarray, layoff_chance: float, discharge_chance: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """layoffs.layoffs_and_discharges: who is laid off (first draw below the chance), and
    who else is discharged (second draw below their chance); the active only."""
    n = len(active)
    laid_off = np.empty(n, dtype=np.int64)
    discharged = np.empty(n, dtype=np.int64)
    k = j = 0
    for i in range(n):
        if not active[i]:
            continue
        if draws[0, i] < layoff_chance:
            laid_off[k] = i
            k += 1
        elif draws[1, i] < discharge_chance[i]:
            discharged[j] = i
            j += 1
    return laid_off[:k].copy(), discharged[:j].copy()


def _compile() -> Any:
    """The loops compiled (cached on disk), or None without numba."""
    try:
        import numba
    except ImportError:
        return None
    jit = numba.njit(cache=True, nogil=True)
    helpers = (
        _nan_max, _nan_min, _clip, _block, _pairwise, _sum, _team_others_mean,
        _rate_times_weeks, _ramp_shortfall, _add_by_factor, _drift, _coach, _feedback,
        _incentives, _accrue,
    )  # fmt: skip
    compiled = {f.__name__: jit(f) for f in helpers}
    globals().update(compiled)  # what the loops call, compiled too
    return SimpleNamespace(
        drift=compiled["_drift"],
        coach=compiled["_coach"],
        feedback=compiled["_feedback"],
        incentives=compiled["_incentives"],
        checkin=jit(_checkin),
        log_hazard=jit(_log_hazard),
        accrue=compiled["_accrue"],
        accrue_summed=jit(_accrue_summed),
        teammates=jit(_teammates),
        quintile_counts=jit(_quintile_counts),
        let_go=jit(_let_go),
        set_point=jit(_set_point),
        affine=jit(_affine),
        scaled_capped=jit(_scaled_capped),
        sum=compiled["_sum"],
        row_sums=jit(_row_sums),
        standardized=jit(_standardized),
        chance_to_stay=jit(_chance_to_stay),
        quits=jit(_quits),
        active_mean=jit(_active_mean),
    )


KERNELS = _compile()

# Positions up to which the compiled loops run: above it numpy's vectorized steps, which
# use the processor's vector units, are as fast or faster (measured on policy_showdown:
# the loops 5-10% faster at 2,000 positions, 5-15% slower at 4,000 outside OKR's check-ins,
# 20-35% slower at 10,000).
COMPILED_UP_TO = 2_500


def compiled_for(positions: int) -> bool:
    """Whether the compiled loops run for a workforce of ``positions``."""
    return KERNELS is not None and positions <= COMPILED_UP_TO
