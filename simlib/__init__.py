"""simlib: simulate performance-management policies on an organization before rollout.

The public API is small:

>>> import simlib
>>> scenario = simlib.load_scenario("scenarios/baseline.yaml")
>>> results = simlib.compare(scenario, reps=5)
>>> results.summary()          # per policy and metric at the horizon, mean and 95% CI
>>> results.paired_diff()      # paired differences against the baseline policy

``simlib.__all__`` lists every public name (the notebooks use only these). Names are loaded
on first use, so that importing one part (say the figures) does not load the engine.
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
    # the model
    "Scenario": "simlib.scenario.definition",
    "ScenarioError": "simlib.errors",
    "load_scenario": "simlib.scenario.loading",
    "simulate": "simlib.engine.simulation",
    "compare": "simlib.experiments.compare",
    "run_sweep": "simlib.experiments.sweep",
    # results and their analysis
    "Results": "simlib.analysis.results",
    "read_manifest": "simlib.storage.store",
    "sensitivity": "simlib.analysis.sensitivity",
    "ranking": "simlib.analysis.sensitivity",
    "plot_sensitivity": "simlib.analysis.sensitivity",
    "robustness": None,  # the module simlib.analysis.robustness
    "check_findings": "simlib.analysis.findings",
    "resolve_reps": "simlib.analysis.findings",
    "results_frame": "simlib.analysis.findings",
    "save_validation": "simlib.analysis.findings",
    "plot_finding": "simlib.analysis.findings.report",
    # presentation
    "plots": None,  # the module simlib.present.plots
    "briefing": None,  # the module simlib.present.briefing
    "report": None,  # the module simlib.present.report
    "uncertainty": None,  # the module simlib.present.uncertainty
    "paired_table": "simlib.present.tables",
    "final_workforce": "simlib.present.snapshot",
    "Explorer": "simlib.present.explorer",
    "process_pool": "simlib.present.explorer",
    "locate": "simlib.storage.paths",
    "pilot_section_from": "simlib.present.pilot_page",
}
_MODULES = {
    "robustness": "simlib.analysis.robustness",
    "plots": "simlib.present.plots",
    "briefing": "simlib.present.briefing",
    "report": "simlib.present.report",
    "uncertainty": "simlib.present.uncertainty",
}

__all__ = [
    "Explorer",
    "Results",
    "Scenario",
    "ScenarioError",
    "__version__",
    "briefing",
    "check_findings",
    "compare",
    "final_workforce",
    "load_scenario",
    "locate",
    "paired_table",
    "pilot_section_from",
    "plot_finding",
    "plot_sensitivity",
    "plots",
    "process_pool",
    "ranking",
    "read_manifest",
    "report",
    "resolve_reps",
    "results_frame",
    "robustness",
    "run_sweep",
    "save_validation",
    "sensitivity",
    "simulate",
    "uncertainty",
]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = import_module(_MODULES[name])
        globals()[name] = value
        return value
    if name in _PUBLIC:
        value = getattr(import_module(str(_PUBLIC[name])), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
