"""Market: demand shocks that move everyone's output, scheduled or at random.

The market level (SD units) is added to every employee's performance rate. A scheduled
shock starts at a given week and may end after a while; random shocks arrive as a Poisson
process whose timing and sizes come from the shocks stream (the same for every policy).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simlib.scenario.definition import WEEKS_PER_YEAR, MarketShock

if TYPE_CHECKING:
    from simlib.engine.simulation import Simulation


def shock(
    sim: Simulation, delay: float, size: float, duration: float | None
) -> Generator[Any, Any, None]:
    """Demand moves by ``size`` (SD units) after ``delay`` weeks, for ``duration`` weeks."""
    yield sim.env.timeout(delay)
    sim.catch_up()
    sim.market_level += size
    sim.counters["shocks"] += 1
    if duration is not None:
        yield sim.env.timeout(duration)
        sim.catch_up()
        sim.market_level -= size


def scheduled_shock(sim: Simulation, spec: MarketShock) -> Generator[Any, Any, None]:
    """A shock declared in the scenario."""
    return shock(sim, spec.week, spec.size_sd, spec.duration_weeks)


def random_shocks(sim: Simulation) -> Generator[Any, Any, None]:
    """Shocks arriving at random; each lasts ``random_shock_weeks``."""
    env_cfg = sim.scenario.environment
    rng = sim.streams["shocks"]
    mean_gap = WEEKS_PER_YEAR / env_cfg.random_shocks_per_year
    while True:
        yield sim.env.timeout(rng.exponential(mean_gap))
        size = rng.normal(0.0, env_cfg.random_shock_size_sd)
        sim.env.process(shock(sim, 0.0, size, env_cfg.random_shock_weeks))
