"""simlib: simulate performance-management policies on an organization before rollout.

The public API is small:

>>> import simlib
>>> scenario = simlib.load_scenario("scenarios/baseline.yaml")
>>> results = simlib.compare(scenario, reps=5)
>>> results.summary()          # per policy and metric at the horizon, mean and 95% CI
>>> results.paired_diff()      # paired differences against the baseline policy
"""

from simlib.errors import ScenarioError
from simlib.experiment import compare
from simlib.results import Results
from simlib.scenario import Scenario, load_scenario
from simlib.simulation import simulate

__version__ = "0.1.0"

__all__ = [
    "Results",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_scenario",
    "simulate",
]
