"""Observed moments on tables small enough to count by hand, and properties any table has."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simlib.hr import tables as t
from simlib.hr.moments import observed_moments
from simlib.hr.tables import make_tables

GRADES = ("A", "B", "C")
C1, C2, C3 = "2021-12-31", "2022-12-31", "2023-12-31"

# Ten people: two managers (M1, M2, whose ids are their reports' manager_id) and eight reports.
# The managers have reviews and M2 quits: none of it may count (raters are not employees).
PEOPLE = [
    # id,  manager, hired,        left,         reason
    ("M1", "D1", "2015-01-01", None, None),
    ("M2", "D1", "2015-01-01", "2022-06-01", "voluntary"),
    ("P1", "M1", "2019-01-01", None, None),
    ("P2", "M1", "2019-06-01", "2022-06-30", "voluntary"),
    ("P3", "M1", "2020-03-01", None, None),
    ("P4", "M1", "2020-01-01", "2023-03-31", "involuntary"),
    ("P5", "M2", "2019-02-01", None, None),
    ("P6", "M2", "2021-02-01", "2021-09-30", "voluntary"),
    ("P7", "M2", "2018-05-01", "2023-08-31", "voluntary"),
    ("P8", "M2", "2022-05-01", None, None),
    ("P9", "M2", "2022-02-01", "2022-11-30", "voluntary"),
    ("P10", "M2", "2019-01-01", None, None),
]
REVIEWS = [
    # id, cycle end, grade, yearly salary at that cycle
    ("M1", C1, "A", 200.0),
    ("M1", C2, "A", 200.0),
    ("M1", C3, "A", 200.0),
    ("M2", C1, "B", 200.0),
    ("P1", C1, "A", 100.0),
    ("P1", C2, "A", 110.0),
    ("P1", C3, "B", 121.0),
    ("P2", C1, "B", 100.0),
    ("P3", C1, "C", 100.0),
    ("P3", C2, "B", 102.0),
    ("P3", C3, "B", 105.06),
    ("P4", C1, "C", 100.0),
    ("P4", C2, "C", 100.0),
    ("P5", C1, "B", 100.0),
    ("P5", C2, "A", 105.0),
    ("P5", C3, "A", 115.5),
    ("P7", C1, "A", 100.0),
    ("P7", C2, "B", 120.0),
    ("P8", C2, "B", 100.0),
    ("P8", C3, "C", 104.0),
    ("P10", C1, "C", 100.0),
    ("P10", C2, "C", 101.0),
    ("P10", C3, "C", 102.01),
]


def history() -> t.HrTables:
    employees = pd.DataFrame(
        PEOPLE,
        columns=[t.EMPLOYEE_ID, t.MANAGER_ID, t.HIRE_DATE, t.EXIT_DATE, t.EXIT_REASON],
    ).assign(department="Ops")
    reviews = pd.DataFrame(REVIEWS, columns=[t.EMPLOYEE_ID, t.CYCLE_END, t.RATING, t.SALARY])
    return make_tables(employees, reviews, GRADES, C3, "history")


def as_dict(moments: pd.DataFrame) -> dict[tuple[str, int | None], tuple[float, int]]:
    return {
        (m, None if pd.isna(c) else int(c)): (v, n)
        for m, v, n, c in moments.itertuples(index=False)
    }


def expect(got, moment: str, cycle: int | None, value: float, n: int) -> None:
    assert (moment, cycle) in got, f"{moment} cycle {cycle} missing"
    v, count = got[(moment, cycle)]
    assert v == pytest.approx(value, abs=1e-12), (moment, cycle)
    assert count == n, (moment, cycle)


def test_the_columns_and_their_types():
    moments = observed_moments(history())
    assert list(moments.columns) == ["moment", "value", "n", "cycle"]
    assert str(moments["cycle"].dtype) == "Int64"


def test_attrition_counted_by_hand():
    got = as_dict(observed_moments(history()))
    # Window 1 (2020-12-31, 2021-12-31]: employed on 2020-12-31: P1 P2 P3 P4 P5 P7 P10 = 7
    # (P6 hired 2021, P8 and P9 2022; M1 and M2 are managers); quits: P6.
    expect(got, "voluntary_attrition", 1, 1 / 7, 7)
    expect(got, "involuntary_attrition", 1, 0 / 7, 7)
    # Window 2 (2021-12-31, 2022-12-31]: P1 P2 P3 P4 P5 P7 P10 = 7 (P6 gone); quits P2, P9
    # (a hire of the window who left in it; M2's quit does not count).
    expect(got, "voluntary_attrition", 2, 2 / 7, 7)
    expect(got, "involuntary_attrition", 2, 0 / 7, 7)
    # Window 3 (2022-12-31, 2023-12-31]: P1 P3 P4 P5 P7 P8 P10 = 7; quit P7; let go P4.
    expect(got, "voluntary_attrition", 3, 1 / 7, 7)
    expect(got, "involuntary_attrition", 3, 1 / 7, 7)
    # Pooled: exits over headcounts summed.
    expect(got, "voluntary_attrition", None, 4 / 21, 21)
    expect(got, "involuntary_attrition", None, 1 / 21, 21)


def test_attrition_by_grade_counted_by_hand():
    got = as_dict(observed_moments(history()))
    # Rated at cycle 1 and employed on 2021-12-31: A: P1 P7; B: P2 P5; C: P3 P4 P10.
    # Quit in (2021-12-31, 2022-12-31]: P2 (B).
    expect(got, "voluntary_attrition_by_grade:A", 2, 0 / 2, 2)
    expect(got, "voluntary_attrition_by_grade:B", 2, 1 / 2, 2)
    expect(got, "voluntary_attrition_by_grade:C", 2, 0 / 3, 3)
    # Rated at cycle 2, employed on 2022-12-31: A: P1 P5; B: P3 P7 P8; C: P4 P10.
    # Quit in (2022-12-31, 2023-12-31]: P7 (B); P4 was let go, not a quit.
    expect(got, "voluntary_attrition_by_grade:A", 3, 0 / 2, 2)
    expect(got, "voluntary_attrition_by_grade:B", 3, 1 / 3, 3)
    expect(got, "voluntary_attrition_by_grade:C", 3, 0 / 2, 2)
    expect(got, "voluntary_attrition_by_grade:A", None, 0 / 4, 4)
    expect(got, "voluntary_attrition_by_grade:B", None, 2 / 5, 5)
    expect(got, "voluntary_attrition_by_grade:C", None, 0 / 5, 5)
    assert ("voluntary_attrition_by_grade:A", 1) not in got  # needs a cycle before


def test_grade_shares_counted_by_hand():
    got = as_dict(observed_moments(history()))
    # Cycle 1: P1 A, P2 B, P3 C, P4 C, P5 B, P7 A, P10 C (M1's A and M2's B left out).
    expect(got, "grade_share:A", 1, 2 / 7, 7)
    expect(got, "grade_share:B", 1, 2 / 7, 7)
    expect(got, "grade_share:C", 1, 3 / 7, 7)
    # Cycle 2: P1 A, P3 B, P4 C, P5 A, P7 B, P8 B, P10 C.
    expect(got, "grade_share:A", 2, 2 / 7, 7)
    expect(got, "grade_share:B", 2, 3 / 7, 7)
    expect(got, "grade_share:C", 2, 2 / 7, 7)
    # Cycle 3: P1 B, P3 B, P5 A, P8 C, P10 C.
    expect(got, "grade_share:A", 3, 1 / 5, 5)
    expect(got, "grade_share:B", 3, 2 / 5, 5)
    expect(got, "grade_share:C", 3, 2 / 5, 5)
    expect(got, "grade_share:A", None, 5 / 19, 19)
    expect(got, "grade_share:B", None, 7 / 19, 19)
    expect(got, "grade_share:C", None, 7 / 19, 19)


def _r(x, y) -> float:
    x, y = np.asarray(x, float) - np.mean(x), np.asarray(y, float) - np.mean(y)
    return float((x * y).sum() / math.sqrt((x * x).sum() * (y * y).sum()))


def test_rating_stability_counted_by_hand():
    got = as_dict(observed_moments(history()))
    # Ranks (A=1) of those rated in cycles 1 and 2: P1 (1,1) P3 (3,2) P4 (3,3) P5 (2,1)
    # P7 (1,2) P10 (3,3).
    r2 = _r([1, 3, 3, 2, 1, 3], [1, 2, 3, 1, 2, 3])
    # Rated in cycles 2 and 3: P1 (1,2) P3 (2,2) P5 (1,1) P8 (2,3) P10 (3,3).
    r3 = _r([1, 2, 1, 2, 3], [2, 2, 1, 3, 3])
    expect(got, "rating_stability", 2, r2, 6)
    expect(got, "rating_stability", 3, r3, 5)
    expect(got, "rating_stability", None, (r2 + r3) / 2, 11)
    assert 0.5 < r2 < 0.8 and 0.5 < r3 < 0.8  # positive, not perfect: the pairs move


def test_manager_spread_counted_by_hand():
    got = as_dict(observed_moments(history()))
    # Cycle 1: M1's reports P1 P2 P3 P4 ranks 1 2 3 3 (mean 9/4); M2's P5 P7 P10 2 1 3 (mean 2).
    sd1 = abs(9 / 4 - 2) / math.sqrt(2)
    # Cycle 2: M1: P1 P3 P4 = 1 2 3 (mean 2); M2: P5 P7 P8 P10 = 1 2 2 3 (mean 2).
    expect(got, "manager_mean_rating_sd", 1, sd1, 2)
    expect(got, "manager_mean_rating_sd", 2, 0.0, 2)
    # Cycle 3: M1 has two rated reports (P1 P3), fewer than three: one manager, no SD.
    assert ("manager_mean_rating_sd", 3) not in got
    expect(got, "manager_mean_rating_sd", None, sd1 / 2, 4)


def test_raises_counted_by_hand():
    got = as_dict(observed_moments(history()))
    # Rated at cycle 1 and again at 2: A: P1 +10%, P7 +20%; B: P5 +5%; C: P3 +2%, P4 0, P10 +1%.
    expect(got, "raise_by_grade:A", 2, 0.15, 2)
    expect(got, "raise_by_grade:B", 2, 0.05, 1)
    expect(got, "raise_by_grade:C", 2, 0.01, 3)
    # Rated at 2 and again at 3: A: P1 +10%, P5 +10%; B: P3 +3%, P8 +4%; C: P10 +1%.
    expect(got, "raise_by_grade:A", 3, 0.10, 2)
    expect(got, "raise_by_grade:B", 3, 0.035, 2)
    expect(got, "raise_by_grade:C", 3, 0.01, 1)
    expect(got, "raise_by_grade:A", None, 0.50 / 4, 4)
    expect(got, "raise_by_grade:B", None, 0.12 / 3, 3)
    expect(got, "raise_by_grade:C", None, 0.04 / 4, 4)


def test_without_salaries_there_are_no_raises():
    tables = history()
    no_pay = make_tables(
        tables.employees, tables.reviews.drop(columns=t.SALARY), GRADES, C3, "history"
    )
    assert not observed_moments(no_pay)["moment"].str.startswith("raise_by_grade").any()


def test_a_window_before_the_earliest_hire_is_skipped():
    tables = history()
    late = tables.employees.assign(hire_date=pd.Timestamp("2021-06-01"))
    got = as_dict(observed_moments(make_tables(late, tables.reviews, GRADES, C3, "history")))
    assert ("voluntary_attrition", 1) not in got  # window 1 starts 2020-12-31
    assert ("voluntary_attrition", 2) in got


def test_a_snapshot_counted_by_hand():
    rows = [
        # id, manager, rating, left
        ("X", "D", "Meets", True),  # a manager: left out
        ("X1", "X", "Meets", False),
        ("X2", "X", "Meets", True),
        ("X3", "X", "Below", True),
        ("Y1", "D", "Meets", False),
        ("Y2", "D", "Below", False),
        ("Y3", "D", "Below", True),
    ]
    frame = pd.DataFrame(rows, columns=[t.EMPLOYEE_ID, t.MANAGER_ID, t.RATING, t.LEFT])
    frame = frame.assign(department="Ops", tenure_years=2.0)
    got = as_dict(observed_moments(make_tables(frame, None, ("Meets", "Below"), C3, "snapshot")))
    expect(got, "voluntary_attrition", 1, 3 / 6, 6)  # X2 X3 Y3 of six
    expect(got, "voluntary_attrition_by_grade:Meets", 1, 1 / 3, 3)  # X2 of X1 X2 Y1
    expect(got, "voluntary_attrition_by_grade:Below", 1, 2 / 3, 3)  # X3 Y3 of X3 Y2 Y3
    expect(got, "grade_share:Meets", 1, 3 / 6, 6)
    expect(got, "grade_share:Below", 1, 3 / 6, 6)
    # X's reports ranks 1 1 2 (mean 4/3); D's (Y1 Y2 Y3) 1 2 2 (mean 5/3).
    expect(got, "manager_mean_rating_sd", 1, (1 / 3) / math.sqrt(2), 2)
    assert set(c for _, c in got) == {1}


# --- properties of any history ---------------------------------------------------------------


@st.composite
def histories(draw, unchanged: bool = False):
    n = draw(st.integers(2, 12))
    k = draw(st.integers(1, 4))
    grades = ("G1", "G2", "G3", "G4")[: draw(st.integers(2, 4))]
    cycle_ends = pd.date_range("2020-12-31", periods=k, freq="12ME")
    hire_days = draw(st.lists(st.integers(0, 2000), min_size=n, max_size=n))
    stays = draw(st.lists(st.one_of(st.none(), st.integers(1, 2000)), min_size=n, max_size=n))
    reasons = draw(st.lists(st.sampled_from(t.EXIT_REASONS), min_size=n, max_size=n))
    base = pd.Timestamp("2017-01-01")
    hires = [base + pd.Timedelta(days=d) for d in hire_days]
    exits = [
        None if s is None else h + pd.Timedelta(days=s) for h, s in zip(hires, stays, strict=True)
    ]
    own = draw(st.lists(st.sampled_from(grades), min_size=n, max_size=n))
    reviews = []
    for i in range(n):
        for c in cycle_ends:
            if draw(st.booleans()) or unchanged:
                grade = own[i] if unchanged else draw(st.sampled_from(grades))
                reviews.append((f"E{i}", c, grade, 100.0 + i))
    employees = pd.DataFrame(
        {
            t.EMPLOYEE_ID: [f"E{i}" for i in range(n)],
            t.MANAGER_ID: [f"M{i % 3}" for i in range(n)],
            t.DEPARTMENT: "Ops",
            t.HIRE_DATE: hires,
            t.EXIT_DATE: exits,
            t.EXIT_REASON: [None if e is None else r for e, r in zip(exits, reasons, strict=True)],
        }
    )
    frame = pd.DataFrame(reviews, columns=[t.EMPLOYEE_ID, t.CYCLE_END, t.RATING, t.SALARY])
    return make_tables(employees, frame, grades, cycle_ends[-1], "history")


@settings(max_examples=60, deadline=None)
@given(histories())
def test_shares_sum_to_one_and_rates_stay_within_0_and_1(tables):
    moments = observed_moments(tables)
    shares = moments[moments["moment"].str.startswith("grade_share:")]
    totals = shares.groupby(shares["cycle"].fillna(0))["value"].sum()
    assert np.allclose(totals, 1.0)
    rates = moments[moments["moment"].str.contains("attrition")]
    assert ((rates["value"] >= 0) & (rates["value"] <= 1)).all()
    assert (moments["n"] > 0).all()
    assert moments["value"].notna().all()
    stability = moments.loc[moments["moment"] == "rating_stability", "value"]
    assert ((stability >= -1 - 1e-12) & (stability <= 1 + 1e-12)).all()


@settings(max_examples=40, deadline=None)
@given(histories(unchanged=True))
def test_an_unchanged_rating_history_is_perfectly_stable(tables):
    moments = observed_moments(tables)
    stability = moments.loc[moments["moment"] == "rating_stability", "value"]
    # Defined wherever those rated in both cycles hold two grades or more.
    assert np.allclose(stability, 1.0)
    ranks = tables.reviews.groupby(t.EMPLOYEE_ID)[t.RATING].first()
    if len(tables.cycle_ends) > 1 and ranks.nunique() > 1:
        assert len(stability) == len(tables.cycle_ends)  # each pair, and pooled
