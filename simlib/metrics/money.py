"""Money: what a review cycle cost and what its output was worth, per year, in currency.

The reporters here turn what the simulation counted (salaries, bonuses, hires, exits by
kind, manager hours) and the value of the output it produced into the scenario's currency
with the prices of the ``costs`` section (:class:`~simlib.scenario.costs.Costs`). Each is a
yearly amount over the cycle just reviewed; prices move with market pay
(``environment.pay_drift``), as salaries do.

``net_value`` is output value less the people costs, and is what its parts add up to::

    net_value = output_value - payroll_with_bonuses - hiring_cost
                - severance_cost - manager_time_cost

so a policy's paired difference in ``net_value`` against the baseline is the sum of the
differences in those five parts (:func:`net_value_components` shows them side by side).
``replacement_cost`` is what leavers cost (the cash of hiring their successors, plus the
output lost while their positions are empty and their successors get up to speed); its
lost output is already inside ``output_value``, so it is not a further part of the sum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.scenario.costs import HOURS_PER_YEAR
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.state.counts import Counts
from simlib.state.simulation_state import SimState

# Share of their cost of compensation that employers pay in wages (US BLS, Employer Costs
# for Employee Compensation, private industry, 2023: about 70%): a loaded hour costs 1/0.70
# of its wage.
WAGE_SHARE_OF_COMPENSATION = 0.70

# The parts of net value, each with the sign it enters the sum with.
NET_VALUE_PARTS: dict[str, int] = {
    "output_value": +1,
    "payroll_with_bonuses": -1,
    "hiring_cost": -1,
    "severance_cost": -1,
    "manager_time_cost": -1,
}


def _midpoint(sim: SimState, rows: np.ndarray | None = None) -> float:
    """Mean band midpoint of the organization's positions (or of ``rows``) at week 0."""
    pay = sim.pay
    return pay.mean_midpoint if rows is None else float(pay.midpoint[rows].mean())


def value_per_point(sim: SimState) -> float:
    """Value of one index point of output per head per year, at today's market (currency).

    The scenario's ``costs.output_value_per_point``, else an average full-speed hire's
    salary (the mean band midpoint) over ``costs.labour_share``, per 100 points.
    """
    costs = sim.scenario.costs
    base = costs.output_value_per_point
    if base is None:
        base = _midpoint(sim) / costs.labour_share / 100.0
    return base * sim.pay.market_factor(sim.now)


def manager_hourly_rate(sim: SimState) -> float:
    """Loaded cost of one manager hour at today's market (currency)."""
    stated = sim.scenario.costs.manager_hourly_rate
    if stated is None:
        managers = np.asarray(sim.workforce.chart.is_manager)
        rows = managers.nonzero()[0] if managers.any() else None
        stated = _midpoint(sim, rows) / HOURS_PER_YEAR / WAGE_SHARE_OF_COMPENSATION
    return stated * sim.pay.market_factor(sim.now)


def mean_salary(sim: SimState) -> float:
    """Mean yearly salary of everyone employed (the band midpoint if nobody is)."""
    wf = sim.workforce
    if wf.headcount == 0:
        return _midpoint(sim) * sim.pay.market_factor(sim.now)
    return sim.pay.payroll() / wf.headcount


def output_value(sim: SimState, value_sum: float, cycle_weeks: float) -> float:
    """Value of the output produced over a cycle, per year: business value in index points
    per head, summed over the people at work, priced by :func:`value_per_point`."""
    return value_per_point(sim) * 100.0 * value_sum / cycle_weeks


def payroll_with_bonuses(sim: SimState, counts: Counts, cycle_weeks: float) -> float:
    """Yearly pay of everyone employed at the review plus the cycle's bonuses, per year."""
    return sim.pay.payroll() + counts.bonus_paid * WEEKS_PER_YEAR / cycle_weeks


def hiring_cost(sim: SimState, counts: Counts, cycle_weeks: float) -> float:
    """Cash cost of the cycle's hires, per year: ``hiring_cost_share`` of the mean salary
    each."""
    share = sim.scenario.costs.hiring_cost_share
    return counts.hires * share * mean_salary(sim) * WEEKS_PER_YEAR / cycle_weeks


def severance_cost(sim: SimState, counts: Counts, cycle_weeks: float) -> float:
    """Severance of the cycle's involuntary leavers, per year: weeks of the mean salary by
    kind of exit (the policy's exit rule, layoffs, discharges for cause)."""
    costs = sim.scenario.costs
    by_rule = counts.exits - counts.layoffs - counts.discharges
    weeks = (
        by_rule * costs.severance_weeks_policy_exit
        + counts.layoffs * costs.severance_weeks_layoff
        + counts.discharges * costs.severance_weeks_discharge
    )
    return weeks * mean_salary(sim) / WEEKS_PER_YEAR * WEEKS_PER_YEAR / cycle_weeks


def manager_time_cost(sim: SimState, counts: Counts, cycle_weeks: float) -> float:
    """Manager hours on performance management, per year, at the loaded hourly rate."""
    return counts.manager_hours * manager_hourly_rate(sim) * WEEKS_PER_YEAR / cycle_weeks


def vacancy_and_ramp_up_loss(
    sim: SimState, counts: Counts, value_sum: float, fte_weeks: float, cycle_weeks: float
) -> float:
    """Output lost over a cycle, per year, while positions were empty and new hires ramped
    up (currency).

    Empty position-weeks are valued at what those at work produced per head-week; a new
    hire's shortfall is ``ramp_up_deficit_sd`` SD on day one, shrinking linearly to none
    over ``ramp_up_weeks`` (the simulation's own ramp), ``output_per_sd`` of an average
    hire's output per SD.
    """
    price = value_per_point(sim) * 100.0  # an average full-speed head-year, in currency
    positions = sim.workforce.size
    per_head_week = value_sum / fte_weeks if fte_weeks > 0 else 1.0
    empty_weeks = max(positions * cycle_weeks - fte_weeks, 0.0)
    vacancy = price * per_head_week * empty_weeks / WEEKS_PER_YEAR
    hiring = sim.scenario.hiring
    shortfall = sim.scenario.behaviour.output_per_sd * hiring.ramp_up_deficit_sd
    ramp = price * counts.hires * shortfall * hiring.ramp_up_weeks / 2.0 / WEEKS_PER_YEAR
    return (vacancy + ramp) * WEEKS_PER_YEAR / cycle_weeks


# --- reading results --------------------------------------------------------------------


def net_value_components(paired: pd.DataFrame) -> pd.DataFrame:
    """Net value against the baseline and its parts, from a table of paired differences.

    Parameters
    ----------
    paired
        :meth:`simlib.analysis.results.Results.paired_diff` (or one with the same columns).

    Returns
    -------
    One row per policy and part (``output_value``, then the costs, then ``net_value``) with
    the part's ``sign`` in the sum, the difference (``mean``, ``ci_low``, ``ci_high``) and
    ``contribution`` = sign x mean: a policy's contributions of the parts add up to the
    contribution of ``net_value``.
    """
    rows = []
    wanted = [*NET_VALUE_PARTS, "net_value"]
    for policy, table in paired.groupby("policy", sort=False):
        by_metric = table.set_index("metric")
        for name in wanted:
            if name not in by_metric.index:
                continue
            row = by_metric.loc[name]
            sign = NET_VALUE_PARTS.get(name, 1)
            rows.append(
                {
                    "policy": policy,
                    "part": name,
                    "sign": sign,
                    "mean": float(row["mean"]),
                    "ci_low": float(row["ci_low"]),
                    "ci_high": float(row["ci_high"]),
                    "contribution": sign * float(row["mean"]),
                }
            )
    columns = ["policy", "part", "sign", "mean", "ci_low", "ci_high", "contribution"]
    return pd.DataFrame(rows, columns=columns)


def payback_years(over_time: pd.DataFrame, policy: str, baseline: str) -> float | None:
    """Years until a policy's cumulative net value against the baseline turns positive.

    Parameters
    ----------
    over_time
        Tidy records ``policy, rep, week, metric, value`` (a Results frame).

    Returns
    -------
    0.0 if the policy is ahead from the first review, the years (at a review, interpolated
    within its cycle) at which the cumulative difference, averaged over replications, first
    reaches zero after having been negative, or None if it stays negative to the horizon.
    """
    f = over_time[over_time["metric"] == "net_value"]
    wide = f.pivot_table(index=["rep", "week"], columns="policy", values="value")
    if policy not in wide or baseline not in wide:
        return None
    diff = (wide[policy] - wide[baseline]).groupby(level="week").mean().sort_index()
    if diff.empty:
        return None
    weeks = diff.index.to_numpy(dtype=float)
    lengths = np.diff(np.concatenate(([0.0], weeks))) / WEEKS_PER_YEAR
    gained = diff.to_numpy() * lengths  # currency per year x years of each cycle
    total = np.cumsum(gained)
    if total[0] >= 0:
        return 0.0
    after = np.flatnonzero(total >= 0)
    if len(after) == 0:
        return None
    k = int(after[0])
    start = weeks[k - 1] / WEEKS_PER_YEAR
    # Within cycle k the difference accrues evenly: where the running total crosses zero.
    return float(start + lengths[k] * (-total[k - 1]) / gained[k])
