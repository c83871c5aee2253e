"""Consequences of grades: exits for the bottom grade, consecutive low grades, and PIPs.

A policy's exit rule names who must go after a review. With a PIP rule, those people first
get a performance improvement plan: coaching that lifts their skill, then a rating of their
performance over the plan; only those who score below the pass mark leave. The plan is
rated by the scenario's raters as a review would be: under the ``biased`` rater model by
the team's manager (leniency, compression, similar-to-me, the noise of the records and of
their impression, the pull of the rating that started the plan) and, when the policy uses
360 feedback, by the same sources with the same weights.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.engagement import pip_started
from simlib.mechanisms.exits import leave
from simlib.mechanisms.rater_judgement import reliability_scores, with_halo
from simlib.mechanisms.raters import purpose_shift
from simlib.mechanisms.rating_sources import (
    RatingInputs,
    combine_sources,
    peer_scores,
    self_scores,
    subordinate_scores,
    supervisor_scores,
)
from simlib.scenario.policy import Consequences, PipRule
from simlib.state.simulation_state import Review, SimState


def apply_consequences(sim: SimState, grades: np.ndarray) -> None:
    """Update grade history from this review's ``grades`` (-1 = not rated) and act on it."""
    wf = sim.workforce
    rule = sim.policy.consequences
    bottom_grade = len(sim.policy.rating.grades) - 1
    rated = grades >= 0
    bottom = grades == bottom_grade
    wf.bottom_streak[rated & bottom] += 1
    wf.bottom_streak[rated & ~bottom] = 0
    wf.last_grade[rated] = grades[rated]
    arms = sim.pilot_arms
    if arms is None:
        act_by_rule(sim, rule, rated, bottom)
    else:  # a pilot: each arm's rule for its own people
        for policy, flags in arms.each():
            act_by_rule(sim, policy.consequences, rated & flags, bottom & flags)


def act_by_rule(sim: SimState, rule: Consequences, rated: np.ndarray, bottom: np.ndarray) -> None:
    """Exits (or PIPs) under ``rule`` for those of ``rated`` it makes due."""
    wf = sim.workforce
    due = np.zeros(wf.size, dtype=bool)
    if rule.terminate_bottom_grade:
        due |= bottom
    if rule.consecutive_bottom_to_exit is not None:
        due |= rated & (wf.bottom_streak >= rule.consecutive_bottom_to_exit)
    rows = np.flatnonzero(due & wf.active & ~wf.on_pip)
    if rule.pip is None:
        count_by_group(sim.counts.policy_exits_by_group, wf.group[rows])
        leave(sim, rows, voluntary=False)
    elif len(rows):
        sim.env.process(improvement_plan(sim, rows, rule.pip))


def count_by_group(tally: np.ndarray, groups: np.ndarray) -> None:
    """Add the people of ``groups`` (group indices) to ``tally``, one count per group."""
    if len(groups):
        tally += np.bincount(groups, minlength=len(tally))


def improvement_plan(sim: SimState, rows: np.ndarray, rule: PipRule) -> Generator[Any, Any, None]:
    """A PIP for everyone in ``rows`` (started together): coach, wait, rate, decide."""
    wf = sim.workforce
    sim.catch_up()
    wf.on_pip[rows] = True
    wf.skill[rows] += rule.improvement_sd
    pip_started(sim, rows)
    hired = wf.hired_week[rows].copy()  # identifies the person, not just the position
    perf0, weeks0 = wf.perf_cum[rows].copy(), wf.weeks_cum[rows].copy()
    sim.counts.pips += len(rows)
    count_by_group(sim.counts.pips_by_group, wf.group[rows])
    sim.log("pip", len(rows))
    yield sim.env.timeout(rule.weeks)
    sim.catch_up()
    same = wf.active[rows] & (wf.hired_week[rows] == hired) & wf.on_pip[rows]
    rows, perf0, weeks0 = rows[same], perf0[same], weeks0[same]
    wf.on_pip[rows] = False
    if len(rows) == 0:
        return
    weeks = np.maximum(wf.weeks_cum[rows] - weeks0, 1e-9)
    noise_sd = sim.scenario.behaviour.performance_noise_sd
    rng = sim.streams["pip"]
    true = (wf.perf_cum[rows] - perf0) / weeks + noise_sd * rng.standard_normal(
        len(rows)
    ) / np.sqrt(np.maximum(weeks, 1.0))
    scores = rate_plan(sim, rows, true, rng)
    failed = rows[scores < rule.pass_score]
    sim.counts.pips_failed += len(failed)
    count_by_group(sim.counts.policy_exits_by_group, wf.group[failed])
    leave(sim, failed, voluntary=False)


def rate_plan(
    sim: SimState, rows: np.ndarray, performance: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Rating scores (rating SD units) of ``rows`` for their ``performance`` over a plan.

    Draws from ``rng`` (the ``pip`` stream) only: ``len(rows)`` normals under the
    ``reliability`` model, eight per position under the ``biased`` one. Raters keep the
    traits they had at the last review (a manager hired since is rated as their
    predecessor would; drawing new traits here would shift the raters' stream).
    """
    beh = sim.scenario.behaviour.raters
    if beh.model == "reliability":
        return reliability_scores(performance, beh.reliability, rng)
    wf = sim.workforce
    rating = sim.policy.rating
    panel = sim.raters
    traits = panel.traits(beh, rating)
    draws = rng.standard_normal((wf.size, 8))
    # Whole-organization arrays: peers and reports are counted over teams; only rows matter.
    seen = wf.cycle_performance()[0]
    seen[rows] = performance
    inputs = RatingInputs(seen, seen, wf.chart.team, wf.group, wf.active)
    shift = purpose_shift(beh, rating)
    measurement_sd = beh.measurement_noise_sd(rating.data_capture)
    supervisor = supervisor_scores(inputs, traits, panel, beh, measurement_sd, shift, draws[:, :3])
    everyone = np.arange(wf.size)
    supervisor = with_halo(supervisor, panel.last_rating(wf, everyone), traits.halo[wf.chart.team])
    sources = rating.sources
    if not sources.multi_source:
        return supervisor[rows]
    n_teams = len(wf.chart.team_manager)
    scores = {"supervisor": supervisor, "self": self_scores(inputs, beh, shift, draws[:, 3])}
    available = {"supervisor": wf.active, "self": wf.active}
    scores["peers"], available["peers"] = peer_scores(
        inputs, beh, panel, n_teams, sources.peer_count, shift, draws[:, 4:6]
    )
    scores["subordinates"], available["subordinates"] = subordinate_scores(
        inputs, beh, panel, wf.chart.team_manager, sources.subordinate_count, shift, draws[:, 6:]
    )
    weights = {
        "supervisor": sources.supervisor,
        "peers": sources.peers,
        "self": sources.self_rating,
        "subordinates": sources.subordinates,
    }
    return combine_sources(scores, available, weights)[rows]


def act_on_grades(sim: SimState, review: Review) -> None:
    apply_consequences(sim, review.grades)


MECHANISM = Mechanism(
    "consequences",
    steps=(Step("review", act_on_grades, after=("raters",)),),
    summary="exits for the bottom grade or consecutive low grades; performance improvement plans",
)
