"""Sensitivity indices from a finished sweep: which assumptions drive each outcome.

For every policy and metric, the outcome of each variant (its mean over replications at
the horizon) is analysed with SALib according to how the sweep was drawn:

- ``sobol`` designs: Sobol' first-order (``S1``) and total (``ST``) indices, shares of the
  outcome's variance (0–1), and with ``--second-order`` pairwise ``S2`` (factor ``"a x b"``);
- ``morris`` designs: elementary effects ``mu_star`` (mean absolute effect over the
  factor's whole range, in the metric's units), ``mu`` and ``sigma``;
- ``lhs`` designs: RBD-FAST first-order indices ``S1`` (0–1; at least 11 variants);
- ``grid`` designs: exact variance decomposition over the full grid, first-order ``S1``
  (variance of the mean outcome at each level of the assumption) and total ``ST``
  (mean variance left when every other assumption is held fixed), shares 0–1.

The result is one tidy table ``policy, metric, factor, index, value, conf`` (``conf`` is
the half-width of the bootstrap 95% interval where SALib gives one).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.analysis.outcomes import load_outcomes, variant_means
from simlib.errors import ScenarioError
from simlib.storage.design import MORRIS_LEVELS, design_from_manifest
from simlib.storage.store import read_design, read_manifest

COLUMNS = ["policy", "metric", "factor", "index", "value", "conf"]
MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "lhs": "S1", "grid": "ST"}
"""The index to rank factors by, for each design method."""


MIN_RBD_VARIANTS = 11


def grid_indices(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total variance shares of each column of a full-factorial grid.

    ``S1_i = Var(E[y | x_i]) / Var(y)`` and ``ST_i = E[Var(y | x_~i)] / Var(y)``, taken over
    the grid's points with equal weights (exact for the grid, no sampling error).
    """
    frame = pd.DataFrame(x).assign(y=np.asarray(y, dtype=float))
    total = float(frame["y"].var(ddof=0))
    k = x.shape[1]
    if total <= 0:
        return np.zeros(k), np.zeros(k)
    s1, st = np.empty(k), np.empty(k)
    for i in range(k):
        s1[i] = frame.groupby(i)["y"].mean().var(ddof=0) / total
        others = [j for j in range(k) if j != i]
        if others:
            st[i] = frame.groupby(others)["y"].var(ddof=0).mean() / total
        else:
            st[i] = 1.0
    return s1, st


def indices(
    method: str,
    problem: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    *,
    second_order: bool = False,
    seed: int = 0,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """Sensitivity indices of outcome ``y`` (one value per row of ``x``).

    Returns
    -------
    pandas.DataFrame
        Columns ``factor, index, value, conf``.
    """
    try:
        from SALib.analyze import morris, rbd_fast, sobol
    except ImportError:
        raise ScenarioError("sensitivity needs SALib; install simlib[distributed]") from None

    names = list(problem["names"])
    rows: list[dict[str, Any]] = []

    def add(index: str, values: Any, conf: Any = None) -> None:
        values = np.asarray(values, dtype=float)
        conf = np.full(len(names), np.nan) if conf is None else np.asarray(conf, dtype=float)
        for name, v, c in zip(names, values, conf, strict=True):
            rows.append({"factor": name, "index": index, "value": v, "conf": c})

    y = np.asarray(y, dtype=float)
    flat = bool(np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "sobol":
            if flat:  # no variance to apportion: no factor matters
                add("S1", np.zeros(len(names)), np.zeros(len(names)))
                add("ST", np.zeros(len(names)), np.zeros(len(names)))
            else:
                si = sobol.analyze(
                    problem,
                    y,
                    calc_second_order=second_order,
                    num_resamples=num_resamples,
                    seed=seed,
                )
                add("S1", si["S1"], si["S1_conf"])
                add("ST", si["ST"], si["ST_conf"])
                if second_order:  # pairwise interactions, one row per pair of factors
                    for i, j in zip(*np.triu_indices(len(names), 1), strict=True):
                        rows.append(
                            {
                                "factor": f"{names[i]} x {names[j]}",
                                "index": "S2",
                                "value": float(si["S2"][i, j]),
                                "conf": float(si["S2_conf"][i, j]),
                            }
                        )
        elif method == "morris":
            si = morris.analyze(
                problem, x, y, num_resamples=num_resamples, num_levels=MORRIS_LEVELS, seed=seed
            )
            add("mu_star", si["mu_star"], si["mu_star_conf"])
            add("mu", si["mu"])
            add("sigma", si["sigma"])
        elif method == "grid":
            s1, st = grid_indices(x, y)
            add("S1", s1)
            add("ST", st)
        elif method == "lhs":
            if len(y) < MIN_RBD_VARIANTS:
                raise ScenarioError(
                    f"{len(y)} variants are too few for RBD-FAST indices; sweep at least "
                    f"{MIN_RBD_VARIANTS} (--samples)"
                )
            if flat:
                add("S1", np.zeros(len(names)), np.zeros(len(names)))
            else:
                harmonics = min(10, (len(y) - 1) // 2)
                si = rbd_fast.analyze(
                    problem, x, y, M=harmonics, num_resamples=num_resamples, seed=seed
                )
                add("S1", si["S1"], si["S1_conf"])
        else:
            raise ScenarioError(f"no sensitivity analysis for design method {method!r}")
    return pd.DataFrame(rows, columns=["factor", "index", "value", "conf"])


def sensitivity(
    out_dir: str | Path,
    metrics: Sequence[str] | None = None,
    policies: Sequence[str] | None = None,
    *,
    seed: int = 0,
    num_resamples: int = 100,
    versus: str | None = None,
) -> pd.DataFrame:
    """Sensitivity indices per policy and metric from a finished sweep folder.

    Parameters
    ----------
    out_dir
        A folder written by :func:`simlib.experiments.sweep.run_sweep`, with every task
        finished (read through :mod:`simlib.storage.store`).
    metrics, policies
        Restrict the analysis (default: every metric recorded, derived ones included, and
        every policy).
    seed, num_resamples
        For SALib's bootstrap confidence intervals.
    versus
        Analyse each other policy's *difference* from this policy, variant by variant
        (paired by common random numbers), instead of each policy's level: the assumptions
        that move the gap between policies are the ones that can change a recommendation.
        Rows are then labelled ``"policy - versus"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``policy, metric, factor, index, value, conf``. Metrics with a missing
        value in some variant are left out and listed in ``.attrs["skipped"]``.
    """
    manifest = read_manifest(out_dir)
    design = design_from_manifest(manifest, read_design(out_dir))
    means = variant_means(load_outcomes(out_dir))
    available = list(means.columns)
    chosen_policies = list(policies or manifest["policies"])
    for p in [*chosen_policies, *([versus] if versus else [])]:
        if p not in manifest["policies"]:
            raise ScenarioError(
                f"policy {p!r} is not in this sweep; swept: {', '.join(manifest['policies'])}"
            )
    chosen_metrics = list(metrics or available)
    for m in chosen_metrics:
        if m not in available:
            raise ScenarioError(
                f"metric {m!r} is not in this sweep; recorded: {', '.join(available)}"
            )
    x = design.variants.to_numpy(dtype=float)
    frames, skipped = [], []
    reference = means.xs(versus, level="policy").reindex(range(len(x))) if versus else None
    for policy in chosen_policies:
        if policy == versus:
            continue
        table = means.xs(policy, level="policy").reindex(range(len(x)))
        if reference is not None:
            table = table - reference
            policy = f"{policy} - {versus}"
        for metric in chosen_metrics:
            y = table[metric].to_numpy(dtype=float)
            if not np.isfinite(y).all():
                skipped.append(f"{policy}/{metric}")
                continue
            out = indices(
                design.method,
                design.problem,
                x,
                y,
                second_order=design.second_order,
                seed=seed,
                num_resamples=num_resamples,
            )
            out.insert(0, "metric", metric)
            out.insert(0, "policy", policy)
            frames.append(out)
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    result.attrs["method"] = design.method
    result.attrs["main_index"] = MAIN_INDEX[design.method]
    result.attrs["skipped"] = skipped
    return result[COLUMNS]


def ranking(table: pd.DataFrame, index: str | None = None) -> pd.DataFrame:
    """Factors by importance: one row per policy, metric and factor, largest first."""
    index = index or table.attrs.get("main_index", "ST")
    main = table[table["index"] == index]
    return main.sort_values(["policy", "metric", "value"], ascending=[True, True, False])


def plot_sensitivity(
    table: pd.DataFrame,
    metrics: Sequence[str] | None = None,
    index: str | None = None,
    *,
    ncols: int = 2,
) -> Any:
    """Bar charts of one index per factor: one panel per metric, one bar group per policy.

    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    index = index or table.attrs.get("main_index", "ST")
    data = table[table["index"] == index]
    metrics = list(metrics or dict.fromkeys(data["metric"]))
    policies = list(dict.fromkeys(data["policy"]))
    factors = list(dict.fromkeys(data["factor"]))
    ncols = max(1, min(ncols, len(metrics)))
    nrows = max(1, -(-len(metrics) // ncols))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(6.0 * ncols, 0.8 + (0.35 * len(factors) * len(policies) + 1.0) * nrows),
        squeeze=False,
    )
    height = 0.8 / max(1, len(policies))
    pos = np.arange(len(factors))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        sub = data[data["metric"] == metric]
        for i, policy in enumerate(policies):
            rows = sub[sub["policy"] == policy].set_index("factor").reindex(factors)
            err = rows["conf"].to_numpy(dtype=float)
            ax.barh(
                pos + i * height,
                rows["value"].to_numpy(dtype=float),
                height,
                xerr=np.where(np.isfinite(err), err, 0.0),
                label=policy,
            )
        ax.set_yticks(pos + height * (len(policies) - 1) / 2, factors)
        ax.invert_yaxis()
        ax.set_title(metric)
        ax.set_xlabel(index)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=len(policies), fontsize="small")
    fig.tight_layout(rect=(0, 0.06 if nrows == 1 else 0.03, 1, 1))
    return fig
