"""The status quo's grade scale set to the data's pooled grade shares.

A forced distribution takes the shares as they are. Absolute ratings give each grade to
the rating scores above its threshold, so the thresholds are moved until the simulated
pooled shares are the observed ones: each threshold ``t_g`` (the lowest score of grade ``g``
and better) moves by ``Phi^-1(1 - C_obs) - Phi^-1(1 - C_sim)`` (``C``: the share at ``g`` or
better), a normal-quantile step that is exact when scores are normal with SD 1 and shrinks
the gap geometrically otherwise; :data:`STEPS` steps, with the simulations' seeds.

The spread of rating scores moves with the rater assumptions (reliability above all), so
the shares are not a moment the assumptions are fitted to: the thresholds are set once
before the search and again at the best fit.
"""

from __future__ import annotations

from concurrent.futures import Executor

import numpy as np
import pandas as pd
from scipy.stats import norm

from simlib.calibration.simulated import MomentsFunction, simulate_moments
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario

STEPS = 5
LIMIT = 4.0  # thresholds stay within +-4 score SD


def observed_shares(scenario: Scenario, observed: pd.DataFrame) -> list[float] | None:
    """The data's pooled share of each status-quo grade, best first (None if incomplete)."""
    grades = scenario.policies[scenario.baseline].rating.grades
    pooled = observed[observed["cycle"].isna()]
    values = dict(zip(pooled["moment"], pooled["value"], strict=True))
    shares = [values.get(f"grade_share:{g}") for g in grades]
    if any(s is None or not np.isfinite(s) for s in shares):
        return None
    total = float(sum(s for s in shares if s is not None))
    return None if total <= 0 else [float(s) / total for s in shares if s is not None]


def status_quo_grades(
    scenario: Scenario,
    observed: pd.DataFrame,
    moments: MomentsFunction,
    seed: int,
    reps: int,
    executor: Executor | None = None,
    values: dict[str, float] | None = None,
) -> tuple[Scenario, int]:
    """The scenario with its status quo's shares or thresholds set to the observed pooled
    grade shares, and the simulations that took; ``values``: the assumptions to simulate
    with (the scenario's own if not given)."""
    shares = observed_shares(scenario, observed)
    rating = scenario.policies[scenario.baseline].rating
    prefix = f"policies.{scenario.baseline}.rating"
    if shares is None:
        return scenario, 0
    if rating.scheme == "forced_distribution":
        if rating.shares is None:
            return scenario, 0
        rounded = [round(s, 4) for s in shares]
        rounded[-1] = round(1.0 - sum(rounded[:-1]), 4)
        by_grade = dict(zip(rating.grades, rounded, strict=True))
        return load_scenario(scenario, overrides={f"{prefix}.shares": by_grade}), 0
    keys = [f"grade_share:{g}" for g in rating.grades]
    wanted = np.clip(np.cumsum(shares)[:-1], 1e-3, 1 - 1e-3)
    runs = 0
    for _step in range(STEPS):
        sims = simulate_moments(
            scenario, [dict(values or {})], keys, seed, reps, moments=moments, executor=executor
        )
        runs += reps
        got = np.nanmean(sims[0], axis=0)
        if not np.all(np.isfinite(got)):
            break
        now = np.clip(np.cumsum(got / got.sum())[:-1], 1e-3, 1 - 1e-3)
        thresholds = np.array(scenario.policies[scenario.baseline].rating.grade_thresholds())
        moved = thresholds + norm.ppf(1 - wanted) - norm.ppf(1 - now)
        moved = np.clip(moved, -LIMIT, LIMIT)
        moved = np.maximum.accumulate(moved[::-1] + np.arange(len(moved)) * 1e-3)[::-1]
        value = [round(float(t), 4) for t in moved]
        scenario = load_scenario(scenario, overrides={f"{prefix}.thresholds": value})
    return scenario, runs
