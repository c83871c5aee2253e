"""Coverage of the calibration's 90% intervals, on synthetic HR exports with known truths.

For K synthetic exports (the shipped example's organization, each simulated with its own
seed; with ``--draw`` its true values drawn too), import -> calibrate at the default budget,
then per fitted parameter: is the truth inside the posterior's 90% interval? And does the
calibrated status quo reproduce the data (voluntary turnover within 2.5 points, every grade
share within 5)? Prints one line per export, then the coverage of each parameter with its
95% Clopper-Pearson interval for K, the share of exports where every parameter was
covered, the effective sample sizes and the time. Prints figures; it is not a test.

    python benchmarks/calibration_coverage.py [--k 10] [--jobs 2] [--draw] [--csv FILE]

A well-calibrated posterior covers each parameter about 90% of the time (K = 10 cannot
tell 80% from 95%: see the binomial interval) and all P parameters together about 0.9^P.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import beta

from simlib.calibration.assumptions import INTERCEPT
from simlib.calibration.fit import (
    DEFAULT_PARTICLES,
    DEFAULT_REPS,
    DEFAULT_TRIALS,
    calibrate,
    fit_table,
)
from simlib.calibration.observed import read_observed
from simlib.cli.hr_import import import_export
from simlib.experiments.executors import open_executor
from simlib.hr.example import SEED, TRUTH, write_example
from simlib.scenario.loading import load_scenario

LEVEL = 0.90
DRAWN = {
    # the truths --draw takes: uniform in the middle of each fitted box (an interval cannot
    # cover a truth on the box's edge as often: the prior is truncated there)
    "behaviour.voluntary_quit_rate": (0.07, 0.20),
    "behaviour.exits.u_curvature": (0.04, 0.16),
    "behaviour.raters.leniency_sd": (0.3, 0.75),
    "behaviour.raters.error_sd": (0.5, 1.2),
}


def clopper_pearson(hits: int, k: int, level: float = 0.95) -> tuple[float, float]:
    tail = (1 - level) / 2
    low = 0.0 if hits == 0 else float(beta.ppf(tail, hits, k - hits + 1))
    high = 1.0 if hits == k else float(beta.ppf(1 - tail, hits + 1, k - hits))
    return low, high


def one_export(index: int, draw: bool, jobs: int, budget: dict[str, int]) -> dict[str, Any]:
    seed = SEED + 1 + index
    truth: dict[str, Any] = dict(TRUTH)
    if draw:
        rng = np.random.default_rng([seed, 0xC0])
        truth.update({p: round(float(rng.uniform(*box)), 4) for p, box in DRAWN.items()})
    with tempfile.TemporaryDirectory() as tmp:
        export, org = Path(tmp) / "export", Path(tmp) / "org"
        write_example(export, seed=seed, truth=truth)
        written, _warnings, _summary = import_export(
            export / "employees.csv", export / "reviews.csv", export / "mapping.yaml", org
        )
        scenario = load_scenario(written["organization"])
        grades = scenario.policies[scenario.baseline].rating.grades
        observed = read_observed(written["observed"], grades)
        began = time.perf_counter()
        with open_executor(jobs) as executor:
            cal = calibrate(scenario, observed, seed=index, executor=executor, **budget)
        seconds = time.perf_counter() - began
    row: dict[str, Any] = {"export": index, "seed": seed, "seconds": seconds, "ess": cal.ess}
    row["bandwidth"] = cal.bandwidth
    for a in cal.identified:
        if a.path not in truth:
            continue
        low, high = cal.interval(a.path, LEVEL)
        true = float(truth[a.path])
        row[f"{a.path}:truth"] = true
        row[f"{a.path}:low"] = low
        row[f"{a.path}:high"] = high
        row[f"{a.path}:inside"] = bool(low <= true <= high)
    table = fit_table(cal)
    pooled = table[table.cycle.isna()].set_index("moment")
    rate = float(pooled.at["voluntary_attrition", "observed"])
    shares = pooled[pooled.index.str.startswith("grade_share:")]
    row["turnover_gap"] = cal.realised_quit_rate - rate
    row["share_gap"] = float(np.abs(shares.simulated - shares.observed).max())
    row["status_quo_ok"] = bool(abs(row["turnover_gap"]) < 0.025 and row["share_gap"] < 0.05)
    return row


def summary(rows: pd.DataFrame) -> str:
    k = len(rows)
    lines = [f"{k} exports; {LEVEL:.0%} intervals", ""]
    lines.append("| Parameter | Covered | Coverage | 95% interval for K |")
    lines.append("|---|---|---|---|")
    inside_cols = [c for c in rows.columns if c.endswith(":inside")]
    for column in inside_cols:
        hits = int(rows[column].sum())
        low, high = clopper_pearson(hits, k)
        name = column.removesuffix(":inside")
        name = f"{name} (realised)" if name == INTERCEPT else name
        lines.append(f"| `{name}` | {hits}/{k} | {hits / k:.0%} | {low:.0%}-{high:.0%} |")
    every = int(rows[inside_cols].all(axis=1).sum())
    low, high = clopper_pearson(every, k)
    expected = LEVEL ** len(inside_cols)
    lines.append(
        f"| all {len(inside_cols)} together (expected {expected:.0%}) | {every}/{k} | "
        f"{every / k:.0%} | {low:.0%}-{high:.0%} |"
    )
    ok = int(rows["status_quo_ok"].sum())
    low, high = clopper_pearson(ok, k)
    lines.append(
        f"| status quo: turnover within 2.5 points, shares within 5 | {ok}/{k} | "
        f"{ok / k:.0%} | {low:.0%}-{high:.0%} |"
    )
    lines.append("")
    lines.append(
        f"effective sample size: median {rows.ess.median():.0f} (min {rows.ess.min():.0f}); "
        f"kernel bandwidth above 1 in {int((rows.bandwidth > 1).sum())} of {k}; "
        f"time per calibration: median {rows.seconds.median():.0f} s "
        f"(max {rows.seconds.max():.0f} s)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=10, help="synthetic exports (default 10)")
    parser.add_argument("--first", type=int, default=0, help="index of the first export")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--draw", action="store_true", help="draw the true values too")
    parser.add_argument("--trials", type=int, default=DEFAULT_TRIALS)
    parser.add_argument("--particles", type=int, default=DEFAULT_PARTICLES)
    parser.add_argument("--reps", type=int, default=DEFAULT_REPS)
    parser.add_argument("--csv", type=Path, help="write one row per export here")
    args = parser.parse_args(argv)
    budget = {"trials": args.trials, "particles": args.particles, "reps": args.reps}
    rows = []
    for index in range(args.first, args.first + args.k):
        row = one_export(index, args.draw, args.jobs, budget)
        rows.append(row)
        inside = {
            k.removesuffix(":inside").rsplit(".", 1)[-1]: v
            for k, v in row.items()
            if k.endswith(":inside")
        }
        print(
            f"export {index}: {row['seconds']:.0f} s, ESS {row['ess']:.0f}, inside {inside}, "
            f"turnover gap {row['turnover_gap']:+.3f}, share gap {row['share_gap']:.3f}",
            flush=True,
        )
        if args.csv is not None:
            pd.DataFrame(rows).to_csv(args.csv, index=False)
    print()
    print(summary(pd.DataFrame(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
