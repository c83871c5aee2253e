"""Calibration: committees that check managers' ratings against shared evidence.

After managers rate, each department's managers meet with a committee. The committee reads
the cycle's performance records, the evidence every manager shares (as noisy as the
supervisors read them: see ``data_capture``), and predicts from them where each rating
should sit on the organization's rating scale. The part of a rating that departs from
that prediction is the rater's own: leniency, halo, recency, similar-to-me, a private
impression, but also what the manager saw that the records miss. The committee shrinks
that part by the calibration strength (0–1) and keeps the calibrated ratings' overall mean
and spread; at strength 1 the ratings follow the records. A lenient manager's ratings come
down, a department that really does better keeps its higher ratings. Without records (the
``reliability`` rater model) the committee can only move each manager's rating mean and
spread toward the organization's.

Meetings need committee time: each lasts a fixed overhead plus some minutes per rated
employee, and committees (a SimPy ``Resource``) can only meet for ``committee_hours`` in
the review season. The season runs on its own small calendar in hours at the instant of
the review, so grades still come out on review day; departments the committees do not
reach keep their managers' ratings. Every manager of a department sits through its
meeting, which costs manager hours.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from simlib.mechanisms.base import Mechanism
from simlib.scenario.rating import CalibrationRule


def shrink_toward_norm(
    scores: np.ndarray, rater: np.ndarray, strength: float, calibrated: np.ndarray | None = None
) -> np.ndarray:
    """Move each rater's mean and spread toward the whole group's by ``strength`` (0–1).

    Parameters
    ----------
    scores
        Rating scores (SD units) of the rated employees.
    rater
        Rater (team) index of each score.
    strength
        0 leaves scores as they are; 1 gives every rater the overall mean and spread.
    calibrated
        Per rater index, whether that rater's ratings are calibrated (default: all).

    Returns
    -------
    numpy.ndarray
        Calibrated scores; within a rater the order is unchanged.
    """
    if len(scores) == 0 or strength <= 0:
        return scores.copy()
    n_raters = int(rater.max()) + 1
    count = np.bincount(rater, minlength=n_raters).astype(float)
    mean_r = np.bincount(rater, scores, minlength=n_raters) / np.maximum(count, 1.0)
    dev = scores - mean_r[rater]
    var_r = np.bincount(rater, dev * dev, minlength=n_raters) / np.maximum(count, 1.0)
    sd_r = np.sqrt(var_r)
    mean, sd = float(scores.mean()), float(scores.std())
    new_mean = mean_r + strength * (mean - mean_r)
    new_sd = sd_r + strength * (sd - sd_r)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(sd_r > 1e-12, new_sd / np.maximum(sd_r, 1e-12), 1.0)
    out = new_mean[rater] + dev * ratio[rater]
    if calibrated is not None:
        out = np.where(calibrated[rater], out, scores)
    return out


def shrink_toward_evidence(
    scores: np.ndarray,
    evidence: np.ndarray,
    strength: float,
    calibrated: np.ndarray | None = None,
) -> np.ndarray:
    """Shrink the part of each rating that departs from the shared evidence by ``strength``.

    Parameters
    ----------
    scores
        Rating scores (rating SD units) of the rated employees.
    evidence
        The performance records of the same employees (SD units).
    strength
        0 leaves scores as they are; 1 puts every calibrated rating where the records
        predict it.
    calibrated
        Per score, whether it is calibrated (default: all); only these are moved and fit.

    Returns
    -------
    numpy.ndarray
        Calibrated scores. The prediction is the least-squares line of the calibrated
        scores on the records; the calibrated scores keep their mean and spread.
    """
    chosen = np.ones(len(scores), dtype=bool) if calibrated is None else calibrated
    out = scores.copy()
    if strength <= 0 or chosen.sum() < 2:
        return out
    s, x = scores[chosen], evidence[chosen]
    xc = x - x.mean()
    var = float((xc * xc).sum())
    slope = float((xc * (s - s.mean())).sum()) / var if var > 0 else 0.0
    predicted = s.mean() + slope * xc
    moved = s - strength * (s - predicted)
    spread = float(moved.std())
    if spread > 1e-12:
        moved = s.mean() + (moved - moved.mean()) * float(s.std()) / spread
    out[chosen] = moved
    return out


@dataclass
class CalibrationSeason:
    """What one review season's committees did."""

    departments_met: np.ndarray  # bool per department
    meeting_hours: np.ndarray  # length of each department's meeting (hours; 0 if not met)
    manager_hours: float  # meeting hours times the managers attending, summed


def meeting_hours(rule: CalibrationRule, rated_per_department: np.ndarray) -> np.ndarray:
    """Length of each department's calibration meeting (hours)."""
    return rule.overhead_hours + rule.minutes_per_employee / 60.0 * rated_per_department


def run_season(
    rule: CalibrationRule, rated_per_department: np.ndarray, raters_per_department: np.ndarray
) -> CalibrationSeason:
    """Schedule the departments' meetings on the committees (a SimPy Resource).

    Departments queue in order; a meeting that could not finish within
    ``committee_hours`` of the season's start does not take place.
    """
    env = simpy.Environment()
    committees = simpy.Resource(env, capacity=rule.committees)
    length = meeting_hours(rule, rated_per_department)
    met = np.zeros(len(length), dtype=bool)

    def meeting(dept: int) -> Generator[Any, Any, None]:
        with committees.request() as request:
            yield request
            if rated_per_department[dept] == 0 or env.now + length[dept] > rule.committee_hours:
                return
            yield env.timeout(length[dept])
            met[dept] = True

    for dept in range(len(length)):
        env.process(meeting(dept))
    env.run()
    hours = np.where(met, length, 0.0)
    return CalibrationSeason(
        departments_met=met,
        meeting_hours=hours,
        manager_hours=float((hours * raters_per_department).sum()),
    )


def calibrate(
    scores: np.ndarray,
    rater: np.ndarray,
    rater_department: np.ndarray,
    rule: CalibrationRule,
    evidence: np.ndarray | None = None,
) -> tuple[np.ndarray, CalibrationSeason]:
    """Calibrate the rated employees' ``scores`` (rater = team index) under ``rule``.

    With ``evidence`` (the rated employees' performance records) the committees shrink
    each rating's departure from the records; without, each manager's mean and spread.
    Returns the calibrated scores and the season (who met, hours spent).
    """
    n_dept = int(rater_department.max()) + 1 if len(rater_department) else 0
    rated_per_dept = np.bincount(rater_department[rater], minlength=n_dept).astype(float)
    has_ratees = np.bincount(rater, minlength=len(rater_department)) > 0
    raters_per_dept = np.bincount(
        rater_department, weights=has_ratees.astype(float), minlength=n_dept
    )
    season = run_season(rule, rated_per_dept, raters_per_dept)
    calibrated_rater = season.departments_met[rater_department]
    if evidence is None:
        return shrink_toward_norm(scores, rater, rule.strength, calibrated_rater), season
    calibrated = calibrated_rater[rater]
    return shrink_toward_evidence(scores, evidence, rule.strength, calibrated), season


MECHANISM = Mechanism(
    "calibration",
    summary="committees shrink the part of each rating that departs from the shared records",
)
