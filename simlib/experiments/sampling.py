"""Sampling designs: which scenario variants a sweep simulates.

Designs (``--samples N``):

``grid``
    ``N`` evenly spaced levels per factor, every combination: ``N ** k`` variants.
``lhs``
    ``N`` variants by Latin hypercube sampling (SALib).
``sobol``
    Saltelli's extension of Sobol' sequences (SALib): ``N * (k + 2)`` variants, or
    ``N * (2k + 2)`` with second-order indices; ``N`` must be a power of 2.
``morris``
    ``N`` Morris trajectories on a 4-level grid (SALib): ``N * (k + 1)`` variants.

Integer assumptions (e.g. ``environment.years``) are sampled as continuous and rounded
when simulated.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from simlib.errors import ScenarioError
from simlib.storage.design import MORRIS_LEVELS, Design, Factor

METHODS = ("grid", "lhs", "sobol", "morris")
DEFAULT_SAMPLES = {"grid": 5, "lhs": 50, "sobol": 64, "morris": 10}
"""``--samples`` when not given, by method."""
MAX_VARIANTS = 1_000_000


def make_design(
    factors: Sequence[Factor],
    samples: int | None = None,
    method: str = "lhs",
    seed: int = 0,
    *,
    second_order: bool = False,
) -> Design:
    """Draw the scenario variants of a sweep.

    Parameters
    ----------
    factors
        The swept assumptions and their ranges.
    samples
        Levels per factor (grid), variants (lhs), base samples (sobol, a power of 2) or
        trajectories (morris); see the module docs for the resulting number of variants.
        Default: :data:`DEFAULT_SAMPLES` for the method.
    method
        ``grid``, ``lhs``, ``sobol`` or ``morris``.
    seed
        Seeds the sampler (the same seed gives the same design).
    second_order
        Sobol only: also allow second-order indices (about twice the variants).
    """
    try:
        from SALib.sample import latin, morris
        from SALib.sample import sobol as saltelli
    except ImportError:
        raise ScenarioError("sweep designs need SALib; install simlib[distributed]") from None

    if method not in METHODS:
        close = difflib.get_close_matches(method, METHODS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ScenarioError(f"--method {method!r}: allowed {', '.join(METHODS)}{hint}")
    factors = list(factors)
    k = len(factors)
    samples = DEFAULT_SAMPLES[method] if samples is None else int(samples)
    if samples < 1:
        raise ScenarioError(f"--samples {samples}: out of range; allowed at least 1")
    counts = {
        "grid": samples**k,
        "lhs": samples,
        "sobol": samples * (2 * k + 2 if second_order else k + 2),
        "morris": samples * (k + 1),
    }
    if counts[method] > MAX_VARIANTS:
        raise ScenarioError(
            f"--samples {samples}: {method} over {k} factors gives {counts[method]:,} variants; "
            f"allowed at most {MAX_VARIANTS:,}"
        )
    design = Design(method, samples, seed, factors, pd.DataFrame(), second_order)
    problem = design.problem
    if method == "grid":
        if samples < 2:
            raise ScenarioError("--samples: a grid needs at least 2 levels per factor")
        levels = [np.linspace(f.low, f.high, samples) for f in factors]
        x = np.array(list(itertools.product(*levels)), dtype=float)
    elif method == "lhs":
        x = latin.sample(problem, samples, seed=seed)
    elif method == "sobol":
        if samples & (samples - 1):
            below = 1 << (samples.bit_length() - 1)
            raise ScenarioError(
                f"--samples {samples}: sobol needs a power of 2, e.g. {below} or {below * 2}"
            )
        x = saltelli.sample(problem, samples, calc_second_order=second_order, seed=seed)
    else:
        if samples < 2:
            raise ScenarioError("--samples: morris needs at least 2 trajectories")
        x = morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
    design.variants = pd.DataFrame(np.asarray(x, dtype=float), columns=[f.path for f in factors])
    return design
