"""The compiled loops give the numpy code's results, bit for bit (where numba is installed)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import simlib
from simlib.state import compiled

pytest.importorskip("numba")

SMALL = {"organization.headcount": 120, "environment.years": 2}


def _numpy_only(monkeypatch: pytest.MonkeyPatch) -> int:
    """Every simlib module's handle on the compiled loops set to None; how many there were."""
    users = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("simlib") and getattr(module, "KERNELS", None) is compiled.KERNELS
    ]
    for module in users:
        monkeypatch.setattr(module, "KERNELS", None)
    return len(users)


@pytest.mark.parametrize(
    ("path", "policy"),
    [
        ("scenarios/policy_showdown.yaml", "absolute"),
        ("scenarios/policy_showdown.yaml", "forced_distribution"),
        ("scenarios/policy_showdown.yaml", "okr"),
        ("scenarios/policy_showdown.yaml", "pay_matrix"),
        ("tests/golden/every_mechanism.yaml", None),
    ],
)
def test_a_whole_run_is_the_numpy_codes(monkeypatch, path, policy):
    assert compiled.KERNELS is not None
    scenario = simlib.load_scenario(path, overrides=SMALL)
    policies = [policy] if policy else list(scenario.policies)
    fast = [simlib.simulate(scenario, p, seed=3, rep=1) for p in policies]
    assert _numpy_only(monkeypatch) >= 6  # the workforce and five mechanisms
    for p, frame in zip(policies, fast, strict=True):
        pd.testing.assert_frame_equal(simlib.simulate(scenario, p, seed=3, rep=1), frame)


def _values(n: int) -> np.ndarray:
    """Values with both zeros, nan and the bounds of the clips among them."""
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n)
    x[:6] = [0.0, -0.0, np.nan, 1.0, 2.0, -1.0]
    return x


def bits(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).view(np.int64)


def test_minimum_maximum_and_clip_keep_numpys_rules():
    k = compiled.KERNELS
    x = _values(64)
    out = x.copy()
    k.scaled_capped(out, 1.0, 1.0, 0.5)
    assert (bits(out) == bits(np.minimum(x, 0.5))).all()
    # The set point clips into 0-1 as np.maximum then np.minimum do, nan kept.
    point = np.empty_like(x)
    zeros = np.zeros_like(x)
    k.set_point(point, 1.0 - x, zeros, zeros, 0.0, 1.0, False)
    expected = np.minimum(np.maximum(0.0 - (1.0 - (1.0 - x)) * 1.0, 0.0), 1.0)
    assert (bits(point) == bits(expected)).all()
    assert np.isnan(point[2])


def test_feedback_compares_with_the_team_mean():
    k = compiled.KERNELS
    n = 40
    rng = np.random.default_rng(1)
    team = np.repeat(np.arange(5), 8)
    active = rng.random(n) < 0.8
    active[8:16] = False  # an empty team: nobody told anything
    potential, skill, drive = rng.standard_normal((3, n))
    luck = rng.standard_normal(n)
    per_team = np.bincount(team, weights=active, minlength=5)
    divisor = np.where(per_team > 0, per_team, np.nan)
    seen = potential + skill + drive + luck
    mean = np.bincount(team, weights=np.where(active, seen, 0.0), minlength=5) / divisor
    expected = np.where(active, np.where(seen < mean[team], -0.3, 0.2), 0.0)
    out = np.full(n, 9.0)
    k.feedback(out, luck, potential, skill, drive, team, active, divisor, -0.3, 0.2)
    assert (bits(out) == bits(expected)).all()
    assert (out[8:16] == 0).all() and set(out[active]) <= {-0.3, 0.2}


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 480, 1_000, 5_001, 100_003])
def test_sums_are_numpys_pairwise_sums(n):
    k = compiled.KERNELS
    rng = np.random.default_rng(n)
    for values in (rng.standard_normal(n) * 1e3 + 7.0, rng.exponential(size=n) ** 3):
        assert bits(k.sum(values)) == bits(np.add.reduce(values))
        table = np.stack([values, values[::-1].copy(), np.full(n, 0.1)])
        assert (bits(k.row_sums(table, 1)) == bits(np.add.reduce(table[1:], axis=1))).all()
        active = rng.random(n) < 0.7
        if active.any():
            assert bits(k.active_mean(values, active)) == bits(values[active].mean())
    assert bits(k.sum(np.full(max(n, 1), -0.0))) == bits(np.add.reduce(np.full(max(n, 1), -0.0)))


@pytest.mark.parametrize("n", [2, 3, 10, 501])
def test_quintile_counts_are_the_numpy_codes(monkeypatch, n):
    from simlib.state import counts

    rng = np.random.default_rng(n)
    samples = [rng.standard_normal(n), np.round(rng.standard_normal(n), 1), np.zeros(n)]
    fast = []
    for values in samples:
        among = rng.random(n) < 0.8
        among[:2] = True
        chosen = np.flatnonzero(among & (rng.random(n) < 0.3))
        fast.append((values, among, chosen, counts.quintile_counts(values, among, chosen)))
    _numpy_only(monkeypatch)
    for values, among, chosen, (exposed, picked) in fast:
        expected = counts.quintile_counts(values, among, chosen)
        assert (exposed == expected[0]).all() and (picked == expected[1]).all()
        assert exposed.sum() == among.sum() and picked.sum() == len(chosen)


def test_large_workforces_take_numpys_vectorized_steps():
    assert compiled.compiled_for(500)
    assert not compiled.compiled_for(compiled.COMPILED_UP_TO + 1)


def test_compiling_ahead_runs_every_policy_of_every_scenario(tmp_path):
    from pathlib import Path

    from simlib.engine.compile_ahead import compile_ahead

    for name in ("policy_showdown.yaml", "scullen2005.yaml"):
        (tmp_path / name).write_text(Path("scenarios", name).read_text())
    expected = sum(
        len(simlib.load_scenario(tmp_path / name).policies)
        for name in ("policy_showdown.yaml", "scullen2005.yaml")
    )
    assert compile_ahead(tmp_path) == expected > 0


@pytest.mark.parametrize("baseline", ["forced_distribution", "absolute"])
def test_a_pilots_mixed_run_is_the_numpy_codes(monkeypatch, baseline):
    """OKR in some departments, the baseline in the rest: per-arm terms (ranking, check-ins,
    stakes) take the numpy code where they differ by position; the results match it."""
    from simlib.experiments.pilot import MeasuredSimulation

    scenario = simlib.load_scenario("scenarios/policy_showdown.yaml", overrides=SMALL)

    def run() -> tuple[pd.DataFrame, np.ndarray]:
        sim = MeasuredSimulation(
            scenario, baseline, 3, 1, units="department", metrics=("engagement",),
            neutral_quit_rate=scenario.behaviour.voluntary_quit_rate,
            pilot=("okr", np.array([0, 2])),
        )  # fmt: skip
        sim.run_calendar()
        return sim.ledger.frame(), np.stack(sim.rows)

    fast, fast_rows = run()
    assert _numpy_only(monkeypatch) >= 6
    slow, slow_rows = run()
    pd.testing.assert_frame_equal(slow, fast)
    assert bits(slow_rows).tolist() == bits(fast_rows).tolist()
