"""Model speed: the full model and the Scullen design, in seconds and against bare numpy.

Prints figures; it is not a test (machines are noisy). For every shipped policy of
``scenarios/policy_showdown.yaml`` at 500, 10,000 and 100,000 employees x 5 years (above
500 with ``hiring.recruiters: null``, as the shipped two recruiters cannot keep up with a
large organization's vacancies), and at 1,000,000 employees x 10 years: seconds per
simulation, agent-weeks a second, peak memory and simulations a second; then the Scullen
et al. (2005) design at 10,000 employees x 30 years. Every case is also stated as a ratio
to a bare numpy loop of the same size (``engine_speed.bare_numpy_scullen``: quit, rate,
fire, hire once a year) timed in the same run, a figure that travels between machines.

Each case runs in a fresh process on one core (BLAS threads set to one), after a warm-up
on a small copy, so its peak memory is its own and first-call costs are not counted.
Seconds are CPU seconds of that process, the best of a few runs: on an idle machine they
equal the wall clock, and on a machine shared with other work they are what the run costs
one core (the wall clock of the same run is printed beside them). The first run of a case
also solves the turnover anchor (the quit hazard's intercept, solved once per scenario and
process; see ``simlib.engine.turnover_anchor``), which the best of several runs leaves out:
its CPU seconds are printed apart ("first run"). A case run once (1,000,000 x 10 years)
counts the solve in its seconds.

    python benchmarks/model_speed.py                      # everything, about 10 minutes
    python benchmarks/model_speed.py --sizes 500 10000    # some sizes only
    python benchmarks/model_speed.py --no-million --no-scullen
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
WEEKS_PER_YEAR = 52
SHOWDOWN = ROOT / "scenarios" / "policy_showdown.yaml"
SCULLEN = ROOT / "scenarios" / "scullen2005.yaml"
ONE_CORE = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def _run(kind: str, path: str, policy: str, n: int, years: int, repeat: int, queue) -> None:
    """One case in this (fresh) process: best wall time, its CPU time, peak memory."""
    if kind == "bare":
        from engine_speed import bare_numpy_scullen

        bare_numpy_scullen(1_000, 2)  # warm-up
        run = lambda: bare_numpy_scullen(n, years)  # noqa: E731
    else:
        import simlib

        overrides: dict = {"organization.headcount": n, "environment.years": years}
        if kind == "showdown" and n > 500:
            overrides["hiring.recruiters"] = None
        scenario = simlib.load_scenario(path, overrides=overrides)
        small = {"organization.headcount": 100, "environment.years": 1}
        simlib.simulate(simlib.load_scenario(scenario, overrides=small), policy, seed=0)
        run = lambda: simlib.simulate(scenario, policy, seed=1, allow_large=True)  # noqa: E731
    best = (float("inf"), 0.0)
    first = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        took = (time.process_time() - cpu, time.perf_counter() - wall)
        first = took[0] if first is None else first
        best = min(best, took)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((best[0], best[1], peak_mb, first))


def measure(kind: str, path: Path | None, policy: str, n: int, years: int, repeat: int):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(
        target=_run, args=(kind, str(path) if path else "", policy, n, years, repeat, queue)
    )
    proc.start()
    result = queue.get()
    proc.join()
    return result


def repeats(n: int) -> int:
    return 20 if n <= 500 else 5 if n <= 10_000 else 2 if n <= 100_000 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[500, 10_000, 100_000])
    parser.add_argument("--policies", nargs="*", default=None)
    parser.add_argument("--no-million", action="store_true", help="skip 1,000,000 x 10 years")
    parser.add_argument("--no-scullen", action="store_true", help="skip the Scullen ratio")
    args = parser.parse_args()
    os.environ.update(ONE_CORE)  # inherited by the spawned cases

    import simlib

    policies = args.policies or simlib.load_scenario(SHOWDOWN).policy_names
    cases = [(n, 5) for n in args.sizes]
    if not args.no_million:
        cases.append((1_000_000, 10))
    print(f"one core per case; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print(
        "| employees x years | policy | seconds (wall) | first run | M agent-weeks/s "
        "| simulations/s | x bare numpy | peak MB |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    bare: dict[tuple[int, int], float] = {}
    for n, years in cases:
        bare[n, years] = measure("bare", None, "", n, years, repeats(n))[0]
        for policy in policies:
            cpu, wall, peak, first = measure("showdown", SHOWDOWN, policy, n, years, repeats(n))
            rate = n * years * WEEKS_PER_YEAR / cpu / 1e6
            print(
                f"| {n:,} x {years} | {policy} | {cpu:.3f} ({wall:.3f}) | {first:.3f} "
                f"| {rate:.1f} | {1 / cpu:.1f} | {cpu / bare[n, years]:.1f} | {peak:,.0f} |",
                flush=True,
            )
        print(
            f"| {n:,} x {years} | bare numpy loop | {bare[n, years]:.3f} | | "
            f"{n * years * WEEKS_PER_YEAR / bare[n, years] / 1e6:.1f} | | 1.0 | |",
            flush=True,
        )
    if not args.no_scullen:
        n, years = 10_000, 30
        engine = measure("scullen", SCULLEN, "forced_distribution", n, years, 10)
        loop = measure("bare", None, "", n, years, 10)[0]
        print(
            f"\nScullen et al. (2005) design, {n:,} x {years} years: engine {engine[0]:.3f} s, "
            f"bare numpy loop {loop:.3f} s: {engine[0] / loop:.2f}x (target at most 2x)"
        )


if __name__ == "__main__":
    main()
