"""The workforce: one row per position, as a struct of numpy arrays.

Rows are positions in the organization chart. A position is either filled (``active``) or
vacant; when someone leaves, their row becomes vacant and the next hire into that position
reuses it. Teams are fixed: each department has working teams of ``span_of_control``
members, and, when managers are modelled, one management team holding the managers of the
department's working teams (rated by the department head).

Performance accrues continuously between events: :meth:`Workforce.accrue` integrates each
employee's performance rate over the weeks since the last event, exactly, so no weekly tick
is needed unless a mechanism really acts every week.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simlib.scenario.organization import Organization
from simlib.state.compiled import KERNELS, compiled_for


def largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Split ``total`` whole units by ``shares`` (summing to 1), largest remainder first.

    Ties in the remainder go to the earlier entry, so the split is deterministic.
    """
    quotas = total * np.asarray(shares, dtype=float)
    counts = np.floor(quotas + 1e-9).astype(np.int64)
    short = int(total - counts.sum())
    if short > 0:
        remainders = quotas - counts
        order = np.lexsort((np.arange(len(quotas)), -remainders))
        counts[order[:short]] += 1
    return counts


def interleaved_groups(n_teams: int, shares: np.ndarray) -> np.ndarray:
    """Each team's own group: counts by the shares (largest remainder), spread evenly over
    the team indices so that no department is made of one group."""
    counts = largest_remainder(n_teams, shares)
    group = np.repeat(np.arange(len(counts)), counts)
    place = np.concatenate([(np.arange(c) + 0.5) / c for c in counts if c > 0])
    return group[np.argsort(place, kind="stable")].astype(np.int64)


def cluster_groups(
    chart: OrgChart,
    rows: np.ndarray,
    group: np.ndarray,
    clustering: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """The groups of people joining ``rows``: each takes their team's own group with
    probability ``clustering``, else keeps ``group`` (drawn from the organization's mix).

    Draws one uniform per row from ``rng`` (its own stream) only when ``clustering`` is
    above 0, so the default leaves every other draw, and every result, as it was.
    """
    if clustering <= 0 or len(rows) == 0:
        return group
    joins_team = rng.random(len(rows)) < clustering
    return np.where(joins_team, chart.team_group[chart.team[rows]], group)


@dataclass(frozen=True)
class OrgChart:
    """The fixed structure: which team each position belongs to, and who manages whom."""

    team: np.ndarray  # team index of each position
    team_department: np.ndarray  # department index of each team
    team_is_management: np.ndarray  # True for a department's management team
    team_manager: np.ndarray  # position of each team's manager, -1 if a virtual rater
    is_manager: np.ndarray  # position is a manager slot
    department_names: tuple[str, ...]
    team_group: np.ndarray  # each team's own group, for group clustering

    @property
    def positions(self) -> int:
        return len(self.team)

    @property
    def department(self) -> np.ndarray:
        return self.team_department[self.team]

    @classmethod
    def build(cls, org: Organization) -> OrgChart:
        team_size = org.span_of_control + (1 if org.include_managers else 0)
        n_teams = math.ceil(org.headcount / team_size)
        n_dept = len(org.departments)
        dept_shares = np.array([d.share for d in org.departments])
        # Every department gets at least one team, the rest by share.
        dept_teams = largest_remainder(n_teams - n_dept, dept_shares) + 1
        team_department = np.repeat(np.arange(n_dept), dept_teams)
        n_members = org.headcount - (n_teams if org.include_managers else 0)
        members = largest_remainder(n_members, np.full(n_teams, 1.0 / n_teams))
        team_parts = [np.repeat(np.arange(n_teams), members)]
        is_manager_parts = [np.zeros(n_members, dtype=bool)]
        team_manager = np.full(n_teams + (n_dept if org.include_managers else 0), -1, np.int64)
        team_is_management = np.zeros(len(team_manager), dtype=bool)
        if org.include_managers:
            management_team = n_teams + team_department  # one per department
            team_parts.append(management_team)
            is_manager_parts.append(np.ones(n_teams, dtype=bool))
            team_manager[:n_teams] = n_members + np.arange(n_teams)
            team_is_management[n_teams:] = True
            team_department = np.concatenate([team_department, np.arange(n_dept)])
        return cls(
            team=np.concatenate(team_parts).astype(np.int64),
            team_department=team_department.astype(np.int64),
            team_is_management=team_is_management,
            team_manager=team_manager,
            is_manager=np.concatenate(is_manager_parts),
            department_names=tuple(d.name for d in org.departments),
            team_group=interleaved_groups(len(team_manager), np.array(list(org.groups.values()))),
        )


@dataclass(frozen=True)
class Teammates:
    """Who is active in each team, and how many active teammates each position has."""

    per_team: np.ndarray  # active people in each team (float)
    staffed: np.ndarray  # teams with anyone active (bool)
    others: np.ndarray  # each position's active teammates, itself not counted (float)
    any: np.ndarray  # at least one (bool)
    divisor: np.ndarray  # the count, at least 1 (float)
    team_divisor: np.ndarray  # active people in each team, nan where none (float)

    @classmethod
    def count(cls, team: np.ndarray, active: np.ndarray, n_teams: int | None = None) -> Teammates:
        """Count them; ``n_teams`` is the number of team labels (default: the highest in
        ``team``, plus one)."""
        if n_teams is None:
            n_teams = int(team.max()) + 1 if len(team) else 0
        if compiled_for(len(team)) and active.dtype == bool:
            return cls(*KERNELS.teammates(team, active, n_teams))
        per_team = np.bincount(team, weights=active, minlength=n_teams)
        others = per_team[team] - active
        staffed = per_team > 0
        team_divisor = np.where(staffed, per_team, np.nan)
        return cls(per_team, staffed, others, others > 0, np.maximum(others, 1), team_divisor)

    def team_mean(self, values: np.ndarray, team: np.ndarray, active: np.ndarray) -> np.ndarray:
        """Each position's team mean of ``values`` over the active (nan if nobody is)."""
        total = np.bincount(
            team, weights=np.where(active, values, 0.0), minlength=len(self.staffed)
        )
        np.divide(total, self.team_divisor, out=total)
        return total[team]


class FreshStart:
    """Columns a new hire starts afresh, moved into one block so one step resets them all.

    Each named column of ``workforce`` becomes a row of the block (contents kept), and
    ``reset(rows)`` sets every column at ``rows`` to its starting value. A named table
    (a 2-d array of the workforce, such as its integrals) joins as several rows, each
    starting at the table's value.
    """

    def __init__(
        self,
        workforce: object,
        start: Mapping[str, float],
        dtype: type,
        tables: Mapping[str, float] | None = None,
    ) -> None:
        tables = tables or {}
        parts = [np.atleast_2d(getattr(workforce, n)) for n in (*tables, *start)]
        self.block: np.ndarray = np.concatenate(parts).astype(dtype)
        at = 0
        for name, part in zip((*tables, *start), parts, strict=True):
            rows = self.block[at : at + len(part)]
            setattr(workforce, name, rows if name in tables else rows[0])
            at += len(part)
        values = [v for name, v in tables.items() for _ in getattr(workforce, name)]
        self.start: np.ndarray = np.array([*values, *start.values()], dtype=dtype)[:, None]

    def reset(self, rows: np.ndarray) -> None:
        # Indexing the transposed block's first axis is the faster of numpy's two paths.
        self.block.T[rows] = self.start[:, 0]


class Workforce:
    """Per-position state arrays (struct of arrays). See DESIGN §2 for the columns."""

    # A new job's lift over the common engagement set point (0.65): the direction is the
    # honeymoon of a new job (Boswell, Boudreau & Tichy 2005); its size is an assumption.
    NEW_HIRE_ENGAGEMENT = 0.7
    NEW_HIRE_FAIRNESS = 0.6
    # What a new hire starts with, beyond who they are (potential, group, salary, hire week).
    FRESH_VALUES = {
        "skill": 0.0,
        "drive": 0.0,
        "effort": 0.0,
        "goal_effect": 0.0,
        "feedback_effect": 0.0,
        "goal_acceptance": 1.0,
        "goal_target": np.nan,
        "goal_baseline": np.nan,
        "gaming": 0.0,
        "gaming_propensity": np.nan,
        "sabotage_propensity": np.nan,
        "helping": 0.0,
        "sabotage": 0.0,
        "pay_growth": np.nan,
        "engagement": NEW_HIRE_ENGAGEMENT,
        "disposition": 0.0,
        "engagement_swing": 0.0,
        "fairness_belief": NEW_HIRE_FAIRNESS,
    }
    # The integrals and their snapshot start at zero, the output factors at one.
    FRESH_TABLES = {"cumulative": 0.0, "cycle_start": 0.0, "output_factors": 1.0}
    FRESH_COUNTS = {"level": 0, "low_weeks": 0, "last_grade": -1, "bottom_streak": 0}

    def __init__(self, chart: OrgChart) -> None:
        n = chart.positions
        self.chart = chart
        self.active = np.zeros(n, dtype=bool)
        self.roster = 0  # changes whenever someone joins or leaves (what caches key on)
        self.fills = 0  # changes whenever someone joins (their integrals start afresh)
        self._teammates: tuple[int, Teammates] | None = None
        self._weights_roster = -1
        self._weights = np.zeros(n)
        self.latest_hire = -math.inf  # the latest week anyone was hired (or later)
        self._team_labels = int(chart.team.max()) + 1 if n else 0
        self.potential = np.zeros(n)  # SD units, fixed per person
        self.skill = np.zeros(n)  # SD units, grows with coaching
        self.group = np.zeros(n, dtype=np.int64)
        self.hired_week = np.zeros(n)
        self.salary = np.zeros(n)
        # Integrals since hire, one row each of a block that is summed in one step: measured
        # output (factor x SD x weeks, factor x weeks), performance (SD-units x weeks) and
        # weeks worked, business value (factor x SD x weeks, factor x weeks).
        self.cumulative = np.zeros((6, n))
        # Snapshot of the first four at the start of the current review cycle.
        self.cycle_start = np.zeros((4, n))
        # Measured output, output itself (always 1) and business value per unit of output.
        self.output_factors = np.ones((3, n))
        # Grades: last grade index (-1 none yet) and consecutive bottom grades.
        self.last_grade = np.full(n, -1, dtype=np.int64)
        self.bottom_streak = np.zeros(n, dtype=np.int64)
        self.on_pip = np.zeros(n, dtype=bool)
        # Week the position's last occupant was made to leave (nan = never); kept on refill.
        self.left_involuntarily_week = np.full(n, np.nan)
        # Attitudes (share 0–1): engagement with the work, belief that evaluation is fair.
        self.engagement = np.zeros(n)
        self.fairness_belief = np.zeros(n)
        # Where each person's engagement settles, around the common set point (0-1 units):
        # a stable disposition and a swing redrawn every review cycle.
        self.disposition = np.zeros(n)
        self.engagement_swing = np.zeros(n)
        # Behavioural responses (set by simlib.mechanisms.incentives and simlib.mechanisms.goals).
        self.drive = np.zeros(n)  # SD units added to the performance rate: effort, goals, team
        self.effort = np.zeros(n)  # SD units of extra performance from effort
        self.goal_effect = np.zeros(n)  # SD units from goal setting (negative if abandoned)
        self.feedback_effect = np.zeros(n)  # SD units from check-in feedback (can be < 0)
        self.goal_acceptance = np.ones(n)  # share 0–1: how far the goal is still accepted
        self.goal_target = np.full(n, np.nan)  # target performance (SD units), nan = none
        self.goal_baseline = np.full(n, np.nan)  # performance expected at goal setting (SD)
        self.aligned = np.ones(n, dtype=bool)  # goal linked all the way up the cascade
        # Revision of the inputs kept results are worked out from, besides the roster: the
        # propensities, the alignment, goal acceptance, dispositions and swings. Bump it on
        # writing any of them; incentives.update and engagement.set_point keep their
        # results (under the key last used) until it changes.
        self.inputs_revision = 0
        self.incentive_key: tuple[int, int, float, int] | None = None
        # The compiled incentives' sizes (they read only the stake and the policy), kept
        # under (stake, policy) with whether anyone sabotages.
        self.incentive_sizes: tuple[tuple[float, int], np.ndarray, bool] | None = None
        self.set_point_key: tuple[int, int, int] | None = None
        self.set_point_kept = np.zeros(n)
        self.gaming = np.zeros(n)  # share 0–1 of unmeasured work moved to measured tasks
        self.gaming_propensity = np.full(n, np.nan)  # personal multiplier, nan = not drawn yet
        self.sabotage_propensity = np.full(n, np.nan)
        self.helping = np.zeros(n)  # share 0–1 of time helping teammates
        self.sabotage = np.zeros(n)  # share 0–1 of effort spent hurting rivals
        self.pay_growth = np.full(n, np.nan)  # salary growth at the last review (share/year)
        self.level = np.zeros(n, dtype=np.int64)  # career level, +1 per promotion
        self.low_weeks = np.zeros(n, dtype=np.int64)  # weeks running below baseline
        self.fresh_start = (
            FreshStart(self, self.FRESH_VALUES, float, self.FRESH_TABLES),
            FreshStart(self, self.FRESH_COUNTS, np.int64),
        )
        (
            self.measured_perf_cum,
            self.measured_weeks_cum,
            self.perf_cum,
            self.weeks_cum,
            self.value_perf_cum,
            self.value_weeks_cum,
        ) = self.cumulative
        (
            self.measured_perf_cycle_start,
            self.measured_weeks_cycle_start,
            self.perf_cycle_start,
            self.weeks_cycle_start,
        ) = self.cycle_start
        self.measured_factor, _, self.value_factor = self.output_factors
        self._by_factor = self.cumulative.reshape(3, 2, n)  # a view: factor x (perf, weeks)
        self._accrued = np.zeros((2, n))  # workspace of accrue: performance, weeks
        self._by_factor_added = np.zeros((3, 2, n))  # workspace of accrue: ... by factor

    @property
    def size(self) -> int:
        return len(self.active)

    @property
    def headcount(self) -> int:
        return int(np.count_nonzero(self.active))

    def rows(self, mask: np.ndarray) -> np.ndarray:
        return np.flatnonzero(mask)

    def accrue(
        self,
        t0: float,
        t1: float,
        level: float,
        ramp_weeks: float,
        ramp_deficit: float,
        sums: np.ndarray | None = None,
    ) -> bool:
        """Add the performance of active employees over weeks [t0, t1] (for someone hired
        since t0, from their hire week).

        The rate is ``potential + skill + level`` less a new-hire deficit that shrinks
        linearly to zero over ``ramp_weeks`` of tenure; its integral is exact. With
        ``sums``, the compiled loop also writes the integrals' row sums from the third row
        on into it (numpy's pairwise sums) and True is returned; otherwise False.
        """
        dt = t1 - t0
        if dt <= 0:
            return False
        a = self.active_weights()
        # The period's performance and weeks worked, one row each of one block.
        added = self._accrued
        gain, weeks = added
        ramps = ramp_weeks > 0 and ramp_deficit > 0 and t0 - self.latest_hire < ramp_weeks
        if compiled_for(self.size):  # the same steps in one compiled loop
            times = np.array((t0, t1, level, ramp_weeks, ramp_deficit), dtype=float)
            if sums is not None:
                KERNELS.accrue_summed(
                    self.cumulative, self.output_factors, added, self.potential, self.skill,
                    self.drive, a, self.hired_week, times, self.latest_hire <= t0, ramps, sums,
                )  # fmt: skip
                return True
            KERNELS.accrue(
                self.cumulative, self.output_factors, added, self.potential, self.skill,
                self.drive, a, self.hired_week, times, self.latest_hire <= t0, ramps,
            )  # fmt: skip
            return False
        np.add(self.potential, self.skill, out=gain)
        gain += self.drive
        if level:  # adding 0 would change nothing the integrals keep
            gain += level
        if self.latest_hire <= t0:  # everyone worked all of it: dt weeks where active
            gain *= dt
            np.multiply(a, dt, out=weeks)
        else:
            # Weeks each worked: someone hired since t0 (an intake does not catch up with
            # everyone else first) from their hire week on.
            worked = np.subtract(t1, self.hired_week, out=weeks)
            np.minimum(worked, dt, out=worked)
            gain *= worked
            weeks *= a  # weeks worked where active, else 0
        if ramps:
            self._ramp_shortfall(gain, t0, t1, ramp_weeks, ramp_deficit)
        gain *= a  # nothing for vacant positions
        # Each output factor (measured, 1, value) times performance and weeks, added to
        # the integrals in one step (the factor 1 leaves performance and weeks as they are).
        by_factor = np.multiply(self.output_factors[:, None, :], added, out=self._by_factor_added)
        self._by_factor += by_factor
        return False

    def _ramp_shortfall(
        self, gain: np.ndarray, t0: float, t1: float, ramp_weeks: float, ramp_deficit: float
    ) -> None:
        """Take the new-hire deficit over [t0, t1] off ``gain``."""
        # Only people hired less than ``ramp_weeks`` before t0 are still ramping up.
        ramping = (t0 - self.hired_week < ramp_weeks).nonzero()[0]
        if len(ramping):
            # Weeks into the ramp at t0 and t1, and the integral of the shortfall's shape.
            s = np.subtract.outer((t0, t1), self.hired_week[ramping])
            s = np.minimum(np.maximum(s, 0.0), ramp_weeks)
            g = s - s * s / (2.0 * ramp_weeks)
            gain[ramping] -= ramp_deficit * (g[1] - g[0])

    def active_weights(self) -> np.ndarray:
        """``active`` as 1.0 and 0.0 (kept until the roster changes)."""
        if self._weights_roster != self.roster:
            self._weights = self.active.astype(float)
            self._weights_roster = self.roster
        return self._weights

    def cycle_performance(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean performance rate per worked week in this cycle, and weeks worked in it."""
        weeks = self.weeks_cum - self.weeks_cycle_start
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(weeks > 0, (self.perf_cum - self.perf_cycle_start) / weeks, 0.0)
        return mean, weeks

    def start_cycle(self) -> None:
        self.cycle_start[:] = self.cumulative[:4]

    def teammates(self) -> Teammates:
        """Each position's active teammates (kept until the roster changes)."""
        if self._teammates is None or self._teammates[0] != self.roster:
            mates = Teammates.count(self.chart.team, self.active, self._team_labels)
            self._teammates = (self.roster, mates)
        return self._teammates[1]

    def vacate(self, rows: np.ndarray) -> None:
        self.roster += 1
        self.active[rows] = False
        self.on_pip[rows] = False

    def fill(
        self,
        rows: np.ndarray,
        week: float,
        potential: np.ndarray,
        group: np.ndarray,
        salary: np.ndarray,
    ) -> None:
        """A new person takes each of ``rows``; everything personal starts afresh."""
        self.roster += 1
        self.fills += 1
        self.active[rows] = True
        self.potential[rows] = potential
        self.group[rows] = group
        self.salary[rows] = salary
        self.hired_week[rows] = week
        self.latest_hire = max(self.latest_hire, week)
        for columns in self.fresh_start:
            columns.reset(rows)
        self.on_pip[rows] = False
