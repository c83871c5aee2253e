"""The scenario layer: what a scenario may say, with defaults and allowed ranges.

Modules inside simlib import from the module that defines a name (this package's
``__init__`` imports them all, so importing it from within would be circular):

- :mod:`~simlib.scenario.definition` — the whole :class:`Scenario` and its hash
- :mod:`~simlib.scenario.organization` — organization, environment, hiring, experiment
- :mod:`~simlib.scenario.behaviour`, :mod:`~simlib.scenario.rater_behaviour` — the
  uncertain assumptions about people
- :mod:`~simlib.scenario.policy`, :mod:`~simlib.scenario.rating` — the policy levers and
  the shipped presets (``presets/*.yaml``)
- :mod:`~simlib.scenario.loading` — safe YAML reading, overrides, :func:`load_scenario`
- :mod:`~simlib.scenario.fields` — one walker over the fields of any section
- :mod:`~simlib.scenario.dotted` — reading and writing ``dotted.paths`` in documents
- :mod:`~simlib.scenario.schema` — shared base, bounds and readable validation messages
"""

from simlib.scenario.definition import Scenario
from simlib.scenario.loading import apply_overrides, load_scenario, parse_override
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.scenario.policy import PRESETS, Policy

__all__ = [
    "PRESETS",
    "WEEKS_PER_YEAR",
    "Policy",
    "Scenario",
    "apply_overrides",
    "load_scenario",
    "parse_override",
]
