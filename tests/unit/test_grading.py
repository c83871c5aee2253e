from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from simlib.errors import ScenarioError
from simlib.mechanisms.grading import (
    TieDraws,
    _quota_plan,
    absolute_grades,
    bottom_grades,
    forced_grades,
    top_grades,
    unit_quotas,
)
from simlib.scenario.loading import load_scenario
from simlib.scenario.rating import QuotaRounding
from simlib.state.workforce import largest_remainder

VITALITY = [0.05, 0.20, 0.60, 0.10, 0.05]


def test_largest_remainder_examples():
    assert largest_remainder(8, np.array([0.05, 0.2, 0.6, 0.1, 0.05])).tolist() == [0, 2, 5, 1, 0]
    assert largest_remainder(10, np.array([0.9, 0.1])).tolist() == [9, 1]
    assert largest_remainder(20, np.array([0.05, 0.2, 0.6, 0.1, 0.05])).tolist() == [1, 4, 12, 2, 1]


def test_a_team_of_ten_on_the_vitality_curve():
    """Half an S and half a D: 'better' always gives the S, 'random' either, the bottom rule
    the D (taken from the S, the grade rounded furthest above its quota)."""
    sizes = np.array([10])
    better = QuotaRounding(ties="better")
    assert unit_quotas(sizes, VITALITY, better).tolist() == [[1, 2, 6, 1, 0]]
    rng = np.random.default_rng(0)
    s_wins = [
        unit_quotas(sizes, VITALITY, QuotaRounding(), rng.random((1, 5)))[0, 0] for _ in range(2000)
    ]
    assert 0.45 < np.mean(s_wins) < 0.55
    rule = QuotaRounding(ties="better", bottom_grade_min_unit=10)
    assert unit_quotas(sizes, VITALITY, rule).tolist() == [[0, 2, 6, 1, 1]]
    # Below the rule's size, nothing changes: a team of 8 has 0.4 of a D and gets none.
    assert unit_quotas(np.array([8]), VITALITY, rule).tolist() == [[0, 2, 5, 1, 0]]


def test_equal_scores_at_a_boundary():
    scores = np.array([1.0, 0.5, 0.5, -1.0])  # two people tie for the last 'retain' place
    units = np.zeros(4, dtype=np.int64)
    shares = [0.5, 0.5]
    better = forced_grades(scores, units, shares, QuotaRounding(ties="better"))
    assert better.tolist() == [0, 0, 1, 1]  # the earlier position keeps the better grade
    seen = set()
    for k in range(40):
        keys = np.random.default_rng(k).random(4)
        draws = TieDraws(np.zeros((1, 2)), keys)
        grades = forced_grades(scores, units, shares, QuotaRounding(), draws)
        assert grades[0] == 0 and grades[3] == 1 and grades[1] + grades[2] == 1
        assert grades[1] == (0 if keys[1] < keys[2] else 1)  # the lower key wins
        seen.add(tuple(grades))
    assert len(seen) == 2


@st.composite
def weights_strategy(draw):
    k = draw(st.integers(2, 6))
    return draw(st.lists(st.integers(0, 100), min_size=k, max_size=k).filter(lambda w: sum(w) > 0))


def _shares(weights: list[int]) -> list[float]:
    w = np.array(weights, dtype=float)
    return (w / w.sum()).tolist()


def _is_largest_remainder(counts: list[int], size: int, weights: list[int], better: bool) -> bool:
    """Exact check (rational quotas): whole parts plus one for the largest remainders."""
    total = sum(weights)
    quota = [Fraction(size * w, total) for w in weights]
    whole = [q.numerator // q.denominator for q in quota]
    extra = [c - f for c, f in zip(counts, whole, strict=True)]
    if sum(counts) != size or any(e not in (0, 1) for e in extra):
        return False
    remainder = [q - f for q, f in zip(quota, whole, strict=True)]
    given = [r for r, e in zip(remainder, extra, strict=True) if e]
    refused = [r for r, e in zip(remainder, extra, strict=True) if not e]
    if given and refused and min(given) < max(refused):
        return False
    if better and given and refused:  # on equal claims the better grade took the place
        cut = min(given)
        at_cut = [e for r, e in zip(remainder, extra, strict=True) if r == cut]
        return at_cut == sorted(at_cut, reverse=True)
    return True


def _units(sizes: list[int], rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(np.repeat(np.arange(len(sizes)), sizes))


def _draws(n_units: int, n_grades: int, n: int, rng: np.random.Generator) -> TieDraws:
    return TieDraws(rng.random((n_units, n_grades)), rng.random(n))


@settings(max_examples=200, deadline=None)
@given(
    weights=weights_strategy(),
    sizes=st.lists(st.integers(1, 60), min_size=1, max_size=12),
    seed=st.integers(0, 2**32 - 1),
    ties=st.sampled_from(["random", "better"]),
    coarse=st.booleans(),
)
# Equal remainders that floating point makes unequal (35 x 5/105 and 35 x 23/105).
@example(weights=[5, 5, 23, 72], sizes=[35], seed=0, ties="better", coarse=False)
def test_shares_are_respected_by_largest_remainder(weights, sizes, seed, ties, coarse):
    """Every unit's counts round its quota by largest remainder, and grades follow scores."""
    rng = np.random.default_rng(seed)
    shares = _shares(weights)
    units = _units(sizes, rng)
    scores = rng.standard_normal(len(units))
    if coarse:  # ties in scores too
        scores = np.round(scores)
    draws = _draws(len(sizes), len(shares), len(units), rng) if ties == "random" else None
    grades = forced_grades(scores, units, shares, QuotaRounding(ties=ties), draws)
    for unit, size in enumerate(sizes):
        mine = units == unit
        counts = np.bincount(grades[mine], minlength=len(shares)).tolist()
        assert _is_largest_remainder(counts, size, weights, better=ties == "better"), counts
        # Better scores never get a worse grade within a unit.
        s, g = scores[mine], grades[mine]
        order = np.lexsort((g, -s))
        assert np.all(np.diff(g[order]) >= 0)
        if ties == "better":  # among equal scores, the earlier position is graded first
            rows = np.flatnonzero(mine)
            for score in np.unique(s):
                same = rows[s == score]
                assert np.all(np.diff(grades[same]) >= 0)


@settings(max_examples=200, deadline=None)
@given(
    weights=weights_strategy().filter(lambda w: w[-1] > 0),
    sizes=st.lists(st.integers(1, 60), min_size=1, max_size=12),
    minimum=st.integers(2, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_bottom_rule_gives_units_of_its_size_a_bottom_grade(weights, sizes, minimum, seed):
    """At least one bottom grade in units of ``minimum`` or more; smaller units unchanged;
    at most one person moved, from the grade rounded furthest above its quota."""
    rng = np.random.default_rng(seed)
    shares = _shares(weights)
    sizes_arr = np.array(sizes)
    keys = rng.random((len(sizes), len(shares)))
    off = unit_quotas(sizes_arr, shares, QuotaRounding(), keys)
    on = unit_quotas(sizes_arr, shares, QuotaRounding(bottom_grade_min_unit=minimum), keys)
    assert (on.sum(axis=1) == sizes_arr).all()
    for i, size in enumerate(sizes):
        if size < minimum or off[i, -1] > 0:
            assert on[i].tolist() == off[i].tolist()
            continue
        assert on[i, -1] == 1
        moved = off[i] - on[i]
        donor = int(np.flatnonzero(moved == 1)[0])
        assert moved.sum() == 0 and np.abs(moved).sum() == 2
        over = off[i, :-1] - size * np.asarray(shares[:-1])
        assert over[donor] >= over.max() - 1e-9


@settings(max_examples=100, deadline=None)
@given(
    weights=weights_strategy(),
    size=st.integers(1, 60),
    seed=st.integers(0, 2**32 - 1),
)
def test_ties_are_settled_by_the_keys_alone(weights, size, seed):
    """Random ties: the same keys give the same grades; 'better' is the keys 0, 1, 2, ..."""
    rng = np.random.default_rng(seed)
    shares = _shares(weights)
    keys = rng.random((1, len(shares)))
    sizes = np.array([size])
    first = unit_quotas(sizes, shares, QuotaRounding(), keys)
    assert (first == unit_quotas(sizes, shares, QuotaRounding(), keys.copy())).all()
    in_order = np.arange(len(shares), dtype=float)[None, :]
    better = unit_quotas(sizes, shares, QuotaRounding(ties="better"))
    assert (better == unit_quotas(sizes, shares, QuotaRounding(), in_order)).all()


@settings(max_examples=200, deadline=None)
@given(
    weights=weights_strategy(),
    sizes=st.lists(st.integers(1, 60), min_size=1, max_size=12),
    seed=st.integers(0, 2**32 - 1),
    minimum=st.sampled_from([None, 5]),
)
@example(weights=[1, 1], sizes=[3], seed=0, minimum=None)  # 1.5 and 1.5: the keys decide
def test_the_kept_quota_table_is_used_only_where_keys_cannot_change_it(
    weights, sizes, seed, minimum
):
    """Where no equal remainders straddle a unit's cut, any keys give the table without keys;
    where they do, forced grading settles them with the review's keys."""
    rng = np.random.default_rng(seed)
    shares = _shares(weights)
    rounding = QuotaRounding(bottom_grade_min_unit=minimum)
    unique = np.unique(sizes)
    table, keys_matter = _quota_plan(tuple(unique.tolist()), tuple(shares), rounding)
    for _ in range(5):
        keys = rng.random((len(unique), len(shares)))
        with_keys = unit_quotas(unique, shares, rounding, keys)
        same = (with_keys == table).all(axis=1)
        assert same[~keys_matter].all()
    units = _units(sizes, rng)
    scores = rng.standard_normal(len(units))
    draws = _draws(len(sizes), len(shares), len(units), rng)
    grades = forced_grades(scores, units, shares, rounding, draws)
    for unit, size in enumerate(sizes):
        counts = np.bincount(grades[units == unit], minlength=len(shares))
        expected = unit_quotas(np.array([size]), shares, rounding, draws.grade_keys[[unit]])
        assert counts.tolist() == expected[0].tolist()


def test_bottom_grades_by_share_of_people():
    def grades_of(counts):
        return np.repeat(np.arange(len(counts)), counts)

    # 10/20/60/10: the bottom grade alone (the last two would be 70% of people).
    assert bottom_grades(grades_of([10, 20, 60, 10]), 4).tolist() == [3]
    # 5/20/60/10/5: C and D hold 15%.
    assert bottom_grades(grades_of([5, 20, 60, 10, 5]), 5).tolist() == [3, 4]
    # A bottom grade holding more than 20% stands alone; an empty one counts nothing.
    assert bottom_grades(grades_of([50, 50]), 2).tolist() == [1]
    assert bottom_grades(grades_of([30, 70, 0]), 3).tolist() == [2]
    assert top_grades(grades_of([5, 20, 60, 10, 5]), 5).tolist() == [0]
    assert top_grades(grades_of([10, 10, 80]), 3).tolist() == [0, 1]
    assert bottom_grades(np.array([-1, -1]), 3).tolist() == [2]  # nobody graded


def test_rounding_is_validated():
    base = {"name": "r", "policies": {"p": {"rating": {"scheme": "forced_distribution"}}}}
    fd = base["policies"]["p"]["rating"]
    fd["shares"] = {"A": 0.5, "B": 0.5}
    fd["rounding"] = {"bottom_grade_min_unit": 1}
    with pytest.raises(ScenarioError, match="bottom_grade_min_unit"):
        load_scenario(base)
    fd["rounding"] = {"ties": "worse"}
    with pytest.raises(ScenarioError, match="ties"):
        load_scenario(base)
    fd["shares"] = {"A": 1.0, "B": 0.0}
    fd["rounding"] = {"bottom_grade_min_unit": 10}
    with pytest.raises(ScenarioError, match="bottom grade with a share above 0"):
        load_scenario(base)
    fd["shares"] = {"A": 0.9, "B": 0.1}
    policy = load_scenario(base).policies["p"]
    assert policy.rating.rounding == QuotaRounding(bottom_grade_min_unit=10)
    assert QuotaRounding().ties == "random" and QuotaRounding().bottom_grade_min_unit is None


def test_absolute_grades_against_thresholds():
    scores = np.array([2.0, 1.5, 1.0, 0.0, -1.0, -3.0])
    grades = absolute_grades(scores, [1.5, 0.7, -0.9, -1.65])
    assert grades.tolist() == [0, 0, 1, 2, 3, 4]


def test_random_ties_draw_from_their_own_aligned_stream():
    """Every policy breaking ties at random draws the same keys at a review, whatever its
    ranking unit; the other policies draw none."""
    from simlib.engine.simulation import Simulation
    from simlib.mechanisms.grading import tie_draws

    curve = {"scheme": "forced_distribution", "shares": dict(zip("SABCD", VITALITY, strict=True))}
    scenario = load_scenario(
        {
            "name": "ties",
            "organization": {"headcount": 60, "span_of_control": 6},
            "policies": {
                "by_team": {"rating": {**curve, "ranking_unit": "team"}},
                "by_department": {"rating": {**curve, "ranking_unit": "department"}},
                "better": {"rating": {**curve, "rounding": {"ties": "better"}}},
                "absolute": {"preset": "absolute"},
            },
        }
    )
    rated = np.arange(0, 40, 2)
    keys = {}
    for policy in scenario.policy_names:
        sim = Simulation(scenario, policy, seed=3, rep=1)
        keys[policy] = tie_draws(sim, rated)
    team, department = keys["by_team"], keys["by_department"]
    assert team is not None and department is not None
    assert np.array_equal(team.grade_keys, department.grade_keys)
    assert np.array_equal(team.score_keys, department.score_keys)
    assert len(team.score_keys) == len(rated)
    assert team.grade_keys.shape == (len(sim.workforce.chart.team_department), 5)
    assert keys["better"] is None and keys["absolute"] is None
