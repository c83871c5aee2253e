"""simlib: simulate performance-management policies on an organization before rollout.

The public API is small:

>>> import simlib
>>> scenario = simlib.load_scenario("scenarios/baseline.yaml")
>>> results = simlib.compare(scenario, reps=5)
>>> results.summary()          # per policy and metric at the horizon, mean and 95% CI
>>> results.paired_diff()      # paired differences against the baseline policy

Names are loaded on first use, so that importing one part (say the figures) does not load
the engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from simlib.version import __version__

if TYPE_CHECKING:
    from simlib.analysis.results import Results
    from simlib.engine.simulation import simulate
    from simlib.errors import ScenarioError
    from simlib.experiments.compare import compare
    from simlib.scenario.definition import Scenario
    from simlib.scenario.loading import load_scenario

_PUBLIC = {
    "Results": "simlib.analysis.results",
    "Scenario": "simlib.scenario.definition",
    "ScenarioError": "simlib.errors",
    "compare": "simlib.experiments.compare",
    "load_scenario": "simlib.scenario.loading",
    "simulate": "simlib.engine.simulation",
}

__all__ = [
    "Results",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_scenario",
    "simulate",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
