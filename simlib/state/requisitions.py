"""Open requisitions: vacancies waiting for a recruiter and searches under way, as arrays.

State kept by the hiring mechanism. A vacancy joins the back of one queue; recruiters take
requisitions from its front, first come first served, up to their capacity (recruiters x
requisitions per recruiter; unlimited when the scenario says so). A search, once started,
ends in a known week. Searches are kept in the order recruiters took them: searches ending
in the same week are hired in that order, so the k-th search and the k-th hire of a
replication are the same under every policy (common random numbers).
"""

from __future__ import annotations

import numpy as np

from simlib.scenario.organization import Hiring

_EMPTY_ROWS = np.zeros(0, dtype=np.int64)


class Requisitions:
    """The hiring queue of one simulation (rows are workforce positions)."""

    def __init__(self, hiring: Hiring) -> None:
        recruiters = hiring.recruiters
        # Vacancies one can work on at once; None = as many as there are vacancies.
        self.capacity: int | None = (
            recruiters * hiring.requisitions_per_recruiter if recruiters else None
        )
        self.waiting = _EMPTY_ROWS  # rows waiting for a recruiter, first in line first
        self.searching = _EMPTY_ROWS  # rows being searched for, in the order taken up
        self.search_ends = np.zeros(0)  # week each of those searches ends
        self.wake_weeks: set[float] = set()  # weeks an intake is already on the calendar

    @property
    def open(self) -> int:
        """Vacancies not yet filled (waiting or being searched for)."""
        return len(self.waiting) + len(self.searching)

    def join(self, rows: np.ndarray) -> None:
        """Vacancies for ``rows`` join the back of the queue, in the order given."""
        self.waiting = np.concatenate([self.waiting, np.asarray(rows, dtype=np.int64)])

    def take_up(self) -> np.ndarray:
        """Rows recruiters take from the front of the queue now, as far as capacity allows."""
        free = len(self.waiting)
        if self.capacity is not None:
            free = min(free, self.capacity - len(self.searching))
        taken, self.waiting = self.waiting[:free], self.waiting[free:]
        return taken

    def search(self, rows: np.ndarray, ends: np.ndarray) -> None:
        """Searches for ``rows`` started, ending in weeks ``ends``."""
        self.searching = np.concatenate([self.searching, rows])
        self.search_ends = np.concatenate([self.search_ends, ends])

    def finish(self, week: float) -> np.ndarray:
        """Rows whose search ends in ``week``, in the order taken up; they leave the queue."""
        done = self.search_ends == week
        rows = self.searching[done]
        self.searching = self.searching[~done]
        self.search_ends = self.search_ends[~done]
        self.wake_weeks.discard(week)
        return rows
