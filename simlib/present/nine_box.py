"""The 9-box: performance boxes from grades and potential boxes from fixed cut points.

Kept apart from the snapshot that runs the engine, so that figures can label boxes without
importing the engine.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms.grading import bottom_grades

# Potential boxes cut at the terciles of N(0, 1) applicants (SD units): the same fixed cut
# points for every policy, so a policy that raises potential moves people up the boxes.
POTENTIAL_CUTS_SD = (-0.4307, 0.4307)
BOX_LABELS = ("low", "medium", "high")


def performance_boxes(grade_index: np.ndarray, n_grades: int) -> np.ndarray:
    """0 = low, 1 = medium, 2 = high performance from grade indices (0 = best, -1 = unrated).

    The bottom grades are those :func:`simlib.mechanisms.grading.bottom_grades` counts for
    misclassification (the last two of a 4+ point scale, else the last); the same number of
    top grades is "high"; the rest "medium". Unrated people get -1.
    """
    low = bottom_grades(n_grades)
    top = np.arange(len(low))
    box = np.where(np.isin(grade_index, top), 2, 1)
    box = np.where(np.isin(grade_index, low), 0, box)
    return np.where(grade_index < 0, -1, box)


def potential_boxes(potential: np.ndarray) -> np.ndarray:
    """0 = low, 1 = medium, 2 = high potential (fixed cut points in SD units)."""
    return np.searchsorted(np.asarray(POTENTIAL_CUTS_SD), potential, side="right")
