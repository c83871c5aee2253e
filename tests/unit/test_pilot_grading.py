"""A pilot whose arms grade differently, run together: each arm rated, graded, paid and
treated under its own policy inside one organization."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simlib import load_scenario
from simlib.analysis.pilot import run_pilot
from simlib.engine.simulation import Simulation
from simlib.engine.turnover_anchor import anchor_quit_rate
from simlib.experiments.pilot import MeasuredSimulation
from simlib.mechanisms.grading import absolute_grades, unit_quotas
from simlib.mechanisms.registry import MECHANISMS
from simlib.scenario.organization import WEEKS_PER_YEAR

SHOWDOWN = Path(__file__).resolve().parents[2] / "scenarios" / "policy_showdown.yaml"
HALF = np.arange(0, 56, 2)  # 28 of the 56 working teams


@pytest.fixture(scope="module")
def scenario():
    """policy_showdown over three years, plus ``merit``: pay_matrix without its promotion
    pool (promotion is one per organization, so it cannot differ between the arms)."""
    base = load_scenario(SHOWDOWN, overrides={"environment.years": 3})
    matrix = base.policies["pay_matrix"]
    merit = matrix.model_copy(update={"pay": matrix.pay.model_copy(update={"promotion": None})})
    return base.model_copy(update={"policies": {**base.policies, "merit": merit}})


@pytest.fixture(scope="module")
def quit_rate(scenario):
    return anchor_quit_rate(scenario, MECHANISMS, Simulation)


class Recorded(MeasuredSimulation):
    """Keeps every review (rows rated, scores, grades, raises) and the salaries after it."""

    def record_review(self, review):
        super().record_review(review)
        self.reviews = [*getattr(self, "reviews", []), review]
        self.salaries = [*getattr(self, "salaries", []), self.workforce.salary.copy()]


def _mixed(scenario, quit_rate, policy, baseline="absolute", chosen=HALF):
    sim = Recorded(
        scenario, baseline, 3, 0, units="team", metrics=("engagement",),
        neutral_quit_rate=quit_rate, pilot=(policy, chosen),
    )  # fmt: skip
    sim.check_invariants = True  # each arm's grades checked under its own rating
    sim.run_calendar()
    return sim


@pytest.fixture(scope="module")
def curve(scenario, quit_rate):
    return _mixed(scenario, quit_rate, "forced_distribution")


def test_each_arm_is_graded_under_its_own_scheme(scenario, curve):
    p = scenario.policies
    shares = p["forced_distribution"].rating.grade_shares()
    thresholds = p["absolute"].rating.grade_thresholds()
    in_pilot = curve.pilot_arms.in_pilot
    department = curve.workforce.chart.department
    for review in curve.reviews:
        rated = review.rated
        mine, others = rated[in_pilot[rated]], rated[~in_pilot[rated]]
        # The baseline's people: absolute thresholds on their own scores.
        np.testing.assert_array_equal(
            review.grades[others], absolute_grades(review.scores[others], thresholds)
        )
        # The pilot's people: the curve's quotas within each department, which spans both
        # arms, counting only the department's pilot people, ranked among themselves.
        for d in np.unique(department[mine]):
            people = mine[department[mine] == d]
            got = np.bincount(review.grades[people], minlength=len(shares))
            quota = unit_quotas(np.array([len(people)]), shares)[0]
            assert np.abs(got - quota).max() <= 1 and got.sum() == len(people)
            by_score = review.grades[people][np.argsort(-review.scores[people])]
            assert np.all(np.diff(by_score) >= 0)  # better scores, better grades
        share_d = np.mean(review.grades[mine] == len(shares) - 1)
        assert share_d == pytest.approx(shares[-1], abs=0.01)
        assert np.mean(review.grades[others] == len(shares) - 1) < 0.01  # absolute: few D


def test_each_arm_acts_on_its_own_grades(curve):
    in_pilot = curve.pilot_arms.in_pilot
    departures = curve.turnover.departures
    exits = [d.rows for d in departures if d.event == "exit"]
    assert exits, "two D grades in a row end someone's employment under the curve"
    assert in_pilot[np.concatenate(exits)].all()  # the baseline has no exit rule
    wf = curve.workforce
    # Ranking makes one's gain a teammate's loss: only the pilot's people sabotage.
    assert np.all(wf.sabotage[~in_pilot] == 0)
    assert np.any(wf.sabotage[in_pilot & wf.active] > 0)
    beliefs = curve.pilot_arms.beliefs
    assert beliefs[True].stake > beliefs[False].stake  # a curve links pay to rank more
    assert curve.beliefs is beliefs[False]


def test_each_arm_spends_its_own_merit_budget(scenario, quit_rate):
    sim = _mixed(scenario, quit_rate, "merit")
    in_pilot = sim.pilot_arms.in_pilot
    budget = scenario.policies["merit"].pay.merit_budget
    drift = scenario.environment.pay_drift
    for review, salary in zip(sim.reviews, sim.salaries, strict=True):
        years = review.cycle_weeks / WEEKS_PER_YEAR
        rated = review.rated
        grades = review.grades[rated]
        mine = in_pilot[rated]
        raises = review.raises[rated]
        # The matrix gives nothing at C and D in the pilot; the baseline's default grid
        # gives the bottom grade nothing and C half the middle raise.
        assert np.all(raises[mine & (grades >= 3)] == 0)
        assert np.all(raises[~mine & (grades == 2)] > 0)
        # Each arm's raises spend its own budget on its own rated payroll.
        before = salary[rated] / (1 + raises)
        for flags, yearly in ((mine, budget), (~mine, drift)):
            spent = (raises[flags] * before[flags]).sum() / before[flags].sum()
            assert spent == pytest.approx((1 + yearly) ** years - 1, rel=1e-9)


def test_a_curve_against_absolute_together_keeps_the_nominal_false_positive_rate(scenario):
    table = run_pilot(
        scenario, "forced_distribution", "absolute",
        ["engagement", "voluntary_attrition", "grade_share:D"],
        cycles=(1, 3), sizes=(5, 20), reps=8, assignments=250, arms="together",
    )  # fmt: skip
    # (Absolute grades almost nobody D: B's D shares are nearly all 0, no test to speak of.)
    surveyed = table[table.metric != "grade_share:D"]
    assert surveyed.false_positive_rate.to_numpy() == pytest.approx(0.05, abs=0.02)
    d = table[table.metric == "grade_share:D"]
    # The curve hands out 5% D; absolute almost none: the pilot sees it, like the rollout.
    assert (d.pilot_estimate > 0.03).all() and (d.rollout_effect > 0.03).all()
    # A pilot hands out slightly fewer D grades than the rollout (about 0.04-0.046 against
    # 0.051): the curve ranks the pilot's people apart in each ranking unit, and a 5% quota
    # rounds down more often in those smaller groups.
    assert (d.pilot_estimate <= d.rollout_effect + 0.005).all()
    assert (d.pilot_estimate > 0.75 * d.rollout_effect).all()
    assert (d[d.units == 20].power == 1).all()
