from __future__ import annotations

import numpy as np
import pandas as pd

import simlib
from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.registry import MECHANISMS
from simlib.state.simulation_state import Review, SimState


def test_bottom_of_team_is_fired_and_replaced_each_review(tiny):
    """With a perfect rater and no luck, the least able person goes at every review."""
    graded_bottom = []

    def observe(sim: SimState, review: Review) -> None:
        rated = review.grades >= 0
        bottom = review.grades == 1
        potential = sim.workforce.potential
        graded_bottom.append((sim.now, float(potential[bottom][0]), float(potential[rated].min())))

    # A mechanism of the test's own, registered first: it sees the grades before any exit.
    observer = Mechanism("observer", steps=(Step("review", observe),), observer=True)
    scenario = load_scenario(tiny)
    sim = Simulation(
        scenario, "fire_bottom", seed=1, mechanisms=(observer, *MECHANISMS), trace=True
    )
    sim.run()
    assert [g[0] for g in graded_bottom] == [52.0, 104.0, 156.0]
    for _, potential, lowest in graded_bottom:
        assert potential == lowest
    assert sim.trace == [
        event
        for week in (52.0, 104.0, 156.0)
        for event in [(week, "review", 10), (week, "exit", 1), (week, "hire", 1)]
    ]
    assert sim.counts.exits == 3 and sim.counts.hires == 3
    assert sim.workforce.headcount == 10


def test_frame_shape_and_week_zero_state(tiny):
    frame = simlib.simulate(load_scenario(tiny), "fire_bottom", seed=1)
    assert list(frame.columns) == ["policy", "rep", "week", "metric", "value"]
    assert sorted(frame.loc[frame.week == 0, "metric"]) == [
        "headcount",
        "payroll",
        "workforce_potential",
    ]
    assert sorted(frame.week.unique()) == [0.0, 52.0, 104.0, 156.0]
    assert np.isfinite(frame.value).all()
    exits = frame[frame.metric == "involuntary_exits"].value
    assert np.allclose(exits, 0.1)  # one of ten a year
    # A perfect rater with no luck ranks everyone exactly.
    assert np.allclose(frame[frame.metric == "rating_accuracy"].value, 1.0)


def test_same_seed_identical_different_seed_different(tiny):
    s = load_scenario(tiny)
    a = simlib.compare(s, reps=2, seed=11).frame
    b = simlib.compare(s, reps=2, seed=11).frame
    c = simlib.compare(s, reps=2, seed=12).frame
    pd.testing.assert_frame_equal(a, b)
    assert not a["value"].equals(c["value"])


def test_common_random_numbers_across_policies():
    """Every policy sees the same initial workforce and the same applicant sequence."""
    s = load_scenario("scenarios/scullen2005.yaml")
    sims = {}
    for policy in ("forced_distribution", "no_firing"):
        sim = Simulation(s, policy, seed=3, rep=4)
        sim.populate()
        sims[policy] = sim
    a, b = sims["forced_distribution"].workforce, sims["no_firing"].workforce
    assert np.array_equal(a.potential, b.potential)
    # The k-th hire is the same person under both policies even if hired at other times.
    from simlib.mechanisms.hiring import hire_into

    fd, nf = sims["forced_distribution"], sims["no_firing"]
    hire_into(fd, np.array([0, 1, 2]))
    hire_into(nf, np.array([5]))
    hire_into(nf, np.array([6, 7]))
    assert np.array_equal(fd.workforce.potential[[0, 1, 2]], nf.workforce.potential[[5, 6, 7]])


def test_replications_differ_and_week_zero_is_paired():
    r = simlib.compare("scenarios/scullen2005.yaml", reps=3, overrides={"environment.years": 2})
    w0 = r.frame[(r.frame.week == 0) & (r.frame.metric == "workforce_potential")]
    by_policy = w0.pivot(index="rep", columns="policy", values="value")
    assert (by_policy["forced_distribution"] == by_policy["no_firing"]).all()
    assert by_policy["no_firing"].nunique() == 3


def test_hiring_pipeline_waits_for_recruiters(tiny):
    """One recruiter with one requisition: vacancies are filled one after another."""
    tiny["hiring"].update(time_to_fill_weeks=4.0, recruiters=1, requisitions_per_recruiter=1)
    scenario = load_scenario(tiny)
    sim = Simulation(scenario, "keep_all", seed=0)
    sim.populate()
    from simlib.mechanisms.exits import leave

    fills = []
    original = sim.workforce.fill

    def spy(rows, week, *args):
        fills.append((round(week, 6), rows.tolist()))
        return original(rows, week, *args)

    sim.workforce.fill = spy  # type: ignore[method-assign]
    leave(sim, np.array([0, 1, 2]), "exits")
    assert sim.workforce.headcount == 7
    sim.env.run(until=100)
    assert [rows for _, rows in fills] == [[0], [1], [2]]
    weeks = [w for w, _ in fills]
    assert weeks == sorted(weeks) and weeks[0] > 0
    # Sequential service: each fill starts when the previous one ends.
    gaps = np.diff([0.0] + weeks)
    assert np.all(gaps > 0)
    assert sim.workforce.headcount == 10


def test_market_shock_moves_output_for_its_duration(tiny):
    tiny["policies"] = {"keep_all": tiny["policies"]["keep_all"]}
    tiny["experiment"]["baseline"] = "keep_all"
    calm = simlib.simulate(load_scenario(tiny), seed=2)
    tiny["environment"]["market_shocks"] = [{"week": 52, "size_sd": -1.0, "duration_weeks": 26}]
    shocked = simlib.simulate(load_scenario(tiny), seed=2)
    out = lambda f: f[f.metric == "output_per_head"].set_index("week").value  # noqa: E731
    diff = out(shocked) - out(calm)
    # -1 SD for half of year two: output falls by 100 * 0.2 * 0.5 = 10 index points.
    assert abs(diff[52.0]) < 1e-9
    assert abs(diff[104.0] + 10.0) < 1e-9
    assert abs(diff[156.0]) < 1e-9


def test_pip_gives_a_chance_and_fails_only_the_weak(tiny):
    tiny["policies"]["pip"] = {
        "rating": {"scheme": "forced_distribution", "bottom_cut": 0.1},
        "consequences": {
            "terminate_bottom_grade": True,
            "pip": {"weeks": 12, "pass_score": 5.0, "improvement_sd": 0.0},
        },
    }
    frame = simlib.simulate(load_scenario(tiny), "pip", seed=1)
    # Nobody can reach a pass score of 5 SD: every PIP fails, one exit a year, 12 weeks late.
    exits = frame[frame.metric == "involuntary_exits"].set_index("week").value
    assert exits[52.0] == 0.0 and exits[104.0] > 0
    tiny["policies"]["pip"]["consequences"]["pip"]["pass_score"] = -5.0
    frame = simlib.simulate(load_scenario(tiny), "pip", seed=1)
    assert (frame[frame.metric == "involuntary_exits"].value == 0).all()


def test_searches_ending_in_the_same_week_are_hired_in_one_step(tiny):
    """With weekly start dates searches last whole weeks; a week's intake is one vectorized
    hire, not one per row."""
    tiny["hiring"].update(time_to_fill_weeks=0.2, recruiters=None, start_date_weeks=1)
    sim = Simulation(load_scenario(tiny), "keep_all", seed=0)
    sim.populate()
    from simlib.mechanisms.exits import leave

    fills = []
    original = sim.workforce.fill

    def spy(rows, week, *args):
        fills.append((week, rows.tolist()))
        return original(rows, week, *args)

    sim.workforce.fill = spy  # type: ignore[method-assign]
    leave(sim, np.array([3, 4, 5]), "exits")
    sim.env.run(until=10)
    assert fills == [(1.0, [3, 4, 5])]
    assert sim.counts.hires == 3 and sim.workforce.headcount == 10
