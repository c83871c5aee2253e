"""Sweeps over the uncertain assumptions: designs of scenario variants, and running them.

Only what we are unsure of is swept: ``behaviour.*`` (how people respond) and
``environment.*`` (the world around the organization). Policy levers are compared as
policies, and the organization and its hiring are fixed by the scenario.

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
when simulated. Every variant is validated as a scenario before anything runs.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import simlib.scenario.dotted as dotted
import simlib.scenario.fields as fields
from simlib.errors import ScenarioError
from simlib.experiments.runner import Model, RunSummary, ScenarioModel, run_experiment
from simlib.scenario.definition import Scenario

SWEEPABLE = ("behaviour", "environment")
METHODS = ("grid", "lhs", "sobol", "morris")
MORRIS_LEVELS = 4
DEFAULT_SAMPLES = {"grid": 5, "lhs": 50, "sobol": 64, "morris": 10}
"""``--samples`` when not given, by method."""
MAX_VARIANTS = 1_000_000


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
        How the variants were drawn (see the module docs).
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


def parse_vary(text: str) -> Factor:
    """Parse ``path=low:high`` (e.g. ``behaviour.voluntary_quit_rate=0.05:0.2``)."""
    path, sep, rng = text.partition("=")
    path = path.strip()
    low_text, colon, high_text = rng.partition(":")
    if not sep or not colon or not path:
        raise ScenarioError(
            f"--vary {text!r}: write it as path=low:high, e.g. "
            "behaviour.voluntary_quit_rate=0.05:0.2"
        )
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise ScenarioError(f"--vary {text!r}: low and high must be numbers") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ScenarioError(f"--vary {path}: low and high must be finite numbers")
    if not low < high:
        raise ScenarioError(f"--vary {path}: low ({low:g}) must be below high ({high:g})")
    return Factor(path, low, high)


def check_factors(scenario: Scenario, factors: Sequence[Factor]) -> None:
    """Refuse factors that are not numeric ``behaviour.*``/``environment.*`` assumptions.

    Raises
    ------
    ScenarioError
        Naming the path, with a suggestion for a misspelt one, or the allowed range of the
        field if ``low`` or ``high`` falls outside it.
    """
    if not factors:
        raise ScenarioError("a sweep needs at least one --vary path=low:high")
    seen: set[str] = set()
    model = ScenarioModel(scenario)
    for f in factors:
        if dotted.split(f.path)[0] not in SWEEPABLE:
            raise ScenarioError(
                f"--vary {f.path}: only the uncertain assumptions behaviour.* and "
                "environment.* can be swept; compare levers as policies and set the "
                "organization with --set"
            )
        if f.path in seen:
            raise ScenarioError(f"--vary {f.path}: given twice")
        seen.add(f.path)
        try:
            record = fields.find(scenario, f.path)
        except dotted.PathError as exc:
            better = exc.suggestion()
            hint = f"; did you mean {better!r}?" if better else ""
            where = exc.where or "the scenario"
            raise ScenarioError(f"--vary {f.path}: {where} has no {exc.key!r}{hint}") from None
        node = record.value
        if isinstance(node, bool) or not isinstance(node, (int, float)):
            shown = "dict" if record.kind == "model" and node is not None else type(node).__name__
            raise ScenarioError(
                f"--vary {f.path}: is not a number (it is {shown}); only "
                "numeric assumptions can be swept"
            )
        for value in (f.low, f.high):
            model.prepare({f.path: value})


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


def validate_variants(
    model: ScenarioModel,
    design: Design,
    *,
    policies: Sequence[str] | None = None,
    reps: int = 1,
    workers: int = 1,
    allow_large: bool = True,
) -> None:
    """Load every variant as a scenario, and estimate the cost of the whole sweep.

    Raises
    ------
    ScenarioError
        For the first variant that is not a valid scenario.
    simlib.experiments.guards.ResourceLimitError
        Unless ``allow_large``: if the sweep is estimated to need more time or memory than
        this machine allows (the estimates of :mod:`simlib.experiments.guards`, summed over variants;
        results stream to disk, so memory is the workers' simulations only).
    """
    from simlib.experiments import guards

    seconds, worst_bytes = 0.0, 0.0
    for i, row in enumerate(design.variants.itertuples(index=False)):
        params = dict(zip(design.variants.columns, row, strict=True))
        try:
            variant = model.prepare(params)
        except ScenarioError as exc:
            values = ", ".join(f"{k}={v:g}" for k, v in params.items())
            raise ScenarioError(
                [f"variant {i} ({values}) is not a valid scenario:", *exc.messages]
            ) from None
        if not allow_large:
            seconds += guards.estimate_resources(
                variant, reps, list(policies or []), workers
            ).seconds
            worst_bytes = max(worst_bytes, guards.simulation_bytes(variant))
    if allow_large:
        return
    peak = guards.BYTES_BASE + max(1, workers) * worst_bytes
    problems = []
    if peak > guards.MEMORY_SHARE * guards.available_memory():
        problems.append(
            f"about {guards.format_bytes(peak)} of memory "
            f"({guards.format_bytes(guards.available_memory())} available)"
        )
    if seconds > guards.max_seconds():
        problems.append(
            f"about {guards.format_duration(seconds)} on {workers} worker(s) "
            f"(limit {guards.format_duration(guards.max_seconds())}, SIMLIB_MAX_HOURS)"
        )
    if problems:
        raise guards.ResourceLimitError(
            f"sweep too large for this machine: {len(design.variants):,} variants x "
            f"{len(policies or [])} policies x {reps:,} replications need "
            + " and ".join(problems)
            + "; reduce --samples, --reps or the ranges, or pass --force (allow_large=True) "
            "to run anyway"
        )


def run_design(
    model: Model,
    design: Design,
    out_dir: str | Path,
    *,
    policies: Sequence[str] | None = None,
    reps: int = 1,
    seed: int = 0,
    executor: Executor | None = None,
    task_size: int = 1,
    progress: bool = False,
    extra: dict[str, Any] | None = None,
) -> RunSummary:
    """Run any model (e.g. a :class:`~simlib.experiments.runner.FunctionModel`) over a design.

    The folder records the design, so :func:`simlib.analysis.sensitivity.sensitivity` and the
    robustness functions can read it like a scenario sweep.
    """
    return run_experiment(
        model,
        out_dir,
        design=design.variants,
        policies=policies,
        reps=reps,
        seed=seed,
        executor=executor,
        task_size=task_size,
        progress=progress,
        extra={"sweep": design.to_manifest(), **(extra or {})},
    )


def run_sweep(
    scenario: Scenario | str | Path | dict[str, Any],
    design: Design,
    out_dir: str | Path,
    *,
    policies: Sequence[str] | None = None,
    reps: int | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    allow_large: bool = False,
) -> RunSummary:
    """Simulate every policy on every variant of ``design`` and stream results to disk.

    Replication ``r`` uses the same random streams in every variant and for every policy.
    Running the same sweep into the same folder again resumes it.

    Parameters
    ----------
    scenario
        The base scenario; each variant overrides the design's paths.
    design
        From :func:`make_design`.
    out_dir
        The sweep folder (see :mod:`simlib.experiments.runner` for its layout).
    policies, reps, seed
        Default: the scenario's ``experiment`` settings.
    executor
        Any ``concurrent.futures.Executor``; default in this process.
    allow_large
        Run even if the resource guard estimates more time or memory than this machine
        allows (see :func:`validate_variants`).
    """
    from simlib.experiments.runner import executor_workers

    model = ScenarioModel(scenario, allow_large=True)  # the sweep as a whole is checked here
    base = model.scenario
    check_factors(base, design.factors)
    policies = list(policies or base.policy_names)
    unknown = [p for p in policies if p not in base.policies]
    if unknown:
        raise ScenarioError(f"unknown policies {unknown}; declared: {', '.join(base.policies)}")
    reps = base.experiment.reps if reps is None else int(reps)
    workers = executor_workers(executor) if executor is not None else 1
    validate_variants(
        model, design, policies=policies, reps=reps, workers=workers, allow_large=allow_large
    )
    return run_design(
        model,
        design,
        out_dir,
        policies=policies,
        reps=reps,
        seed=base.experiment.seed if seed is None else int(seed),
        executor=executor,
        progress=progress,
        extra={"baseline": base.baseline if base.baseline in policies else policies[0]},
    )


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


def sweep_scenario(
    scenario: Scenario | str | Path | dict[str, Any],
    vary: Sequence[str | Factor] | Mapping[str, Sequence[float]],
    out_dir: str | Path,
    *,
    samples: int | None = None,
    method: str = "lhs",
    policies: Sequence[str] | None = None,
    reps: int | None = None,
    seed: int | None = None,
    overrides: dict[str, Any] | None = None,
    jobs: int | None = None,
    dask: str | None = None,
    progress: bool = False,
    allow_large: bool = False,
) -> tuple[Design, RunSummary]:
    """Everything ``simlib sweep`` does, as one call (for notebooks and scripts).

    Parameters
    ----------
    scenario
        The base scenario (a Scenario, a YAML path or a mapping).
    vary
        ``{"path": [low, high], ...}``, or ``"path=low:high"`` strings or :class:`Factor`
        objects.
    out_dir
        The sweep folder; the same call again resumes an interrupted sweep.
    samples, method
        The design (see the module docs).
    policies, reps, seed
        Default: the scenario's ``experiment`` settings; the seed also seeds the design.
    overrides
        Dotted-path overrides of the base scenario.
    jobs, dask
        Worker processes (default all cores; 1 runs in this process) and an optional Dask
        cluster (``"local"`` or ``"tcp://HOST:PORT"``).
    allow_large
        Run even if the resource guard refuses the sweep.

    Returns
    -------
    (Design, RunSummary)
    """
    from simlib.experiments.runner import open_executor
    from simlib.scenario.loading import load_scenario

    base = load_scenario(scenario, overrides=overrides)
    if isinstance(vary, Mapping):
        factors = [_factor_from_range(path, bounds) for path, bounds in vary.items()]
    else:
        factors = [v if isinstance(v, Factor) else parse_vary(v) for v in vary]
    check_factors(base, factors)
    seed = base.experiment.seed if seed is None else int(seed)
    design = make_design(factors, samples, method, seed=seed)
    with open_executor(jobs, dask) as executor:
        summary = run_sweep(
            base,
            design,
            out_dir,
            policies=policies,
            reps=reps,
            seed=seed,
            executor=executor,
            progress=progress,
            allow_large=allow_large,
        )
    return design, summary


def _factor_from_range(path: str, bounds: Sequence[float]) -> Factor:
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ScenarioError(f"vary {path}: give [low, high], got {bounds!r}") from None
    return parse_vary(f"{path}={low!r}:{high!r}")
