"""Expectations: beliefs about what each grade brings, from the announced terms and from
what the organization's reviews delivered; the stake is their spread times the link."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.expectations import (
    HORIZON_YEARS,
    grade_link,
    grade_means,
    grade_values,
    learned,
    perceived_stake,
    raise_years,
)
from simlib.mechanisms.registry import MECHANISMS
from simlib.scenario.behaviour import IncentiveBehaviour

BONUS = {"S": 1.2, "A": 1.1, "B": 1.0, "C": 0.5, "D": 0.0}
FORCED = {"preset": "forced_distribution"}


def scenario(policies: dict, years: int = 1, headcount: int = 300, **incentives) -> dict:
    """Only the policy's rules let people go (no layoffs or discharges for cause)."""
    return {
        "organization": {"headcount": headcount, "span_of_control": 8},
        "environment": {"years": years},
        "behaviour": {
            "incentives": incentives,
            "exits": {"layoff_rate": 0.0, "discharge_rate": 0.0},
        },
        "policies": policies,
    }


def started(policy: dict, **incentives) -> Simulation:
    sim = Simulation(load_scenario(scenario({"p": policy}, **incentives)), "p", seed=4)
    sim.start()
    return sim


def run_with_spy(scenario_map: dict, policy: str, seed: int = 4):
    """Run to the horizon; return the simulation and, per review, what a spy saw in it."""
    seen: list[tuple[object, dict]] = []

    def spy(sim, review):
        grades = review.grades[review.rated]
        record = {
            "grades": grades.copy(),
            "exits": sim.counts.exits,
            "pips": sim.counts.pips,
            "pips_failed": sim.counts.pips_failed,
            "beliefs": sim.beliefs.exit_by_grade.copy(),
        }
        seen.append((sim, record))

    mechanisms = (
        *MECHANISMS,
        Mechanism("spy", (Step("after_review", spy, ("expectations",)),), observer=True),
    )
    sim = Simulation(load_scenario(scenario_map), policy, seed=seed, mechanisms=mechanisms)
    sim.run()
    assert all(owner is sim for owner, _ in seen)  # the status-quo runs leave observers out
    return sim, [record for _, record in seen]


def test_the_link_is_each_grades_slope_on_performance_and_sums_to_zero():
    rng = np.random.default_rng(1)
    perf = rng.standard_normal(2000)
    grades = np.searchsorted([-1.0, 0.0, 1.0], -(perf + rng.standard_normal(2000)))
    link = grade_link(grades, perf, 4)
    for g in range(4):
        assert link[g] == pytest.approx(np.polyfit(perf, (grades == g).astype(float), 1)[0])
    assert link.sum() == pytest.approx(0.0, abs=1e-12)
    assert link[0] > 0 > link[3]  # better performance, better grades
    assert np.all(grade_link(grades[:2], perf[:2], 4) == 0)  # too few to tell


def test_learning_moves_toward_what_was_seen_and_keeps_what_nobody_saw():
    means, held = grade_means(np.array([1.0, 3.0, 5.0]), np.array([0, 0, 2]), 4)
    assert list(means) == [2.0, 0.0, 5.0, 0.0] and list(held) == [True, False, True, False]
    old = np.array([0.0, 7.0, 1.0, 9.0])
    assert list(learned(old, means, held, 0.5)) == [1.0, 7.0, 3.0, 9.0]
    assert list(learned(old, means, held, 0.0)) == list(old)


def test_a_lasting_raise_is_worth_the_years_one_expects_to_stay_discounted():
    inc = IncentiveBehaviour(discount_rate=0.0)
    assert raise_years(inc, 0.0) == HORIZON_YEARS
    assert raise_years(inc, 1.0) == 1.0  # gone after this year
    assert raise_years(inc, 0.5) == pytest.approx(2.0, rel=1e-5)
    rates = [raise_years(IncentiveBehaviour(discount_rate=r), 0.15) for r in (0.0, 0.05, 0.2)]
    assert rates[0] > rates[1] > rates[2] > 1.0
    assert raise_years(inc, 0.1) > raise_years(inc, 0.3)


def test_the_exit_prior_follows_the_announced_rule():
    yank = started({"preset": "rank_and_yank"}).beliefs.exit_by_grade
    assert list(yank) == [0.0, 1.0]  # the bottom grade is let go
    two = started(FORCED).beliefs.exit_by_grade
    three = started({**FORCED, "consequences": {"consecutive_bottom_to_exit": 3}})
    pip = started({**FORCED, "consequences": {"consecutive_bottom_to_exit": 2, "pip": {}}})
    assert np.all(two[:-1] == 0) and 0.05 < two[-1] < 1.0  # a bottom grade before this one
    assert 0 < three.beliefs.exit_by_grade[-1] < two[-1]  # two before: rarer
    assert 0 < pip.beliefs.exit_by_grade[-1] < two[-1]  # a PIP gives a chance to stay
    assert started({"preset": "absolute"}).beliefs.exit_by_grade.max() == 0.0


def test_the_stake_is_the_spread_of_grade_values_times_the_link():
    sim = started({"preset": "absolute", "pay": {"scheme": "flat", "bonus_multipliers": BONUS}})
    assert sim.beliefs.stake == pytest.approx(0.0, abs=1e-9)  # no bonus: nothing to win
    paid = started(
        {
            "preset": "absolute",
            "pay": {"scheme": "flat", "bonus_target": 0.1, "bonus_multipliers": BONUS},
        }
    )
    b, inc = paid.beliefs, paid.scenario.behaviour.incentives
    values = grade_values(b, inc, 1.0)
    assert np.allclose(np.diff(values), 100 * 0.1 * np.diff(list(BONUS.values())))
    assert b.stake == pytest.approx(float(values @ b.link)) and b.stake > 0.5
    doubled = started(
        {
            "preset": "absolute",
            "pay": {"scheme": "flat", "bonus_target": 0.2, "bonus_multipliers": BONUS},
        }
    )
    assert doubled.beliefs.stake == pytest.approx(2 * b.stake)


def test_job_loss_counts_only_where_the_rules_let_grades_cost_jobs():
    costly, free = started(FORCED), started(FORCED, job_loss_cost=0.0)
    b, inc = costly.beliefs, costly.scenario.behaviour.incentives
    assert costly.beliefs.stake > free.beliefs.stake + 1.0
    lost = b.exit_by_grade[-1] * inc.job_loss_cost * -b.link[-1]
    assert costly.beliefs.stake - free.beliefs.stake == pytest.approx(lost)
    absolute = started({"preset": "absolute"})
    assert absolute.beliefs.stake == started({"preset": "absolute"}, job_loss_cost=0).beliefs.stake
    assert perceived_stake(b, inc, 1.0) == pytest.approx(b.stake)


def test_beliefs_about_exits_come_from_who_was_let_go():
    # Two bottom grades in a row mean an exit: all exits at a review are of its D grades.
    s = scenario({"forced": FORCED}, years=3, headcount=400, learning_rate=1.0)
    sim, seen = run_with_spy(s, "forced")
    announced = seen[0]["beliefs"][-1]
    assert seen[1]["beliefs"][-1] == 0.0  # nobody had a D before the first review
    d_at_2 = int((seen[1]["grades"] == 4).sum())
    let_go_at_2 = seen[1]["exits"] - seen[0]["exits"]
    assert let_go_at_2 > 0 and announced > 0
    assert seen[2]["beliefs"][-1] == pytest.approx(let_go_at_2 / d_at_2)
    assert np.all(seen[2]["beliefs"][:-1] == 0)  # no one else was let go


def test_failed_improvement_plans_count_for_the_grade_that_started_them():
    policy = {"preset": "rank_and_yank", "consequences": {"pip": {"weeks": 12}}}
    s = scenario({"yank": policy}, years=2, headcount=400, learning_rate=1.0)
    sim, seen = run_with_spy(s, "yank")
    cut_at_1 = int((seen[0]["grades"] == 1).sum())
    assert seen[0]["exits"] == 0  # the cut enter a plan instead of leaving at once
    # By the second review every plan from the first has ended; only failures were let go.
    failed = seen[1]["pips_failed"]
    assert 0 < failed < cut_at_1 and seen[1]["exits"] == failed
    assert sim.beliefs.exit_by_grade[1] == pytest.approx(failed / cut_at_1)
    assert sim.beliefs.exit_by_grade[0] == 0.0


def test_promotion_beliefs_learn_the_chance_by_grade_and_the_pay_rise():
    s = scenario({"matrix": {"preset": "pay_matrix"}}, years=1, learning_rate=1.0)
    sim = Simulation(load_scenario(s), "matrix", seed=4)
    sim.start()
    rule = sim.policy.pay.promotion
    assert rule is not None
    announced = rule.share_promoted
    assert list(sim.beliefs.promotion_by_grade) == [announced, announced, 0, 0, 0]
    sim.env.run(until=53)
    b = sim.beliefs
    # The best-rated quarter of the S and A pool is promoted: in practice the S grades.
    assert b.promotion_by_grade[0] > announced and b.promotion_by_grade[1] < announced
    assert np.all(b.promotion_by_grade[2:] == 0)
    assert b.promotion_gain == pytest.approx(rule.raise_share)


def test_without_learning_people_keep_believing_the_announced_terms():
    s = scenario({"forced": FORCED}, years=3, learning_rate=0.0)
    sim = Simulation(load_scenario(s), "forced", seed=4)
    sim.start()
    announced = sim.beliefs.announced_stake
    sim.env.run(until=3 * 52 + 1)
    assert sim.beliefs.stake == pytest.approx(announced)
    learning = Simulation(load_scenario({**s, "behaviour": {}}), "forced", seed=4)
    learning.run()
    assert learning.beliefs.stake != pytest.approx(announced)


def test_the_separation_rate_is_learned_from_quits_and_exits():
    quiet = {**scenario({"a": {"preset": "absolute"}}, learning_rate=1.0)}
    quiet["behaviour"]["voluntary_quit_rate"] = 0.0
    sim = Simulation(load_scenario(quiet), "a", seed=4)
    sim.run()
    assert sim.beliefs.separation_rate == 0.0
    busy = Simulation(load_scenario(scenario({"y": {"preset": "rank_and_yank"}})), "y", seed=4)
    busy.start()
    assert busy.beliefs.separation_rate == pytest.approx(0.10)  # the stated quit rate
    busy.env.run(until=53)
    assert busy.beliefs.separation_rate > 0.10 + 0.5 * 0.09  # a tenth let go, and quits
