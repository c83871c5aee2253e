"""Resource guard calibration: the guard's estimate of time and memory against measurement.

Prints, per case, the measured seconds and peak memory of one simulation (each in a fresh
process) beside :func:`simlib.engine.guards.estimate_resources`, and the ratio. The guard is
meant to be right within a factor of about two; a ratio far outside 0.5–2 means the
constants in ``simlib/guards.py`` need measuring again. Not a test: machines are noisy.

    python benchmarks/guard_calibration.py
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time

CASES = [
    ("scullen 10k x 30y", "scenarios/scullen2005.yaml", {"organization.headcount": 10_000}),
    (
        "scullen 100k x 10y",
        "scenarios/scullen2005.yaml",
        {"organization.headcount": 100_000, "environment.years": 10},
    ),
    ("baseline 500 x 5y", "scenarios/baseline.yaml", {}),
    ("baseline 5k x 5y", "scenarios/baseline.yaml", {"organization.headcount": 5_000}),
    (
        "baseline 20k, unlimited recruiters",
        "scenarios/baseline.yaml",
        {"organization.headcount": 20_000, "hiring.recruiters": None, "environment.years": 2},
    ),
    (
        "baseline 2k, quarterly reviews, weekly quits",
        "scenarios/baseline.yaml",
        {
            "organization.headcount": 2_000,
            "environment.weeks_per_cycle": 13,
            "environment.exit_check_weeks": 1,
        },
    ),
    (
        "baseline 100k, 1,000 applicants per hire",
        "scenarios/baseline.yaml",
        {
            "organization.headcount": 100_000,
            "hiring.selection_ratio": 0.001,
            "environment.years": 1,
        },
    ),
]


def _measure(path: str, overrides: dict, queue: mp.Queue) -> None:
    import simlib

    scenario = simlib.load_scenario(path, overrides=overrides)
    policy = scenario.policy_names[-1]
    # Warm up (lazy imports, first-call costs) on a small copy: the guard estimates runs of
    # many simulations, where those costs are paid once.
    small = {"organization.headcount": 100, "environment.years": 1}
    simlib.simulate(
        simlib.load_scenario(scenario, overrides=small), policy, seed=0, check_invariants=False
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    simlib.simulate(scenario, policy, seed=0, allow_large=True, check_invariants=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    queue.put((policy, seconds, before, peak))


def main() -> None:
    import simlib
    from simlib.engine.guards import BYTES_BASE, estimate_resources, format_bytes

    print(f"{'case':44s} {'measured':>9s} {'estimate':>9s} {'ratio':>6s}   memory (est / meas)")
    for label, path, overrides in CASES:
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        proc = ctx.Process(target=_measure, args=(path, overrides, queue))
        proc.start()
        policy, seconds, before, peak = queue.get()
        proc.join()
        scenario = simlib.load_scenario(path, overrides=overrides)
        est = estimate_resources(scenario, reps=1, policies=[policy])
        state = est.peak_bytes - BYTES_BASE
        print(
            f"{label:44s} {seconds:8.2f}s {est.seconds:8.2f}s {est.seconds / seconds:6.2f}   "
            f"{format_bytes(state)} / {format_bytes(max(peak - before, 1))} beyond start-up "
            f"(peak {format_bytes(peak)})",
            flush=True,
        )


if __name__ == "__main__":
    main()
