"""Models: what an experiment runs for one policy, variant and replication.

A *model* is anything with the :class:`Model` interface: :class:`ScenarioModel` runs
:func:`simlib.engine.simulation.simulate`; :class:`FunctionModel` wraps a plain function of
keyword parameters returning a mapping of outcomes (as in EMA Workbench), e.g. an analytic
test function for checking sensitivity indices.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario
from simlib.state.streams import stream
from simlib.storage.store import plain


class Model(Protocol):
    """What a sweep needs from a model.

    ``policies`` are the policy names the model knows (or None if any name goes);
    ``describe()`` is recorded in the manifest and decides whether a folder can be resumed;
    ``prepare(parameters)`` turns one variant's parameters into what the model runs on (for a
    scenario model: the validated scenario); calling the model runs one policy of one
    variant for one replication and returns tidy records ``week, metric, value`` (a
    DataFrame, or a mapping of those three names to equal-length sequences).
    """

    policies: list[str] | None

    def describe(self) -> dict[str, Any]: ...

    def prepare(self, parameters: Mapping[str, Any]) -> Any: ...

    def __call__(
        self, prepared: Any, policy: str, seed: int, rep: int
    ) -> pd.DataFrame | Mapping[str, Any]: ...


class ScenarioModel:
    """:func:`simlib.simulate` on a scenario with the variant's dotted-path overrides.

    Integer fields (``environment.years`` ...) receive rounded values, so a design can treat
    every factor as continuous. With ``allow_large`` the per-simulation resource guard is
    skipped (set it when the whole experiment has been checked).
    """

    def __init__(
        self, scenario: Scenario | str | Path | dict[str, Any], allow_large: bool = False
    ) -> None:
        self.scenario = load_scenario(scenario)
        self.allow_large = allow_large
        self.policies: list[str] | None = list(self.scenario.policies)
        self._resolved = self.scenario.to_dict()

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "simlib.simulate",
            "scenario_name": self.scenario.name,
            "scenario_hash": self.scenario.hash,
        }

    def is_integer(self, path: str) -> bool:
        node: Any = self._resolved
        for part in path.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return False
        return isinstance(node, int) and not isinstance(node, bool)

    def overrides(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """The scenario overrides of one variant (integer fields rounded half up)."""
        out: dict[str, Any] = {}
        for path, value in parameters.items():
            if isinstance(value, (float, np.floating)) and self.is_integer(path):
                value = int(math.floor(float(value) + 0.5))
            elif isinstance(value, np.generic):
                value = value.item()
            out[path] = value
        return out

    def prepare(self, parameters: Mapping[str, Any]) -> Scenario:
        """The validated scenario of one variant."""
        if not parameters:
            return self.scenario
        return load_scenario(self.scenario, overrides=self.overrides(parameters))

    def __call__(self, prepared: Scenario, policy: str, seed: int, rep: int) -> pd.DataFrame:
        from simlib.engine.simulation import simulate

        frame = simulate(prepared, policy, seed=seed, rep=rep, allow_large=self.allow_large)
        return frame[["week", "metric", "value"]]


class FunctionModel:
    """A plain function of keyword parameters returning ``{outcome: value}``.

    The function receives the variant's parameters (plus ``constants``) as keyword
    arguments, and also ``policy``, ``seed``, ``rep`` or ``rng`` (a generator from the
    replication's ``"model"`` stream) if its signature asks for them. Outcomes are recorded
    at week 0. The function must be importable (defined at module level) to run in other
    processes.

    Parameters
    ----------
    function
        ``f(**parameters) -> Mapping[str, float]``.
    policies
        Names passed as ``policy=`` (default: one policy called ``"model"``).
    constants
        Fixed keyword arguments.
    """

    def __init__(
        self,
        function: Callable[..., Mapping[str, float]],
        policies: Sequence[str] | None = None,
        constants: Mapping[str, Any] | None = None,
    ) -> None:
        self.function = function
        self.policies: list[str] | None = list(policies) if policies else ["model"]
        self.constants = dict(constants or {})
        self._asks = set(inspect.signature(function).parameters)

    def describe(self) -> dict[str, Any]:
        name = f"{getattr(self.function, '__module__', '?')}.{self.function.__qualname__}"
        return {"kind": "function", "function": name, "constants": self.constants}

    def prepare(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        return {**self.constants, **{k: plain(v) for k, v in parameters.items()}}

    def __call__(
        self, prepared: dict[str, Any], policy: str, seed: int, rep: int
    ) -> dict[str, Any]:
        kwargs = dict(prepared)
        extras = {"policy": policy, "seed": seed, "rep": rep}
        kwargs.update({k: v for k, v in extras.items() if k in self._asks})
        if "rng" in self._asks:
            kwargs["rng"] = stream(seed, rep, "model")
        outcomes = self.function(**kwargs)
        names = list(outcomes)
        return {
            "week": np.zeros(len(names)),
            "metric": names,
            "value": np.asarray([float(outcomes[n]) for n in names], dtype=float),
        }
