"""Calibration: committees that pull each manager's ratings toward the organization's norm.

After managers rate, each department's managers meet with a committee. A meeting moves
each manager's rating mean and spread toward the organization's by the calibration
strength (0–1): a manager whose ratings run high or wide is brought in line, keeping the
order of their own team's ratings. Meetings need committee time: each lasts a fixed
overhead plus some minutes per rated employee, and committees (a SimPy ``Resource``) can
only meet for ``committee_hours`` in the review season. The season runs on its own small
calendar in hours at the instant of the review, so grades still come out on review day;
departments the committees do not reach keep their managers' ratings. Every manager of a
department sits through its meeting, which costs manager hours.
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
) -> tuple[np.ndarray, CalibrationSeason]:
    """Calibrate the rated employees' ``scores`` (rater = team index) under ``rule``.

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
    return shrink_toward_norm(scores, rater, rule.strength, calibrated_rater), season


MECHANISM = Mechanism(
    "calibration",
    summary="committees pull each manager's rating mean and spread toward the organization's",
)
