"""Two policies in one organization: the arms of a pilot.

A pilot runs policy P in some units (teams or departments) while the others keep the
baseline B, at the same time, in one organization. Everything the model shares across units
is then shared across the arms: the hiring queue and its recruiters, the applicant pool,
market shocks, and (when the arms share a rating) the calibration committee and any ranking
unit that spans both arms.

A section of the policy is *mixed* when the two arms may differ in it: each position reads
its own arm's terms (per-position arrays, or a step run on each arm's rows under its
policy). A section both arms share runs once for the whole organization, as in a run of B.
Every section can be mixed, within limits:

- **check-ins** (cadence, minutes, feedback quality): the one-to-ones are held when one
  arm's cadence says so, and only with that arm's people, who alone get the coaching, the
  feedback and its lift to engagement and fairness; manager hours count only the check-ins
  held. Both arms must agree on the early warning (its fields act on the same weekly output
  for everyone) and, when both hold check-ins, on their cadence.
- **goals** (stretch, pay coupling, KPI weight, alignment, re-baselining), when both arms
  set goals (kpi or okr) at the same level: each person's target, its tolerance, the weight
  of measured KPIs in their rating and effort, and their goal's and team's links in the
  cascade follow their arm. A department's own link to the company goals stays B's (under
  team units a department spans both arms; its head sets one goal for it).

- **rating** (how scores become grades: scheme, thresholds, shares, bottom cut, ranking unit,
  rounding, and calibration): each arm's people are calibrated and graded under their arm's
  rating section, on their own rows. A ranking unit that spans both arms (a department or
  the organization, with team units) ranks only that arm's people, under that arm's quotas.
  Both arms must use the same grade scale (names) and rate alike (sources, data capture,
  rater training, purpose, appeals, minimum weeks).
- **consequences**, **pay** and **development**: each arm's exit rule, PIPs, merit raises
  and bonuses, and training act on its own people's grades; a merit budget scaled to the
  payroll is spent on each arm's own rated payroll (ring-fenced; when the arms differ in
  rating or pay). Promotion (``pay.promotion``) must be the same in both arms (one pool,
  one market signal).

What people believe a grade brings (the incentives' stake) starts from their own arm's
announced terms and is learned from their own arm's reviews; the separation rate those
beliefs discount by is the organization's. Whatever else differs is refused with the field
named (:func:`unmixed_sections`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simlib.scenario.policy import Policy

SECTIONS = ("rating", "consequences", "goals", "checkins", "pay", "development")
MIXED = ("checkins", "goals", "rating", "consequences", "pay", "development")
# Rating fields each arm applies to its own people; the others must agree.
RATING_MIXED = (
    "scheme",
    "thresholds",
    "shares",
    "bottom_cut",
    "ranking_unit",
    "rounding",
    "calibration",
)
EARLY_WARNING = ("early_warning_weeks", "coaching_hours", "warning_margin_sd")


def unmixed_sections(pilot: Policy, baseline: Policy) -> list[str]:
    """The sections (or fields) in which the arms differ but cannot yet be mixed."""
    found = [s for s in SECTIONS if s not in MIXED and getattr(pilot, s) != getattr(baseline, s)]
    p, b = pilot.checkins, baseline.checkins
    for name in EARLY_WARNING:
        if getattr(p, name) != getattr(b, name):
            found.append(f"checkins.{name}")
    if None not in (p.interval_weeks, b.interval_weeks) and p.cadence != b.cadence:
        found.append("checkins.cadence (both arms hold check-ins, at different cadences)")
    g, h = pilot.goals, baseline.goals
    if g != h and "none" in (g.regime, h.regime):
        found.append("goals.regime (one arm sets no goals)")
    if g.level != h.level:
        found.append("goals.level")
    for name in type(pilot.rating).model_fields:
        if name not in RATING_MIXED and getattr(pilot.rating, name) != getattr(
            baseline.rating, name
        ):
            found.append(f"rating.{name}")
    if pilot.pay.promotion != baseline.pay.promotion:
        found.append("pay.promotion (one promotion pool and market signal)")
    return found


def _intensity(policy: Policy) -> float:
    interval = policy.checkins.interval_weeks
    return 0.0 if interval is None else 1.0 / math.sqrt(interval)


@dataclass(frozen=True)
class PilotArms:
    """Which positions run the pilot's policy, and the terms each position reads.

    Attributes
    ----------
    in_pilot
        One flag per position: its unit is in the pilot (runs P); the others run B.
    checked_in
        One flag per position: its arm holds check-ins.
    checkin_intensity
        What check-ins do for each position (1 weekly, ~0.71 biweekly, 0.5 monthly, 0 none).
    feedback_quality
        Each position's arm's feedback quality (0–1).
    goal_stretch, goal_coupling, measured_pay_weight, goal_alignment, rebaseline
        Each position's arm's goal terms (:class:`simlib.scenario.policy.GoalPolicy`).
    pilot, baseline
        The two arms' policies (P and B).
    beliefs
        In a run with incentives, each arm's beliefs about what grades bring, keyed by
        ``in_pilot`` (the organization's ``beliefs`` object is the one in use; see
        :func:`acting_as`).
    """

    in_pilot: np.ndarray
    checked_in: np.ndarray
    checkin_intensity: np.ndarray
    feedback_quality: np.ndarray
    goal_stretch: np.ndarray
    goal_coupling: np.ndarray
    measured_pay_weight: np.ndarray
    goal_alignment: np.ndarray
    rebaseline: np.ndarray
    pilot: Policy
    baseline: Policy
    beliefs: dict[bool, Any] = field(default_factory=dict)

    def each(self) -> tuple[tuple[Policy, np.ndarray], tuple[Policy, np.ndarray]]:
        """The arms as (policy, flag per position): P's, then B's."""
        return ((self.pilot, self.in_pilot), (self.baseline, ~self.in_pilot))

    def differ(self, section: str, field: str | None = None) -> bool:
        """Whether the arms differ in a policy section (or one of its fields): where they
        do not, the step runs once for the whole organization, as in a run of B."""
        p, b = getattr(self.pilot, section), getattr(self.baseline, section)
        return p != b if field is None else getattr(p, field) != getattr(b, field)

    @classmethod
    def build(cls, in_pilot: np.ndarray, pilot: Policy, baseline: Policy) -> PilotArms:
        def each(p: float, b: float) -> np.ndarray:
            return np.where(in_pilot, p, b).astype(float)

        held = each(
            pilot.checkins.interval_weeks is not None, baseline.checkins.interval_weeks is not None
        )
        return cls(
            in_pilot=in_pilot.astype(bool),
            checked_in=held.astype(bool),
            checkin_intensity=each(_intensity(pilot), _intensity(baseline)),
            feedback_quality=each(
                pilot.checkins.feedback_quality, baseline.checkins.feedback_quality
            ),
            goal_stretch=each(pilot.goals.stretch, baseline.goals.stretch),
            goal_coupling=each(pilot.goals.coupling, baseline.goals.coupling),
            measured_pay_weight=each(
                pilot.goals.measured_pay_weight, baseline.goals.measured_pay_weight
            ),
            goal_alignment=each(pilot.goals.alignment, baseline.goals.alignment),
            rebaseline=each(pilot.goals.rebaseline, baseline.goals.rebaseline).astype(bool),
            pilot=pilot,
            baseline=baseline,
        )


def combined_policy(pilot: Policy, baseline: Policy) -> Policy:
    """The policy the calendar follows in a mixed run: B's, with the check-ins schedule of
    the arm that holds check-ins (each position's own terms come from :class:`PilotArms`)."""
    holds = pilot if pilot.checkins.interval_weeks is not None else baseline
    return baseline.model_copy(update={"checkins": holds.checkins})


@contextmanager
def acting_as(sim: Any, policy: Policy, beliefs: Any = None) -> Iterator[None]:
    """Within the block, ``sim`` follows one arm's ``policy`` (and that arm's ``beliefs``,
    when given): how a mixed run applies a step written for one policy to one arm's rows."""
    saved = sim.policy, sim.beliefs
    sim.policy = policy
    if beliefs is not None:
        sim.beliefs = beliefs
    try:
        yield
    finally:
        sim.policy, sim.beliefs = saved
