"""The metric catalogue: every outcome the model reports, in one place (DESIGN §5, a contract).

Each :class:`Metric` names its unit, which way is better, whether it is a *state* (a level
at an instant) or a *flow* (what happened over a review cycle), the reporter that computes
it, and the words a client reads. Results, tables, figures, reports and the explorer read
this catalogue and nothing else; a test checks the README's outcomes table against it.

Every metric is recorded at each review; those marked ``at_start`` also at week 0. Rates of
leaving are yearly shares of the average headcount over the cycle.

A :class:`MetricFamily` is one entry for a set of metrics whose members depend on the policy:
``grade_share:<grade>`` has one member per grade of the policy's scale. :func:`metric`
resolves any recorded name, a family member's included, to its :class:`Metric`.

Kept whole at about 800 lines: the catalogue reads in one place, one entry per metric or
metric family.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from simlib.i18n import N_
from simlib.mechanisms.grading import BOTTOM_SHARE, bottom_grades, top_grades
from simlib.metrics import fairness, money
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.state import moments
from simlib.state.counts import Counts, linear_quantiles
from simlib.state.moments import mean_sd
from simlib.state.simulation_state import Review, SimState

Direction = Literal["higher", "lower", "nearest_zero"]


@dataclass(frozen=True)
class Cycle:
    """What the reporters of a review read: the review and the cycle's counts."""

    review: Review
    counts: Counts  # since the cycle started
    perf_sum: float  # integral of performance over the cycle, all who worked (SD x weeks)
    fte_weeks: float  # weeks worked by all, summed
    value_sum: float  # integral of business value (index x weeks)
    # What several reporters read, worked out once per review (by the first to need it).
    shared: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def cycle_weeks(self) -> float:
        return self.review.cycle_weeks

    @cached_property
    def scores(self) -> np.ndarray:
        return self.review.scores[self.review.rated]

    @cached_property
    def true_performance(self) -> np.ndarray:
        return self.review.true_performance[self.review.rated]

    @cached_property
    def grades(self) -> np.ndarray:
        return self.review.grades[self.review.rated]

    @cached_property
    def true_order(self) -> np.ndarray:
        """The rated (their places in :attr:`true_performance`), worst performer first:
        rating accuracy's ranks and misclassification's top fifth both read it."""
        return np.argsort(self.true_performance)


Reporter = Callable[[SimState, "Cycle | None"], "float | None"]


@dataclass(frozen=True)
class Metric:
    """One outcome: how it is computed and how it is read."""

    name: str
    label: str  # the words a client reads
    unit: str
    direction: Direction | None  # which way is better (None: no better way, e.g. headcount)
    kind: Literal["state", "flow"]
    reporter: Reporter
    at_start: bool = False  # also recorded at week 0
    meaning: str = ""  # one line for the README's outcomes table
    # A real pilot can measure it (HR records, an engagement survey, goal scores); False for
    # what only the model knows (potential, true performance, rating accuracy, gaming).
    observable: bool = False


def _ranks(x: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Rank of each of ``x`` (0 = lowest); ``order`` is ``np.argsort(x)`` if known."""
    r = np.empty(len(x))
    r[np.argsort(x) if order is None else order] = np.arange(len(x))
    return r


def spearman(x: np.ndarray, y: np.ndarray, y_order: np.ndarray | None = None) -> float | None:
    """Rank correlation of ``x`` and ``y``; ``y_order`` is ``np.argsort(y)`` if known."""
    if len(x) < 3:
        return None
    rx, ry = _ranks(x), _ranks(y, y_order)
    rx -= rx.mean()
    ry -= ry.mean()
    denom = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    return float((rx * ry).sum() / denom) if denom > 0 else None


def _yearly_share(count: int, c: Cycle) -> float | None:
    if c.fte_weeks <= 0:
        return None
    mean_headcount = c.fte_weeks / c.cycle_weeks
    return count / mean_headcount * (WEEKS_PER_YEAR / c.cycle_weeks)


def _mean_active(values: np.ndarray, sim: SimState) -> float | None:
    active = sim.workforce.active
    return float(moments.mean(values[active])) if active.any() else None


# --- reporters ----------------------------------------------------------------------------


def workforce_potential(sim: SimState, c: Cycle | None) -> float | None:
    wf = sim.workforce
    return float(moments.mean(wf.potential[wf.active])) if wf.headcount else None


def headcount(sim: SimState, c: Cycle | None) -> float | None:
    return float(sim.workforce.headcount)


def payroll(sim: SimState, c: Cycle | None) -> float | None:
    return sim.pay.payroll()


def output_per_head(sim: SimState, c: Cycle | None) -> float | None:
    if c is None or c.fte_weeks <= 0:
        return None
    return 100.0 * (1.0 + sim.scenario.behaviour.output_per_sd * c.perf_sum / c.fte_weeks)


def business_value(sim: SimState, c: Cycle | None) -> float | None:
    """Output weighted by what it is worth: less for gamed or misaligned work."""
    if c is None or c.fte_weeks <= 0:
        return None
    return 100.0 * c.value_sum / c.fte_weeks


def kpi_attainment(sim: SimState, c: Cycle | None) -> float | None:
    return sim.cycle_results.kpi_attainment if c is not None else None


def rating_accuracy(sim: SimState, c: Cycle | None) -> float | None:
    if c is None:
        return None
    return spearman(c.scores, c.true_performance, c.true_order)


def misclassification(sim: SimState, c: Cycle | None) -> float | None:
    """Share of the true top 20% (by true cycle performance) given a bottom grade.

    The bottom grades are the lowest that together hold at most 20% of the rated this cycle,
    or the bottom grade alone when it holds more
    (:func:`simlib.mechanisms.grading.bottom_grades`): the bottom 20% of people, as near as
    the scale allows, whatever its number of grades.
    """
    if c is None or len(c.review.rated) < 5:
        return None
    true = c.true_performance
    (cut,) = linear_quantiles(true, (1.0 - BOTTOM_SHARE,), true[c.true_order])
    top = c.true_performance >= cut
    # The bottom grades are the lowest ones: from the best of them down.
    lowest_bottom = bottom_grades(c.grades, c.review.n_grades).min()
    return np.count_nonzero(c.grades[top] >= lowest_bottom) / np.count_nonzero(top)


def grade_shares(sim: SimState, c: Cycle | None) -> dict[str, float] | None:
    """Share of the rated given each grade of the policy's scale this cycle (sum 1)."""
    if c is None or len(c.grades) == 0:
        return None
    names = sim.policy.rating.grades
    counts = np.bincount(c.grades, minlength=len(names))
    return {grade: float(n) / len(c.grades) for grade, n in zip(names, counts, strict=True)}


def engagement(sim: SimState, c: Cycle | None) -> float | None:
    return _mean_active(sim.workforce.engagement, sim) if c is not None else None


def perceived_fairness(sim: SimState, c: Cycle | None) -> float | None:
    return _mean_active(sim.workforce.fairness_belief, sim) if c is not None else None


def cooperation(sim: SimState, c: Cycle | None) -> float | None:
    return _mean_active(sim.workforce.helping, sim) if c is not None else None


def gaming(sim: SimState, c: Cycle | None) -> float | None:
    return _mean_active(sim.workforce.gaming, sim) if c is not None else None


def voluntary_attrition(sim: SimState, c: Cycle | None) -> float | None:
    return _yearly_share(c.counts.quits, c) if c is not None else None


def regretted_attrition(sim: SimState, c: Cycle | None) -> float | None:
    if c is None:
        return None
    share = _yearly_share(c.counts.regretted_quits, c)
    return None if share is None else share / 0.2


def involuntary_exits(sim: SimState, c: Cycle | None) -> float | None:
    return _yearly_share(c.counts.exits, c) if c is not None else None


def layoffs_and_discharges(sim: SimState, c: Cycle | None) -> float | None:
    """Layoffs and discharges for cause (left out when the scenario models none)."""
    xb = sim.scenario.behaviour.exits
    if c is None or xb is None or (xb.layoff_rate == 0 and xb.discharge_rate == 0):
        return None
    return _yearly_share(c.counts.layoffs + c.counts.discharges, c)


def pay_performance_corr(sim: SimState, c: Cycle | None) -> float | None:
    return sim.cycle_results.pay_performance_corr if c is not None else None


def group_rating_gap(sim: SimState, c: Cycle | None) -> float | None:
    """Rating of the first listed group minus the others at equal true performance.

    The coefficient of a first-group indicator in a least-squares regression of the rating
    score (divided by its SD) on true cycle performance and that indicator; SD units.
    """
    if c is None or len(c.review.rated) < 5:
        return None
    first = (c.review.groups == 0).astype(float)
    if first.min() == first.max():
        return None
    sd = float(mean_sd(c.scores)[1])
    if sd <= 0:
        return None
    x = np.column_stack([np.ones(len(first)), c.true_performance, first])
    coef, *_ = np.linalg.lstsq(x, c.scores / sd, rcond=None)
    return float(coef[2])


def manager_hours(sim: SimState, c: Cycle | None) -> float | None:
    """Manager hours spent on performance management this cycle, per rater per year."""
    if c is None or c.cycle_weeks <= 0:
        return None
    raters = len(sim.workforce.chart.team_manager)
    return c.counts.manager_hours / raters * (WEEKS_PER_YEAR / c.cycle_weeks)


def appeals(sim: SimState, c: Cycle | None) -> float | None:
    if c is None or len(c.review.rated) == 0:
        return None
    return 100.0 * c.review.appeals / len(c.review.rated)


def _money(part: Callable[[SimState, Counts, float], float]) -> Reporter:
    """A reporter of one money part of :mod:`simlib.metrics.money` (per year, currency)."""

    def report(sim: SimState, c: Cycle | None) -> float | None:
        if c is None or c.cycle_weeks <= 0:
            return None
        return part(sim, c.counts, c.cycle_weeks)

    report.__name__ = part.__name__
    return report


def output_value(sim: SimState, c: Cycle | None) -> float | None:
    if c is None or c.cycle_weeks <= 0:
        return None
    return money.output_value(sim, c.value_sum, c.cycle_weeks)


def replacement_cost(sim: SimState, c: Cycle | None) -> float | None:
    if c is None or c.cycle_weeks <= 0:
        return None
    lost = money.vacancy_and_ramp_up_loss(sim, c.counts, c.value_sum, c.fte_weeks, c.cycle_weeks)
    return money.hiring_cost(sim, c.counts, c.cycle_weeks) + lost


def net_value(sim: SimState, c: Cycle | None) -> float | None:
    """Output value less the people costs, per year (the parts of money.NET_VALUE_PARTS)."""
    if c is None or c.cycle_weeks <= 0:
        return None
    value = output_value(sim, c)
    assert value is not None
    for name, sign in money.NET_VALUE_PARTS.items():
        if sign < 0:
            value -= MONEY_PARTS[name](sim, c.counts, c.cycle_weeks)
    return value


def net_value_per_head(sim: SimState, c: Cycle | None) -> float | None:
    value = net_value(sim, c)
    return None if value is None else value / sim.workforce.size


MONEY_PARTS: dict[str, Callable[[SimState, Counts, float], float]] = {
    "payroll_with_bonuses": money.payroll_with_bonuses,
    "hiring_cost": money.hiring_cost,
    "severance_cost": money.severance_cost,
    "manager_time_cost": money.manager_time_cost,
}


def group_decisions(sim: SimState, c: Cycle | None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """People rated at the review by group, and how many of each group met each decision
    the policy makes (see :mod:`simlib.metrics.fairness`); nothing with a single group.

    Worked out once per review: several reporters read it.
    """
    if c is not None and "group_decisions" in c.shared:
        return c.shared["group_decisions"]  # type: ignore[return-value]
    decisions = _group_decisions(sim, c)
    if c is not None:
        c.shared["group_decisions"] = decisions
    return decisions


def _group_decisions(sim: SimState, c: Cycle | None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    groups = len(sim.scenario.organization.groups)
    if c is None or groups < 2 or len(c.review.rated) == 0:
        return np.zeros(0), {}
    g = c.review.groups
    rated = np.bincount(g, minlength=groups)
    top = c.grades < len(top_grades(c.grades, c.review.n_grades))
    chosen = {"top_grades": np.bincount(g[top], minlength=groups)}
    if sim.policy.pay.promotion is not None:
        promoted = sim.workforce.group[c.review.promoted]
        chosen["promotions"] = np.bincount(promoted, minlength=groups)
    rule = sim.policy.consequences
    if rule.terminate_bottom_grade or rule.consecutive_bottom_to_exit is not None:
        if rule.pip is not None:
            chosen["pips"] = c.counts.pips_by_group
        chosen["exits"] = c.counts.policy_exits_by_group
    return rated, chosen


def selection_rates(sim: SimState, c: Cycle | None) -> dict[str, float] | None:
    rated, chosen = group_decisions(sim, c)
    if not chosen:
        return None
    names = list(sim.scenario.organization.groups)
    return {
        fairness.member(outcome, name): float(k) / n
        for outcome, selected in chosen.items()
        for name, k, n in zip(names, selected, rated, strict=True)
        if n > 0
    }


def rated_in_group(sim: SimState, c: Cycle | None) -> dict[str, float] | None:
    rated, chosen = group_decisions(sim, c)
    if not chosen:
        return None
    names = list(sim.scenario.organization.groups)
    return {name: float(n) for name, n in zip(names, rated, strict=True)}


def _adverse_impact(outcome: str) -> Reporter:
    """A reporter of the lowest impact ratio among groups for one decision."""

    def report(sim: SimState, c: Cycle | None) -> float | None:
        rated, chosen = group_decisions(sim, c)
        if outcome not in chosen or not (rated > 0).all():
            return None
        return fairness.worst_ratio(chosen[outcome] / rated)

    report.__name__ = f"adverse_impact_{outcome}"
    return report


# --- the catalogue, in the order a reader meets the metrics --------------------------------

METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "workforce_potential",
            N_("Workforce potential"),
            N_("SD units"),
            "higher",
            "state",
            workforce_potential,
            at_start=True,
            meaning="mean potential of everyone employed",
        ),
        Metric(
            "output_per_head",
            N_("Output per head"),
            N_("index per head-week (full-speed average hire = 100)"),
            "higher",
            "flow",
            output_per_head,
            meaning="output per head-week over the cycle",
        ),
        Metric(
            "rating_accuracy",
            N_("Rating accuracy"),
            N_("rank correlation (-1 to 1)"),
            "higher",
            "flow",
            rating_accuracy,
            meaning="rank correlation of rating with true cycle performance",
        ),
        Metric(
            "misclassification",
            N_("Top performers graded at the bottom"),
            N_("share of the true top 20% given a bottom-20% grade"),
            "lower",
            "flow",
            misclassification,
            meaning="share of the true top 20% (by true cycle performance) given one of the "
            "lowest grades that together hold at most 20% of the rated (the bottom grade alone "
            "if it holds more)",
        ),
        Metric(
            "voluntary_attrition",
            N_("Voluntary turnover"),
            N_("share of headcount per year"),
            "lower",
            "flow",
            voluntary_attrition,
            meaning="quits over the cycle",
            observable=True,
        ),
        Metric(
            "involuntary_exits",
            N_("Involuntary turnover"),
            N_("share of headcount per year"),
            "lower",
            "flow",
            involuntary_exits,
            meaning="everyone made to leave: exits decided by the policy, layoffs and "
            "discharges for cause",
            observable=True,
        ),
        Metric(
            "layoffs_and_discharges",
            N_("Layoffs and discharges for cause"),
            N_("share of headcount per year"),
            None,
            "flow",
            layoffs_and_discharges,
            meaning="involuntary exits no performance policy decides (involuntary_exits "
            "minus this is what the policy's exit rule decided)",
            observable=True,
        ),
        Metric(
            "headcount",
            N_("Headcount"),
            N_("people"),
            None,
            "state",
            headcount,
            at_start=True,
            meaning="people employed",
            observable=True,
        ),
        Metric(
            "payroll",
            N_("Payroll"),
            N_("currency per year"),
            "lower",
            "state",
            payroll,
            at_start=True,
            meaning="yearly pay of everyone employed",
            observable=True,
        ),
        Metric(
            "group_rating_gap",
            N_("Rating gap between groups"),
            N_("rating SD units: first listed group minus the others at equal true performance"),
            "nearest_zero",
            "flow",
            group_rating_gap,
            meaning="rating of the first listed group minus the others at equal true performance",
        ),
        Metric(
            "manager_hours",
            N_("Manager time on reviews"),
            N_(
                "hours per rater (team manager or department head) per year: reviews, "
                "calibration meetings, appeals, check-ins"
            ),
            "lower",
            "flow",
            manager_hours,
            meaning="hours per rater per year on reviews, calibration, appeals and check-ins",
            observable=True,
        ),
        Metric(
            "appeals",
            N_("Appeals"),
            N_("appeals filed per 100 rated employees per review"),
            None,
            "flow",
            appeals,
            meaning="appeals filed per 100 rated employees per review",
            observable=True,
        ),
        Metric(
            "business_value",
            N_("Business value"),
            N_("index per head-week (full-speed average hire, no gaming, aligned = 100)"),
            "higher",
            "flow",
            business_value,
            meaning="output weighted by its worth (less for gamed or misaligned work)",
        ),
        Metric(
            "kpi_attainment",
            N_("Goal attainment"),
            N_("OKR-style grade 0-1: progress of measured output toward target"),
            "higher",
            "flow",
            kpi_attainment,
            meaning="progress of measured output toward target, graded 0-1 (KPI/OKR goals only)",
            observable=True,
        ),
        Metric(
            "engagement",
            N_("Engagement"),
            N_("mean engagement of those employed (share 0-1)"),
            "higher",
            "state",
            engagement,
            meaning="mean engagement of everyone employed",
            observable=True,
        ),
        Metric(
            "perceived_fairness",
            N_("Perceived fairness"),
            N_("mean belief that evaluation is fair (share 0-1)"),
            "higher",
            "state",
            perceived_fairness,
            meaning="mean belief of everyone employed that evaluation is fair",
            observable=True,
        ),
        Metric(
            "cooperation",
            N_("Cooperation"),
            N_("mean share of time helping teammates (0-1)"),
            "higher",
            "state",
            cooperation,
            meaning="mean share of time spent helping teammates",
        ),
        Metric(
            "gaming",
            N_("Gaming of KPIs"),
            N_("mean share of unmeasured work moved to measured tasks (0-1)"),
            "lower",
            "state",
            gaming,
            meaning="mean share of unmeasured work moved to measured tasks",
        ),
        Metric(
            "regretted_attrition",
            N_("Regretted turnover"),
            N_("quits of the top 20% by current performance, share of them per year"),
            "lower",
            "flow",
            regretted_attrition,
            meaning="quits of the top 20% by current performance",
        ),
        Metric(
            "pay_performance_corr",
            N_("Pay for performance"),
            N_("correlation of merit raise with true cycle performance (-1 to 1)"),
            "higher",
            "flow",
            pay_performance_corr,
            meaning="correlation of merit raise with true cycle performance",
        ),
        Metric(
            "output_value",
            N_("Value of output"),
            N_("currency per year"),
            "higher",
            "flow",
            output_value,
            meaning="business value of the output produced, priced per index point per head "
            "(costs.output_value_per_point, or salary / costs.labour_share)",
        ),
        Metric(
            "payroll_with_bonuses",
            N_("Payroll with bonuses"),
            N_("currency per year"),
            "lower",
            "flow",
            _money(money.payroll_with_bonuses),
            meaning="yearly pay of everyone employed at the review plus the cycle's bonuses",
            observable=True,
        ),
        Metric(
            "hiring_cost",
            N_("Hiring cost"),
            N_("currency per year"),
            "lower",
            "flow",
            _money(money.hiring_cost),
            meaning="cash cost of the cycle's hires (costs.hiring_cost_share of salary each)",
            observable=True,
        ),
        Metric(
            "severance_cost",
            N_("Severance"),
            N_("currency per year"),
            "lower",
            "flow",
            _money(money.severance_cost),
            meaning="weeks of pay for the cycle's involuntary leavers, by kind of exit",
            observable=True,
        ),
        Metric(
            "manager_time_cost",
            N_("Cost of manager time"),
            N_("currency per year"),
            "lower",
            "flow",
            _money(money.manager_time_cost),
            meaning="manager hours on reviews, calibration, appeals and check-ins at the "
            "loaded hourly rate",
            observable=True,
        ),
        Metric(
            "net_value",
            N_("Net value"),
            N_("currency per year"),
            "higher",
            "flow",
            net_value,
            meaning="output_value less payroll_with_bonuses, hiring_cost, severance_cost and "
            "manager_time_cost (its difference from the baseline is theirs, summed)",
        ),
        Metric(
            "net_value_per_head",
            N_("Net value per position"),
            N_("currency per position per year"),
            "higher",
            "flow",
            net_value_per_head,
            meaning="net_value divided by the organization's positions",
        ),
        Metric(
            "replacement_cost",
            N_("Cost of replacing leavers"),
            N_("currency per year"),
            "lower",
            "flow",
            replacement_cost,
            meaning="hiring cost plus the output lost while positions are empty and new "
            "hires ramp up (that loss is inside output_value: not a further part of "
            "net_value)",
        ),
        Metric(
            "adverse_impact_top_grades",
            N_("Adverse impact: top grades"),
            N_(
                "lowest group's rate of top grades over the highest group's (below 0.8: "
                "adverse impact by the four-fifths rule)"
            ),
            "higher",
            "flow",
            _adverse_impact("top_grades"),
            meaning="lowest group's share given a top grade over the highest group's",
            observable=True,
        ),
        Metric(
            "adverse_impact_promotions",
            N_("Adverse impact: promotions"),
            N_(
                "lowest group's promotion rate over the highest group's (below 0.8: adverse impact)"
            ),
            "higher",
            "flow",
            _adverse_impact("promotions"),
            meaning="lowest group's promotion rate over the highest group's",
            observable=True,
        ),
        Metric(
            "adverse_impact_pips",
            N_("Adverse impact: PIPs"),
            N_(
                "least affected group's PIP rate over the most affected group's (below 0.8: "
                "adverse impact)"
            ),
            "higher",
            "flow",
            _adverse_impact("pips"),
            meaning="least affected group's rate of PIPs over the most affected group's",
            observable=True,
        ),
        Metric(
            "adverse_impact_exits",
            N_("Adverse impact: exits"),
            N_(
                "least affected group's rate of exits by the policy's rule over the most "
                "affected group's (below 0.8: adverse impact)"
            ),
            "higher",
            "flow",
            _adverse_impact("exits"),
            meaning="least affected group's rate of exits by the policy's exit rule over the "
            "most affected group's",
            observable=True,
        ),
    )
}


@dataclass(frozen=True)
class MetricFamily:
    """Metrics named ``<prefix>:<member>``, one per member the reporter returns.

    ``label`` and ``meaning`` may hold ``{member}``; every member shares unit, direction and
    kind.
    """

    prefix: str
    label: str
    unit: str
    direction: Direction | None
    kind: Literal["state", "flow"]
    reporter: Callable[[SimState, Cycle | None], dict[str, float] | None]
    meaning: str = ""
    placeholder: str = "<member>"  # stands for a member in the README's table
    observable: bool = False  # as Metric.observable

    def name(self, member: str) -> str:
        return f"{self.prefix}:{member}"

    def member(self, member: str) -> Metric:
        """The metric of one member (its reporter reads the family's)."""

        def report(sim: SimState, c: Cycle | None) -> float | None:
            values = self.reporter(sim, c)
            return None if values is None else values.get(member)

        return Metric(
            self.name(member),
            self.label.format(member=member),
            self.unit,
            self.direction,
            self.kind,
            report,
            meaning=self.meaning.format(member=member),
            observable=self.observable,
        )


FAMILIES: dict[str, MetricFamily] = {
    f.prefix: f
    for f in (
        MetricFamily(
            "grade_share",
            N_("Share graded {member}"),
            N_("share of the rated (0-1)"),
            None,
            "flow",
            grade_shares,
            meaning="share of the rated given each grade of the policy's scale (one metric per "
            "grade; they sum to 1)",
            placeholder="<grade>",
            observable=True,
        ),
        MetricFamily(
            fairness.RATE_PREFIX,
            N_("Rate of {member}"),
            N_("share of the group's rated (0-1)"),
            None,
            "flow",
            selection_rates,
            meaning="share of each group's rated who met a decision (top_grades, promotions, "
            "pips, exits), for the adverse-impact audit",
            placeholder="<decision>/<group>",
            observable=True,
        ),
        MetricFamily(
            fairness.RATED_PREFIX,
            N_("Rated in {member}"),
            N_("people"),
            None,
            "flow",
            rated_in_group,
            meaning="people of each group rated at the review",
            placeholder="<group>",
            observable=True,
        ),
    )
}


def metric(name: str) -> Metric | None:
    """The catalogue entry of a recorded metric name, a family member's included."""
    if name in METRICS:
        return METRICS[name]
    prefix, sep, member = name.partition(":")
    family = FAMILIES.get(prefix) if sep else None
    return None if family is None else family.member(member)


def check_metric_names(names: list[str] | None, field: str = "report.metrics") -> None:
    """Raise a :class:`~simlib.errors.ScenarioError` naming ``field`` for every name that is
    not a catalogue metric (a family member included), with the closest name suggested."""
    import difflib

    from simlib.errors import ScenarioError

    problems = []
    for name in names or []:
        if metric(name) is None:
            close = difflib.get_close_matches(name, list(METRICS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; one of {', '.join(METRICS)}"
            problems.append(f"{field}: {name!r} is not a metric{hint}")
    if problems:
        raise ScenarioError(problems)


def family_values(sim: SimState, c: Cycle | None) -> Iterator[tuple[str, float | None]]:
    """Every family member's name and value at a review (for the ledger)."""
    for family in FAMILIES.values():
        for member, value in (family.reporter(sim, c) or {}).items():
            yield family.name(member), value


class _Column(Mapping[str, str]):
    """One column of the catalogue by metric name; family members resolve too.

    Iterates over the fixed metrics in catalogue order; a metric without a value in the
    column (e.g. no direction) is not in it.
    """

    def __init__(self, column: Callable[[Metric], str | None]) -> None:
        self._column = column

    def __getitem__(self, name: str) -> str:
        found = metric(name)
        value = None if found is None else self._column(found)
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return (name for name, m in METRICS.items() if self._column(m) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


# Views of the catalogue for readers that need one column of it.
METRIC_UNITS: Mapping[str, str] = _Column(lambda m: m.unit)
METRIC_DIRECTION: Mapping[str, str] = _Column(lambda m: m.direction)


def markdown_table() -> str:
    """The README's outcomes table, written from the catalogue (a test keeps them equal)."""
    rows = [
        "| metric | meaning | unit | better | kind |",
        "| --- | --- | --- | --- | --- |",
    ]
    entries = [*METRICS.values(), *(f.member(f.placeholder) for f in FAMILIES.values())]
    for m in entries:
        better = (m.direction or "–").replace("_", " ")
        rows.append(f"| `{m.name}` | {m.meaning} | {m.unit} | {better} | {m.kind} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
