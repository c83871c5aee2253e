"""The 9-box: performance boxes from grades and potential boxes from fixed cut points.

Kept apart from the snapshot that runs the engine, so that figures can label boxes without
importing the engine.
"""

from __future__ import annotations

import numpy as np

from simlib.i18n import N_
from simlib.mechanisms.grading import bottom_grades, top_grades

# Potential boxes cut at the terciles of N(0, 1) applicants (SD units): the same fixed cut
# points for every policy, so a policy that raises potential moves people up the boxes.
POTENTIAL_CUTS_SD = (-0.4307, 0.4307)
BOX_LABELS = (N_("low"), N_("medium"), N_("high"))  # translated where drawn


def performance_boxes(grade_index: np.ndarray, n_grades: int) -> np.ndarray:
    """0 = low, 1 = medium, 2 = high performance from grade indices (0 = best, -1 = unrated).

    Boxes go by share of people, whatever the scale: "low" is the bottom 20% as
    misclassification counts it (the lowest grades that together hold at most 20% of the
    graded, or the bottom grade alone if it holds more;
    :func:`simlib.mechanisms.grading.bottom_grades`), "high" the top 20% the same way from
    the top, the rest "medium" (so is a grade that would be both, when one grade holds
    nearly everyone). Unrated people get -1.
    """
    low, top = bottom_grades(grade_index, n_grades), top_grades(grade_index, n_grades)
    is_low, is_top = np.isin(grade_index, low), np.isin(grade_index, top)
    box = np.where(is_top & ~is_low, 2, np.where(is_low & ~is_top, 0, 1))
    return np.where(grade_index < 0, -1, box)


def potential_boxes(potential: np.ndarray) -> np.ndarray:
    """0 = low, 1 = medium, 2 = high potential (fixed cut points in SD units)."""
    return np.searchsorted(np.asarray(POTENTIAL_CUTS_SD), potential, side="right")
