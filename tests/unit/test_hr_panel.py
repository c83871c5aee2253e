"""A simulated organization recorded as an HR export: the people, their exits and reviews as
the model's own ledger counts them."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from simlib.engine.simulation import Simulation, simulate
from simlib.hr import tables as t
from simlib.hr.moments import observed_moments
from simlib.hr.panel import ReviewRecords, record_panel, recorded_tables, to_snapshot
from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.registry import MECHANISMS
from simlib.scenario.loading import load_scenario
from simlib.scenario.organization import WEEKS_PER_YEAR

SEED = 11


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(
        "scenarios/baseline.yaml",
        {"organization.headcount": 300, "environment.years": 4},
    )


@pytest.fixture(scope="module")
def recorded(scenario):
    """One run kept whole: the simulation (its ledger and trace), the model's own counts of
    quits and exits at each review, and its HR tables."""
    records = ReviewRecords()
    counted: list[tuple[int, int]] = []

    def count(sim, review):
        cycle = sim.counts_this_cycle()
        counted.append((cycle.quits, cycle.exits))

    spy = Mechanism("spy", steps=(Step("review", count),), observer=True)
    sim = Simulation(
        scenario,
        "absolute",
        SEED,
        0,
        mechanisms=(*MECHANISMS, records.mechanism(), spy),
        trace=True,
    )
    sim.run_calendar()
    sim.counted = counted
    return sim, recorded_tables(sim, records)


def test_every_person_has_one_id_and_leaves_after_joining(recorded):
    _, tables = recorded
    emp = tables.employees
    assert emp[t.EMPLOYEE_ID].is_unique
    assert emp[t.EMPLOYEE_ID].str.fullmatch(r"E\d{6}").all()
    gone = emp[t.EXIT_DATE].notna()
    assert (emp.loc[gone, t.EXIT_DATE] >= emp.loc[gone, t.HIRE_DATE]).all()
    assert emp[t.EXIT_REASON].notna().equals(gone)  # a reason for every exit, none else
    assert (emp[t.SALARY] > 0).all() and emp[t.GROUP].notna().all()
    # Everyone ever employed: the starting 300, plus every hire of the run.
    sim, _ = recorded
    hires = sum(c for _, e, c in sim.trace if e == "hire")
    assert len(emp) == 300 + hires
    # Ratings only while employed: every review falls within its person's stay.
    stays = tables.reviews.merge(emp, on=t.EMPLOYEE_ID)
    assert (stays[t.CYCLE_END] >= stays[t.HIRE_DATE]).all()
    assert (stays[t.CYCLE_END] <= stays[t.EXIT_DATE].fillna(tables.as_of)).all()


def test_reviews_fall_on_one_date_a_year_and_the_export_ends_at_the_horizon(recorded):
    _, tables = recorded
    assert [str(d.date()) for d in tables.cycle_ends] == [
        "2023-01-03",
        "2024-01-03",
        "2025-01-03",
        "2026-01-03",
    ]
    # The horizon's date, or the day after: quits are drawn right after the last review.
    assert tables.as_of == pd.Timestamp("2026-01-04")
    assert tables.employees[t.EXIT_DATE].max() == tables.as_of


def test_the_observer_changes_nothing(scenario, recorded):
    sim, _ = recorded
    alone = simulate(scenario, "absolute", SEED)
    pd.testing.assert_frame_equal(sim.ledger.frame("absolute", 0), alone)


def test_quits_and_exits_per_year_agree_with_the_ledger(recorded):
    sim, tables = recorded
    emp = tables.employees
    ledger = sim.ledger.frame()
    rates = ledger[ledger["metric"] == "voluntary_attrition"].set_index("week")["value"]
    start = pd.Timestamp("2022-01-03")
    bounds = [start, *tables.cycle_ends]
    for k, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False), start=1):
        window = (emp[t.EXIT_DATE] > a) & (emp[t.EXIT_DATE] <= b)
        quits = int((window & (emp[t.EXIT_REASON] == "voluntary")).sum())
        exits = int((window & (emp[t.EXIT_REASON] == "involuntary")).sum())
        # The model's own counts of the cycle, to the person (quits drawn right after a
        # review belong to the next cycle, in the model and in the export).
        assert (quits, exits) == sim.counted[k - 1]
        # The ledger's rate is quits over the mean headcount: the panel's person-days.
        hired = emp[t.HIRE_DATE].clip(lower=a)
        left = emp[t.EXIT_DATE].fillna(b).clip(upper=b)
        days = (left - hired).dt.days.clip(lower=0).sum()
        mean_headcount = days / (b - a).days
        assert quits / mean_headcount == pytest.approx(rates[k * WEEKS_PER_YEAR], rel=0.01)


def test_grade_shares_agree_with_the_ledger(recorded):
    sim, tables = recorded
    ledger = sim.ledger.frame()
    reviews = tables.reviews
    for k, day in enumerate(tables.cycle_ends, start=1):
        got = reviews.loc[reviews[t.CYCLE_END] == day, t.RATING].value_counts(normalize=True)
        for grade in tables.grades:
            metric = ledger[
                (ledger["metric"] == f"grade_share:{grade}")
                & (ledger["week"] == k * WEEKS_PER_YEAR)
            ]
            assert float(metric["value"].iloc[0]) == pytest.approx(got.get(grade, 0.0), abs=1e-12)


def test_managers_are_their_reports_manager_and_left_out_of_the_moments(recorded):
    _, tables = recorded
    emp = tables.employees
    managing = emp[t.EMPLOYEE_ID].isin(emp[t.MANAGER_ID])
    assert managing.sum() > 300 / 10  # a manager per team of eight, some replaced
    # No one manages themselves; department heads are not in the export.
    assert not (emp[t.EMPLOYEE_ID] == emp[t.MANAGER_ID]).any()
    assert emp.loc[~emp[t.MANAGER_ID].isin(emp[t.EMPLOYEE_ID]), t.MANAGER_ID].str.match("H").all()
    moments = observed_moments(tables).set_index(["moment", "cycle"])
    rated_first = (tables.reviews[t.CYCLE_END] == tables.cycle_ends[0]).sum()
    n_rated = int(moments.loc[("grade_share:A", 1), "n"])
    assert n_rated < rated_first  # the managers' own ratings are left out


def test_same_seed_same_tables_another_replication_other_tables(scenario):
    a = record_panel(scenario, "absolute", seed=SEED, rep=1)
    b = record_panel(scenario, "absolute", seed=SEED, rep=1)
    pd.testing.assert_frame_equal(a.employees, b.employees)
    pd.testing.assert_frame_equal(a.reviews, b.reviews)
    c = record_panel(scenario, "absolute", seed=SEED, rep=2)
    assert not a.reviews.equals(c.reviews)


def test_recording_costs_little(scenario):
    """Recording adds little to a run (printed, not asserted: timings are noisy)."""
    rate = simulate(scenario, "absolute", SEED) is not None  # solve the anchor once
    plain, panel = [], []
    for _ in range(3):  # alternate, best of three each
        t0 = time.perf_counter()
        Simulation(scenario, "absolute", SEED, 0).run_calendar()
        plain.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        record_panel(scenario, "absolute", seed=SEED)
        panel.append(time.perf_counter() - t0)
    print(f"run {min(plain):.3f}s, recorded {min(panel):.3f}s: +{min(panel) / min(plain) - 1:.0%}")
    assert rate


def test_the_snapshot_of_a_history(recorded):
    _, tables = recorded
    snap = to_snapshot(tables)
    emp, rows = tables.employees, snap.employees
    assert snap.shape == "snapshot" and snap.reviews is None
    year_ago = tables.as_of - pd.DateOffset(years=1)
    employed = emp[t.EXIT_DATE].isna()
    quit_last_year = (
        (emp[t.EXIT_REASON] == "voluntary").fillna(False)
        & (emp[t.EXIT_DATE] > year_ago)
        & (emp[t.EXIT_DATE] <= tables.as_of)
    )
    assert set(rows[t.EMPLOYEE_ID]) == set(emp.loc[employed | quit_last_year, t.EMPLOYEE_ID])
    assert rows[t.LEFT].sum() == quit_last_year.sum()
    # Each rating is the person's latest.
    latest = tables.reviews.sort_values(t.CYCLE_END).groupby(t.EMPLOYEE_ID)[t.RATING].last()
    rated = rows[rows[t.RATING].notna()]
    assert (rated[t.RATING].to_numpy() == latest[rated[t.EMPLOYEE_ID]].to_numpy()).all()
    assert (rows[t.TENURE_YEARS] >= 0).all()
    stayer = rows[~rows[t.LEFT]].iloc[0]
    hire = emp.set_index(t.EMPLOYEE_ID).loc[stayer[t.EMPLOYEE_ID], t.HIRE_DATE]
    assert stayer[t.TENURE_YEARS] == pytest.approx((tables.as_of - hire).days / 365.25)
    moments = observed_moments(snap)
    quits = moments.loc[moments["moment"] == "voluntary_attrition", "value"].iloc[0]
    assert 0.03 < quits < 0.3
    assert np.isclose(
        moments.loc[moments["moment"].str.startswith("grade_share:"), "value"].sum(), 1.0
    )


def test_the_recorded_tables_are_canonical(recorded):
    _, tables = recorded
    again = t.make_tables(tables.employees, tables.reviews, tables.grades, tables.as_of, "history")
    pd.testing.assert_frame_equal(again.employees, tables.employees)
    pd.testing.assert_frame_equal(again.reviews, tables.reviews)
    assert set(tables.employees[t.EXIT_REASON].dropna()) == {"voluntary", "involuntary"}
