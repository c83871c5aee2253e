"""The design of a sweep, as recorded in its results folder.

A sweep's manifest holds how its variants were drawn (entry ``sweep``) and
``design.parquet`` the variants themselves; :class:`Design` is both together. Drawing a
design is :func:`simlib.experiments.sampling.make_design`; reading one back for analysis is
:func:`design_from_manifest`, without importing anything that runs experiments.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from simlib.errors import ScenarioError

MORRIS_LEVELS = 4
"""Grid levels of every Morris design (recorded in the manifest as ``morris_levels``)."""


@dataclass(frozen=True)
class Factor:
    """An uncertain assumption and the range it is swept over."""

    path: str
    low: float
    high: float


@dataclass
class Design:
    """Scenario variants to simulate, and how they were drawn.

    Attributes
    ----------
    method, samples, seed
        How the variants were drawn (see :mod:`simlib.experiments.sampling`).
    factors
        The swept assumptions.
    variants
        One row per variant, one column per factor path (values as drawn, before rounding
        of integer fields).
    second_order
        Sobol designs only: whether second-order indices can be estimated.
    """

    method: str
    samples: int
    seed: int
    factors: list[Factor]
    variants: pd.DataFrame
    second_order: bool = False

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {
            "num_vars": len(self.factors),
            "names": [f.path for f in self.factors],
            "bounds": [[f.low, f.high] for f in self.factors],
        }

    def to_manifest(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "samples": self.samples,
            "seed": self.seed,
            "second_order": self.second_order,
            "factors": [asdict(f) for f in self.factors],
            "problem": self.problem,
            "morris_levels": MORRIS_LEVELS,
        }


def design_from_manifest(manifest: dict[str, Any], variants: pd.DataFrame) -> Design:
    """Rebuild the :class:`Design` recorded in a sweep folder."""
    spec = manifest.get("sweep")
    if not spec:
        raise ScenarioError("this experiment folder was not made by a sweep (no design)")
    return Design(
        method=spec["method"],
        samples=int(spec["samples"]),
        seed=int(spec["seed"]),
        factors=[Factor(**f) for f in spec["factors"]],
        variants=variants,
        second_order=bool(spec.get("second_order", False)),
    )
