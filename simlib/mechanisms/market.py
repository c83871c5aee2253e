"""Market: demand shocks that move everyone's output, scheduled or at random.

The market level (SD units) is added to every employee's performance rate. A scheduled
shock starts at a given week and may end after a while; random shocks arrive as a Poisson
process whose timing and sizes come from the shocks stream (the same for every policy).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from simlib.mechanisms.base import Mechanism
from simlib.scenario.organization import WEEKS_PER_YEAR, MarketShock
from simlib.state.simulation_state import SimState


def shock(
    sim: SimState, delay: float, size: float, duration: float | None
) -> Generator[Any, Any, None]:
    """Demand moves by ``size`` (SD units) after ``delay`` weeks, for ``duration`` weeks."""
    yield sim.env.timeout(delay)
    sim.catch_up()
    sim.market_level += size
    sim.counts.shocks += 1
    sim.log("shock")
    if duration is not None:
        yield sim.env.timeout(duration)
        sim.catch_up()
        sim.market_level -= size


def scheduled_shock(sim: SimState, spec: MarketShock) -> Generator[Any, Any, None]:
    """A shock declared in the scenario."""
    return shock(sim, spec.week, spec.size_sd, spec.duration_weeks)


def random_shocks(sim: SimState) -> Generator[Any, Any, None]:
    """Shocks arriving at random; each lasts ``random_shock_weeks``."""
    env_cfg = sim.scenario.environment
    rng = sim.streams["shocks"]
    mean_gap = WEEKS_PER_YEAR / env_cfg.random_shocks_per_year
    while True:
        yield sim.env.timeout(rng.exponential(mean_gap))
        size = rng.normal(0.0, env_cfg.random_shock_size_sd)
        sim.env.process(shock(sim, 0.0, size, env_cfg.random_shock_weeks))


def demand_shocks(sim: SimState) -> list[Generator[Any, Any, None]]:
    env_cfg = sim.scenario.environment
    processes = [scheduled_shock(sim, spec) for spec in env_cfg.market_shocks]
    if env_cfg.random_shocks_per_year > 0:
        processes.append(random_shocks(sim))
    return processes


MECHANISM = Mechanism(
    "market",
    after_reviews=(demand_shocks,),
    summary="demand shocks, scheduled or at random, that move everyone's output",
)
