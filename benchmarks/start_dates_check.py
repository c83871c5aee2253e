"""Start dates: do hires starting on monthly start dates change what the model reports?

``hiring.start_date_weeks`` (default 4) lets hires start on the start date nearest the end
of their search instead of in the week it ends (1, the weekly rhythm of before): fewer
hiring events, so a faster simulation, and a deliberate change of when people join. This
script runs the same replications under both and compares the headline metrics (each
replication's mean over its reviews): for every policy and metric, the difference of the
means and its standard error (independent samples, and paired: both runs of a replication
share its random draws). A difference beyond 2 standard errors is flagged.

The Scullen et al. (2005) design replaces leavers at once (``time_to_fill_weeks: 0``): it
has no searches, so start dates cannot move it, and its differences are exactly 0.

    python benchmarks/start_dates_check.py              # 30 replications, about a minute
    python benchmarks/start_dates_check.py --reps 10
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

import simlib
from simlib.present.plots import HEADLINE_METRICS

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = {
    "policy_showdown": ROOT / "scenarios" / "policy_showdown.yaml",
    "scullen2005": ROOT / "scenarios" / "scullen2005.yaml",
}


def rep_means(path: Path, start_date_weeks: int, reps: int) -> dict[tuple[str, str], np.ndarray]:
    """Each (policy, metric)'s mean over the reviews, one value per replication."""
    scenario = simlib.load_scenario(path, overrides={"hiring.start_date_weeks": start_date_weeks})
    out: dict[tuple[str, str], list[float]] = {}
    for policy in scenario.policy_names:
        for rep in range(reps):
            frame = simlib.simulate(scenario, policy, scenario.experiment.seed, rep)
            reviews = frame[(frame["week"] > 0) & frame["metric"].isin(HEADLINE_METRICS)]
            means = reviews.groupby("metric")["value"].mean()
            for metric, value in means.items():
                out.setdefault((policy, str(metric)), []).append(float(value))
    return {key: np.array(values) for key, values in out.items()}


def compare(name: str, reps: int) -> int:
    """Print the comparison of one design; returns how many differences exceed 2 SE."""
    weekly = rep_means(DESIGNS[name], 1, reps)
    monthly = rep_means(DESIGNS[name], 4, reps)
    print(f"\n{name}: {reps} replications, start dates every week (1) and every 4 weeks (4)")
    print(
        f"{'policy':22s}{'metric':22s}{'mean 1':>11s}{'mean 4':>11s}{'diff':>10s}"
        f"{'SE':>9s}{'diff/SE':>9s}{'paired':>9s}"
    )
    flagged = 0
    for key in sorted(weekly):
        a, b = weekly[key], monthly.get(key)
        if b is None or len(a) != len(b) or len(a) < 2:
            continue
        diff = float(b.mean() - a.mean())
        se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        paired_se = float((b - a).std(ddof=1) / math.sqrt(len(a)))
        z = diff / se if se > 0 else 0.0
        zp = diff / paired_se if paired_se > 0 else 0.0
        mark = "  <- beyond 2 SE" if abs(z) > 2 else ""
        flagged += abs(z) > 2
        print(
            f"{key[0]:22s}{key[1]:22s}{a.mean():11.4g}{b.mean():11.4g}{diff:10.3g}"
            f"{se:9.3g}{z:9.2f}{zp:9.2f}{mark}"
        )
    return flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    flagged = sum(compare(name, args.reps) for name in DESIGNS)
    print(f"\n{flagged} difference(s) beyond 2 SE (independent samples)")


if __name__ == "__main__":
    main()
