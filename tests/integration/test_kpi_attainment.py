"""KPI attainment discriminates: in the policy showdown, targets sit above the level people
work at (effort included) and gaming lifts the KPIs only as far as they can be gamed, so
attainment under KPI goals stays below 0.95 and a minority sits at the cap."""

from __future__ import annotations

import numpy as np
import pytest

from simlib import load_scenario
from simlib.engine.simulation import Simulation
from simlib.mechanisms import goals
from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.registry import MECHANISMS
from tests.conftest import SCENARIOS

REPS = 3


def attainment_by_policy(overrides: dict | None = None) -> dict[str, tuple[float, float]]:
    """Per policy with goals: mean attainment and the share at the cap, over every review."""
    scenario = load_scenario(SCENARIOS / "policy_showdown.yaml", overrides=overrides)
    grades: list[np.ndarray] = []

    def watch(sim, review):
        if sim.policy.goals.regime != "none":
            a = goals.attainment(sim, review.rated, goals.cycle_luck(sim, review))
            grades.append(a[np.isfinite(a)])

    observed = (
        *MECHANISMS,
        Mechanism("watch", steps=(Step("after_review", watch),), observer=True),
    )
    out = {}
    for policy in scenario.policies:
        grades.clear()
        for rep in range(REPS):
            Simulation(scenario, policy, seed=2025, rep=rep, mechanisms=observed).run()
        if grades:
            every = np.concatenate(grades)
            out[policy] = (float(every.mean()), float((every >= 1.0).mean()))
    return out


@pytest.fixture(scope="module")
def showdown() -> dict[str, tuple[float, float]]:
    return attainment_by_policy()


KPI_POLICIES = ("absolute", "forced_distribution", "pay_matrix")


def test_kpi_attainment_under_kpi_goals_is_below_095(showdown):
    assert all(p in showdown for p in KPI_POLICIES)
    for policy in KPI_POLICIES:
        mean, at_cap = showdown[policy]
        assert mean < 0.95, (policy, mean)
        assert at_cap < 0.6, (policy, at_cap)  # far from everyone, as before the fix
    assert np.mean([showdown[p][0] for p in KPI_POLICIES]) < 0.95


def test_a_minority_sits_at_the_cap_under_every_kpi_policy(showdown):
    for policy in KPI_POLICIES:
        assert showdown[policy][1] < 0.5, (policy, showdown[policy][1])


def test_okr_grades_average_in_the_sweet_spot_below_attainable_kpis(showdown):
    # The okr preset's stretch is calibrated to an average grade of 0.6-0.7 (okr_sweet_spot);
    # the baseline's attainable KPI targets, with gaming's lift, are met further.
    assert 0.6 <= showdown["okr"][0] <= 0.7
    # (the margin is small since check-in feedback lifts OKR performance within the cycle)
    assert showdown["okr"][0] < showdown["absolute"][0] - 0.05


def test_without_the_bound_on_gaming_nearly_everyone_sits_at_the_cap():
    unbounded = attainment_by_policy({"behaviour.goals.gameable_share": 1.0})
    mean, at_cap = unbounded["absolute"]
    assert mean > 0.95 and at_cap > 0.9
