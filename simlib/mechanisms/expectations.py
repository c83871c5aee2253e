"""Expectations: what people believe each grade brings, learned from what it brought.

For every grade people hold beliefs about its consequences: the merit raise (share of
salary a year), the bonus (share of yearly salary), the chance of being made to leave, and
the chance of a promotion with the pay rise it brings. They also believe grades follow
performance to some degree: the *link*, the change in the chance of each grade per SD of
performance. Beliefs start from the announced terms of the policy (the prior) and move
toward what each review actually delivered in this organization, by exponential learning
at ``behaviour.incentives.learning_rate``:

* **Prior.** The announced terms judged on today's workforce: a rating as reliable as
  ``behaviour.raters.reliability`` grades everyone under the policy's scheme (so absolute
  thresholds are assumed to be applied as written), the pay rules give each grade its
  raise and bonus, the promotion rule its chance (``share_promoted`` of the pool) and pay
  rise. The exit rule gives the bottom grade its chance of exit: 1 when the bottom grade
  is let go; after ``k`` bottom grades in a row, the chance that the ``k - 1`` grades
  before were bottom too, read from a second rating of the same people
  (``q ** (k - 1)``, ``q`` = chance a bottom grade was preceded by one); with a PIP, times
  the chance of failing it (the plan's coaching added, the same rating against the pass
  mark).
* **Experience.** After each review: the raises, bonuses and promotions each grade got,
  and how strongly grades followed true performance. The chance of exit by grade is
  learned one review later, from what happened to the people who held each grade: who was
  let go at that review or after it (a failed PIP) before the next one. The exits
  mechanism marks the week a position's occupant was made to leave; no one hired since a
  review can be let go before the next one, so a mark between two reviews is the graded
  person's.

The **stake** (% of yearly salary per SD of performance over a year) is a tournament's
incentive (Lazear & Rosen 1981): the value of each grade times the link, summed::

    value_g = 100 (raise_g y A + bonus_g y + promotion_g gain A) - exit_g job_loss_cost
    stake   = sum_g value_g link_g / y

with ``y`` the review cycle in years and ``A`` the years of pay a raise is worth: it lasts
while one stays (yearly separation rate ``s``, learned from the organization's quits and
exits), discounted at ``r`` over 20 years (:func:`raise_years`). The link sums to zero over
the grades, so only differences between grades matter: flat rewards give no stake. Under
absolute ratings lenient raters give few low grades, so the value gaps at the bottom of a
pay grid go unused; a forced curve hands the low grades out (Berger, Harbring & Sliwka
2013). How much that adds depends on the raters: ratings that are mostly rater noise link
grades weakly to performance under either scheme.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.grading import assign_grades, ranking_units
from simlib.mechanisms.pay import bonus_shares, merit_raises
from simlib.mechanisms.rater_judgement import reliability_scores
from simlib.scenario.behaviour import IncentiveBehaviour
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.scenario.policy import Policy
from simlib.state.pilot_arms import acting_as
from simlib.state.simulation_state import Beliefs, GradedCohort, Review, SimState

HORIZON_YEARS = 20  # how far ahead a raise is valued: the horizon of Davis & von Wachter 2011


def grade_link(grades: np.ndarray, performance: np.ndarray, n_grades: int) -> np.ndarray:
    """Least-squares slope of being in each grade on performance (per SD; sums to 0)."""
    if len(grades) < 3:
        return np.zeros(n_grades)
    p = performance - performance.mean()
    var = float((p * p).sum())
    if var <= 0:
        return np.zeros(n_grades)
    return np.bincount(grades, weights=p, minlength=n_grades) / var


def grade_means(
    values: np.ndarray, grades: np.ndarray, n_grades: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``values`` within each grade, and whether anyone held the grade."""
    count = np.bincount(grades, minlength=n_grades)
    total = np.bincount(grades, weights=values, minlength=n_grades)
    return total / np.maximum(count, 1), count > 0


def raise_years(inc: IncentiveBehaviour, separation_rate: float) -> float:
    """Years of pay a lasting raise is worth: kept while one stays, discounted.

    ``sum over t < HORIZON_YEARS of ((1 - s) / (1 + r)) ** t``: this year's raise counts
    in full, later years as far as one is still here, discounted like the job losses of
    ``job_loss_cost`` (Davis & von Wachter 2011 count 20 years at 5%).
    """
    keep = (1.0 - float(np.clip(separation_rate, 0.0, 1.0))) / (1.0 + inc.discount_rate)
    if keep >= 1.0:
        return float(HORIZON_YEARS)
    return float((1.0 - keep**HORIZON_YEARS) / (1.0 - keep))


def grade_values(beliefs: Beliefs, inc: IncentiveBehaviour, cycle_years: float) -> np.ndarray:
    """What one review's grade is believed to be worth (% of yearly salary), per grade."""
    years = raise_years(inc, beliefs.separation_rate)
    pay = (
        beliefs.raise_by_grade * cycle_years * years
        + beliefs.bonus_by_grade * cycle_years
        + beliefs.promotion_by_grade * beliefs.promotion_gain * years
    )
    return 100.0 * pay - beliefs.exit_by_grade * inc.job_loss_cost


def perceived_stake(beliefs: Beliefs, inc: IncentiveBehaviour, cycle_years: float) -> float:
    """What one more SD of performance over a year is believed to bring (% of salary)."""
    value = grade_values(beliefs, inc, cycle_years)
    return float(value @ beliefs.link) / cycle_years


def cycle_years(sim: SimState) -> float:
    return sim.scenario.environment.weeks_per_cycle / WEEKS_PER_YEAR


# --- the prior: the announced terms ----------------------------------------------------------


def announced_exit_chance(
    sim: SimState, y: np.ndarray, grades: np.ndarray, again: np.ndarray, rng: np.random.Generator
) -> float:
    """Chance a bottom grade leads to exit under the announced rule (see module docstring)."""
    rule = sim.policy.consequences
    bottom = len(sim.policy.rating.grades) - 1
    now = grades == bottom
    if rule.terminate_bottom_grade:
        chance = 1.0
    elif rule.consecutive_bottom_to_exit is not None:
        preceded = float((again[now] == bottom).mean()) if now.any() else 0.0
        chance = preceded ** (rule.consecutive_bottom_to_exit - 1)
    else:
        return 0.0
    if rule.pip is not None and now.any():
        rel = sim.scenario.behaviour.raters.reliability
        scores = reliability_scores(y + rule.pip.improvement_sd, rel, rng)
        chance *= float((scores[now] < rule.pip.pass_score).mean())
    return chance


def announced_beliefs(sim: SimState) -> Beliefs:
    """Beliefs from the announced terms, judged on today's workforce (the prior)."""
    wf = sim.workforce
    policy = sim.policy
    n = len(policy.rating.grades)
    rows = np.flatnonzero(wf.active)
    rng = sim.streams["incentives"]
    rel = sim.scenario.behaviour.raters.reliability
    y = (wf.potential + wf.skill)[rows]
    units = ranking_units(sim)[rows]
    grades = assign_grades(reliability_scores(y, rel, rng), units, policy.rating)
    again = assign_grades(reliability_scores(y, rel, rng), units, policy.rating)
    raises, _ = grade_means(merit_raises(sim, rows, grades, 1.0), grades, n)
    exit_by_grade = np.zeros(n)
    exit_by_grade[n - 1] = announced_exit_chance(sim, y, grades, again, rng)
    promotion = np.zeros(n)
    rule = policy.pay.promotion
    if rule is not None:
        promotion[: rule.pool_grades] = rule.share_promoted
    return Beliefs(
        raise_by_grade=raises,
        bonus_by_grade=bonus_shares(policy, np.arange(n), n),
        exit_by_grade=exit_by_grade,
        promotion_by_grade=promotion,
        promotion_gain=rule.raise_share if rule is not None else 0.0,
        link=grade_link(grades, y, n),
        separation_rate=sim.scenario.behaviour.voluntary_quit_rate,
    )


def form_beliefs(sim: SimState) -> None:
    """At week 0: beliefs from the announced terms, and the stake they promise."""
    inc = sim.scenario.behaviour.incentives
    if inc is None:
        return
    arms = sim.pilot_arms
    if arms is not None and believed_apart(arms.pilot, arms.baseline):
        form_arm_beliefs(sim, inc)
        return
    beliefs = announced_beliefs(sim)
    beliefs.stake = beliefs.announced_stake = perceived_stake(beliefs, inc, cycle_years(sim))
    sim.beliefs = beliefs


def believed_apart(pilot: Policy, baseline: Policy) -> bool:
    """Whether a pilot's arms announce different terms for a grade (rating, exits, pay)."""
    return any(getattr(pilot, s) != getattr(baseline, s) for s in ("rating", "consequences", "pay"))


def form_arm_beliefs(sim: SimState, inc: IncentiveBehaviour) -> None:
    """A pilot whose arms announce different terms: each arm's prior from its own terms,
    judged on the same draws (the ``incentives`` stream is left where B's prior leaves it)."""
    arms = sim.pilot_arms
    assert arms is not None
    rng = sim.streams["incentives"]
    start = rng.bit_generator.state
    for policy, _ in arms.each():  # P, then B: the stream ends where B's prior leaves it
        rng.bit_generator.state = start
        with acting_as(sim, policy):
            beliefs = announced_beliefs(sim)
        beliefs.stake = beliefs.announced_stake = perceived_stake(beliefs, inc, cycle_years(sim))
        arms.beliefs[policy is arms.pilot] = beliefs
    sim.beliefs = arms.beliefs[False]


# --- experience -------------------------------------------------------------------------


def learned(old: np.ndarray, seen: np.ndarray, mask: np.ndarray, rate: float) -> np.ndarray:
    """Exponential learning toward ``seen`` where ``mask`` (where nothing was seen, no news)."""
    return np.where(mask, (1.0 - rate) * old + rate * seen, old)


def exits_of(sim: SimState, cohort: GradedCohort) -> np.ndarray:
    """Who of ``cohort`` was made to leave at its review or since (a failed PIP)."""
    left = sim.workforce.left_involuntarily_week[cohort.rows]
    with np.errstate(invalid="ignore"):
        since = (left > cohort.week) & (left < sim.now)
    return cohort.exited | since


def note_pay(sim: SimState, review: Review) -> None:
    """Salaries after the pay review, to tell a promotion's rise from the merit raise."""
    if sim.scenario.behaviour.incentives is not None:
        sim.beliefs.salary_after_pay = sim.workforce.salary.copy()
        arms = sim.pilot_arms
        for beliefs in arms.beliefs.values() if arms is not None else ():
            beliefs.salary_after_pay = sim.beliefs.salary_after_pay


def learn_from_review(sim: SimState, review: Review) -> None:
    """Move every belief toward what this review delivered; in a pilot whose arms announce
    different terms, each arm's beliefs from its own people's review."""
    arms = sim.pilot_arms
    if arms is None or not arms.beliefs:
        learn_from(sim, review)
        return
    for policy, flags in arms.each():
        own = replace(
            review,
            rated=review.rated[flags[review.rated]],
            promoted=review.promoted[flags[review.promoted]],
        )
        with acting_as(sim, policy, arms.beliefs[policy is arms.pilot]):
            learn_from(sim, own)


def learn_from(sim: SimState, review: Review) -> None:
    """Move every belief toward what this review (and the last one's exits) delivered."""
    inc = sim.scenario.behaviour.incentives
    if inc is None:
        return
    assert review.raises is not None, "pay decides raises before beliefs learn from them"
    wf = sim.workforce
    b = sim.beliefs
    rate = inc.learning_rate
    n = review.n_grades
    rated = review.rated
    grades = review.grades[rated]
    years = max(review.cycle_weeks / WEEKS_PER_YEAR, 1e-9)

    yearly = (1.0 + review.raises[rated]) ** (1.0 / years) - 1.0
    raises, held = grade_means(yearly, grades, n)
    b.raise_by_grade = learned(b.raise_by_grade, raises, held, rate)
    bonus, _ = grade_means(bonus_shares(sim.policy, grades, n), grades, n)
    b.bonus_by_grade = learned(b.bonus_by_grade, bonus, held, rate)
    promoted = np.zeros(wf.size, dtype=bool)
    promoted[review.promoted] = True
    chance, _ = grade_means(promoted[rated].astype(float), grades, n)
    b.promotion_by_grade = learned(b.promotion_by_grade, chance, held, rate)
    if len(review.promoted) and b.salary_after_pay is not None:
        before = b.salary_after_pay[review.promoted]
        gain = float(np.mean(wf.salary[review.promoted] / before - 1.0))
        b.promotion_gain = (1.0 - rate) * b.promotion_gain + rate * gain
    link = grade_link(grades, review.true_performance[rated], n)
    b.link = (1.0 - rate) * b.link + rate * link

    if b.graded is not None:
        cohort = b.graded
        chance, held_then = grade_means(exits_of(sim, cohort).astype(float), cohort.grades, n)
        b.exit_by_grade = learned(b.exit_by_grade, chance, held_then, rate)
    b.graded = GradedCohort(
        week=sim.now,
        rows=rated,
        grades=grades,
        exited=wf.left_involuntarily_week[rated] == sim.now,
    )

    counts = sim.counts_this_cycle()
    separations = (counts.quits + counts.exits) / max(wf.size, 1) / years
    b.separation_rate = (1.0 - rate) * b.separation_rate + rate * separations
    b.stake = perceived_stake(b, inc, cycle_years(sim))


MECHANISM = Mechanism(
    "expectations",
    steps=(
        Step("start", form_beliefs),
        Step("after_review", note_pay, after=("pay",)),
        Step("after_review", learn_from_review, after=("pay", "promotion")),
    ),
    summary="beliefs about what each grade brings, learned from what reviews delivered",
)
