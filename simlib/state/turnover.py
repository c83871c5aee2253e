"""What the quit hazard carries between events besides the workforce's own rows.

The hazard's intercept (the yearly quit rate at neutral conditions) is solved by the engine
so that the scenario's status-quo policy realises ``behaviour.voluntary_quit_rate``
(:mod:`simlib.engine.turnover_anchor`) and handed over here; the mechanisms only read it.
Outside employers' reading of a promotion is learned from the promotions the organization
makes. The expected quits and the person-years at risk are the anchor's measurement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class Departures:
    """Who left at one instant: their positions, who they were (``hired_week``) and how."""

    week: float
    rows: np.ndarray
    hired_week: np.ndarray
    voluntary: bool
    event: str = ""  # what made them leave, as the trace names it (e.g. ``layoff``)
    salary: np.ndarray | None = None  # their yearly salary when they left
    group: np.ndarray | None = None  # their group index


@dataclass
class Turnover:
    """The quit hazard's intercept and what the hazard and the anchor keep between events."""

    neutral_quit_rate: float  # yearly quit rate at neutral conditions (share): the intercept
    promotion_signal_sd: float = math.nan  # mean standing (SD) of everyone promoted so far
    promoted_so_far: int = 0
    expected_quits: float = 0.0  # quit probabilities summed over every quit check (people)
    exposure_years: float = 0.0  # person-years at risk over those checks
    departures: list[Departures] | None = None  # kept only when a study asks for it

    def learn_promotion_signal(self, standings: np.ndarray) -> None:
        """Add newly promoted people's performance standing (SD) to the running mean."""
        n = len(standings)
        if n == 0:
            return
        before = 0.0 if self.promoted_so_far == 0 else self.promotion_signal_sd
        total = before * self.promoted_so_far + float(standings.sum())
        self.promoted_so_far += n
        self.promotion_signal_sd = total / self.promoted_so_far

    @property
    def expected_attrition(self) -> float:
        """Expected voluntary quits per person-year at risk (share per year)."""
        return self.expected_quits / self.exposure_years if self.exposure_years > 0 else math.nan
