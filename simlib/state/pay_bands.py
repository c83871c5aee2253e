"""Salary bands: where each position's band sits as the labour market drifts.

State kept by the pay mechanism: band limits per position and the market's drift since
week 0. Bands are in the scenario's currency per year; compa-ratio is salary over the
current band midpoint.
"""

from __future__ import annotations

import numpy as np

from simlib.scenario.definition import Scenario
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.state.workforce import Workforce


class Pay:
    """Salary bands of every position, moving with the market (``now`` in weeks)."""

    def __init__(self, scenario: Scenario, workforce: Workforce) -> None:
        bands = scenario.organization.salary_bands
        manager = workforce.chart.is_manager
        self.workforce = workforce
        self.drift = scenario.environment.pay_drift
        self.band_min = np.where(manager, bands.manager.min, bands.individual_contributor.min)
        self.band_max = np.where(manager, bands.manager.max, bands.individual_contributor.max)
        # The bands' midpoints at week 0 and their mean (the bands themselves never change).
        self.midpoint = 0.5 * (self.band_min + self.band_max)
        self.mean_midpoint = float(self.midpoint.mean())
        self.now = 0.0

    def market_factor(self, week: float) -> float:
        """How far market pay has moved since week 0 (1.0 = unchanged)."""
        return float((1.0 + self.drift) ** (week / WEEKS_PER_YEAR))

    def starting_salary(self, rows: np.ndarray, band_position: np.ndarray) -> np.ndarray:
        """Salary at ``band_position`` (0–1) within each row's band, at today's market."""
        lo, hi = self.band_min[rows], self.band_max[rows]
        return (lo + band_position * (hi - lo)) * self.market_factor(self.now)

    def compa_ratio(self) -> np.ndarray:
        midpoint = self.midpoint * self.market_factor(self.now)
        return self.workforce.salary / midpoint

    def general_increase(self, weeks: float) -> None:
        """Everyone's pay follows the market over ``weeks`` (a cost-of-living adjustment)."""
        self.workforce.salary *= (1.0 + self.drift) ** (weeks / WEEKS_PER_YEAR)

    def payroll(self) -> float:
        """Yearly pay of everyone employed now (currency)."""
        return float(self.workforce.salary[self.workforce.active].sum())
