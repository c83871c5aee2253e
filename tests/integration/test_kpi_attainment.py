"""KPI attainment discriminates: in the policy showdown, targets sit above the level people
work at (effort included) and gaming lifts the KPIs only as far as they can be gamed, so
attainment under KPI goals stays below 0.95 and far from everyone sits at the cap; under
absolute ratings and the forced curve a minority does (not yet under the pay matrix)."""

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


PAY_MATRIX_AT_THE_CAP = pytest.mark.xfail(
    strict=True,
    reason="not yet: under the pay matrix 52% sit at the cap (absolute 47%, forced curve 46%). "
    "Targets sit 0.5 SD above the level people work at apart from the goal; the goal's own "
    "effect (about 0.17 SD) and gaming's bounded lift (5% of output, 0.31-0.36 SD) cover that "
    "for about half of them, and the pay matrix's higher output makes the same 5% more SD. "
    "Across gameable_share's range (0.02-0.10) the pay matrix's share runs from 29% to 83%",
)


@pytest.mark.parametrize(
    "policy",
    ["absolute", "forced_distribution", pytest.param("pay_matrix", marks=PAY_MATRIX_AT_THE_CAP)],
)
def test_a_minority_sits_at_the_cap_under_each_kpi_policy(showdown, policy):
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
