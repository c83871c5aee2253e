"""The hiring queue: first come first served, recruiter capacity, aligned search draws."""

from __future__ import annotations

import numpy as np

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms.exits import leave
from simlib.mechanisms.hiring import start_dates
from simlib.scenario.organization import Hiring
from simlib.state.requisitions import Requisitions
from simlib.state.streams import stream


def test_recruiters_take_the_queue_first_come_first_served_up_to_capacity():
    queue = Requisitions(Hiring(recruiters=1, requisitions_per_recruiter=2))
    queue.join(np.array([7, 3, 5]))
    taken = queue.take_up()
    assert taken.tolist() == [7, 3] and queue.waiting.tolist() == [5]
    assert queue.search(taken, np.array([4.0, 2.0])) == [2.0, 4.0]  # weeks to hire in
    assert queue.take_up().tolist() == []  # both requisitions in use
    queue.join(np.array([1]))
    assert queue.finish(2.0).tolist() == [3]
    assert queue.take_up().tolist() == [5] and queue.waiting.tolist() == [1]
    assert queue.open == 2


def test_searches_ending_together_are_hired_in_the_order_taken_up():
    queue = Requisitions(Hiring(recruiters=None))
    queue.join(np.array([9, 2, 6, 4]))
    rows = queue.take_up()
    assert rows.tolist() == [9, 2, 6, 4]  # unlimited recruiters: nobody waits
    assert queue.search(rows, np.array([3.0, 5.0, 3.0, 3.0])) == [3.0, 5.0]
    assert queue.search(np.array([8]), np.array([3.0])) == []  # week 3 already has a hiring
    assert queue.finish(3.0).tolist() == [9, 6, 4, 8]
    assert queue.open == 1 and queue.finish(5.0).tolist() == [2]
    assert queue.open == 0 and queue.finish(5.0).tolist() == []


def test_the_kth_search_takes_the_kth_draw_whenever_it_starts(tiny):
    """Common random numbers: search lengths follow the order searches start, not the week
    (hires start in the week their search ends, ``start_date_weeks: 1``)."""
    tiny["hiring"].update(time_to_fill_weeks=6.0, recruiters=None, start_date_weeks=1)
    scenario = load_scenario(tiny)
    expected = np.maximum(
        1.0, np.round(stream(5, 0, "time_to_fill").gamma(4.0, 6.0 / 4.0, 3))
    ).tolist()
    lengths = []
    for schedule in ([[0, 1, 2]], [[4], [5, 6]]):
        sim = Simulation(scenario, "keep_all", seed=5)
        sim.populate()
        started = []
        for rows in schedule:
            leave(sim, np.array(rows), voluntary=True)  # searches start in this order
            ends = {
                row: week - sim.now
                for week, parts in sim.requisitions.ending.items()
                for row in np.concatenate(parts).tolist()
            }
            started += [ends[row] for row in rows]
            sim.env.run(until=sim.now + 0.5)
        lengths.append(started)
    assert lengths == [expected, expected]


def test_a_vacancy_waits_in_line_while_recruiters_are_busy(tiny):
    """One recruiter, one requisition: the second search starts the week the first ends."""
    tiny["hiring"].update(time_to_fill_weeks=3.0, recruiters=1, requisitions_per_recruiter=1)
    sim = Simulation(load_scenario(tiny), "keep_all", seed=2, trace=True)
    sim.populate()
    leave(sim, np.array([0, 1]), voluntary=True)
    (first_end,) = sim.requisitions.ending
    assert sim.requisitions.waiting.tolist() == [1]
    sim.env.run(until=first_end + 0.5)
    assert sim.workforce.active[0] and not sim.workforce.active[1]
    (second_end,) = sim.requisitions.ending
    assert second_end > first_end
    sim.env.run(until=second_end + 0.5)
    assert sim.workforce.active.all() and sim.requisitions.open == 0
    hires = [event for event in sim.trace or [] if event[1] == "hire"]
    assert hires == [(first_end, "hire", 1), (second_end, "hire", 1)]


def test_a_large_queue_is_filled_without_a_process_per_vacancy(tiny):
    """Thousands of vacancies at once: one calendar entry per week a search ends."""
    tiny["organization"].update(headcount=20_000, span_of_control=10)
    tiny["hiring"].update(time_to_fill_weeks=8.0, recruiters=None)
    sim = Simulation(load_scenario(tiny), "keep_all", seed=3)
    sim.populate()
    leave(sim, np.arange(0, 20_000, 2), voluntary=True)
    weeks = list(sim.requisitions.ending)
    assert len(sim.env._queue) == len(weeks) < 40
    assert sim.requisitions.open == 10_000
    sim.env.run(until=max(weeks) + 0.5)
    assert sim.workforce.headcount == 20_000 and sim.counts.hires == 10_000


def test_hires_drawn_ahead_are_the_people_drawn_one_by_one(tiny, monkeypatch):
    """The k-th hire is the same person whether hires are drawn one at a time or in blocks."""
    from simlib.mechanisms import hiring

    scenario = load_scenario(tiny)
    people = []
    for block in (1, 3, hiring.HIRES_PER_DRAW):
        monkeypatch.setattr(hiring, "HIRES_PER_DRAW", block)
        sim = Simulation(scenario, "keep_all", seed=4)
        sim.populate()
        for rows in ([0], [1, 2], [3], [4, 5, 6, 7]):
            hiring.hire_into(sim, np.array(rows))
        people.append(sim.workforce.potential[:8].tolist())
    rng = stream(4, 0, "hiring")
    one_by_one = [
        float(hiring.select_hires(rng, 1, 10, 0.3, scenario.organization)[0][0]) for _ in range(8)
    ]
    assert people == [one_by_one] * 3


def test_hires_start_on_the_start_date_nearest_the_end_of_their_search():
    """Every 4 weeks, midway between multiples of 4; never before the first one ahead."""
    searches = np.array([0.3, 1.9, 2.1, 5.9, 6.1, 9.7])
    assert start_dates(0.0, searches, 4).tolist() == [2.0, 2.0, 2.0, 6.0, 6.0, 10.0]
    assert start_dates(2.0, searches, 4).tolist() == [6.0, 6.0, 6.0, 6.0, 10.0, 10.0]
    assert start_dates(3.0, np.array([0.5, 3.2]), 4).tolist() == [6.0, 6.0]
    assert start_dates(0.0, np.array([0.2, 2.6]), 3).tolist() == [1.0, 4.0]


def test_start_dates_keep_the_mean_time_to_fill():
    """Rounding to the nearest start date moves some hires earlier and some later."""
    searches = stream(1, 0, "time_to_fill").gamma(4.0, 2.0, 100_000)
    for now in (0.0, 2.0, 5.0):
        waited = start_dates(now, searches, 4) - now
        assert abs(waited.mean() - searches.mean()) < 0.1
        assert set(np.unique((now + waited) % 4)) == {2.0}


def test_hires_join_only_on_start_dates_one_intake_each(tiny):
    """A year of quits under monthly start dates: every hire on a start date, all of a
    start date's hires in one intake."""
    tiny["organization"].update(headcount=200, span_of_control=10)
    tiny["hiring"].update(time_to_fill_weeks=8.0, recruiters=None, start_date_weeks=4)
    tiny["behaviour"].update(voluntary_quit_rate=0.3)
    tiny["environment"].update(exit_check_weeks=4)
    sim = Simulation(load_scenario(tiny), "keep_all", seed=7, trace=True)
    sim.start()
    sim.env.run(until=52.5)
    hires = [(week, n) for week, event, n in sim.trace or [] if event == "hire"]
    assert len(hires) > 5 and sum(n for _, n in hires) == sim.counts.hires
    assert {week % 4 for week, _ in hires} == {2.0}
    assert len(hires) == len({week for week, _ in hires})  # one intake per start date
