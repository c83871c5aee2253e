"""simlib: simulate performance-management policies on an organization before rollout.

The public API is small:

>>> import simlib
>>> scenario = simlib.load_scenario("scenarios/baseline.yaml")
>>> results = simlib.compare(scenario, reps=5)
>>> results.summary()          # per policy and metric at the horizon, mean and 95% CI
>>> results.paired_diff()      # paired differences against the baseline policy
"""

from simlib.analysis.results import Results
from simlib.engine.simulation import simulate
from simlib.errors import ScenarioError
from simlib.experiments.compare import compare
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario
from simlib.version import __version__

__all__ = [
    "Results",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_scenario",
    "simulate",
]
