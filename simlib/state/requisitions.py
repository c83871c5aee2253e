"""Open requisitions: vacancies waiting for a recruiter and searches under way, as arrays.

State kept by the hiring mechanism. A vacancy joins the back of one queue; recruiters take
requisitions from its front, first come first served, up to their capacity (recruiters x
requisitions per recruiter; unlimited when the scenario says so). A search, once started,
ends in a known week; searches are kept by that week, in the order recruiters took them
up, so searches ending in the same week are hired in that order and the k-th search and
the k-th hire of a replication are the same under every policy (common random numbers).
"""

from __future__ import annotations

import numpy as np

from simlib.scenario.organization import Hiring

_NO_ROWS = np.zeros(0, dtype=np.int64)


class Requisitions:
    """The hiring queue of one simulation (rows are workforce positions)."""

    def __init__(self, hiring: Hiring) -> None:
        recruiters = hiring.recruiters
        # Vacancies one can work on at once; None = as many as there are vacancies.
        self.capacity: int | None = (
            recruiters * hiring.requisitions_per_recruiter if recruiters else None
        )
        self.waiting = _NO_ROWS  # rows waiting for a recruiter, first in line first
        self.ending: dict[float, list[np.ndarray]] = {}  # week -> rows whose search ends then
        self.searching = 0  # searches under way

    @property
    def open(self) -> int:
        """Vacancies not yet filled (waiting or being searched for)."""
        return len(self.waiting) + self.searching

    def join(self, rows: np.ndarray) -> None:
        """Vacancies for ``rows`` join the back of the queue, in the order given."""
        self.waiting = np.concatenate([self.waiting, np.asarray(rows, dtype=np.int64)])

    def take_up(self) -> np.ndarray:
        """Rows recruiters take from the front of the queue now, as far as capacity allows."""
        free = len(self.waiting)
        if self.capacity is not None:
            free = min(free, self.capacity - self.searching)
        taken, self.waiting = self.waiting[:free], self.waiting[free:]
        return taken

    def search(self, rows: np.ndarray, ends: np.ndarray) -> list[float]:
        """Searches for ``rows`` started, ending in weeks ``ends``; returns the weeks that
        had no search ending in them yet (each needs a hiring event on the calendar)."""
        new_weeks: list[float] = []
        if len(rows) == 0:
            return new_weeks
        if len(rows) == 1 or np.minimum.reduce(ends) == np.maximum.reduce(ends):
            groups = [(float(ends[0]), rows)]
        else:
            order = np.argsort(ends, kind="stable")  # by week, in the order taken up
            ends, rows = ends[order], rows[order]
            cuts = [0, *(np.flatnonzero(ends[1:] != ends[:-1]) + 1).tolist(), len(rows)]
            groups = [
                (float(ends[a]), rows[a:b]) for a, b in zip(cuts[:-1], cuts[1:], strict=False)
            ]
        for week, taken in groups:
            if week not in self.ending:
                self.ending[week] = []
                new_weeks.append(week)
            self.ending[week].append(taken)
        self.searching += len(rows)
        return new_weeks

    def finish(self, week: float) -> np.ndarray:
        """Rows whose search ends in ``week``, in the order taken up; they leave the queue."""
        parts = self.ending.pop(week, [])
        rows = parts[0] if len(parts) == 1 else np.concatenate([_NO_ROWS, *parts])
        self.searching -= len(rows)
        return rows
