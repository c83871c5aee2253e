"""Sweep throughput on 1 and 2 workers, and peak memory against the number of replications.

Prints:

1. tasks per second of a sweep of ``scenarios/baseline.yaml`` on a process pool of 1 and of
   2 workers (a task = every policy for one variant and replication), and the speedup
   (target: at least 1.7 on 2 cores; best of ``--repeat`` interleaved timings), and the
   CPU time per task of the workers and of the runner; with ``--dask``, the same on a Dask
   LocalCluster;
2. the peak memory of a sweep with 100 and with 1,000 replications (target: flat in the
   number of replications, since each finished task goes to disk and at most a few tasks
   are in flight). Each size runs in a fresh process; the figures are the peak resident
   memory of the runner process, of the largest worker, and of the whole process tree
   (sampled every 0.1 s).

Usage::

    python benchmarks/sweep_scaling.py                 # both parts
    python benchmarks/sweep_scaling.py --reps 100 1000 --throughput-tasks 96 --repeat 3
    python benchmarks/sweep_scaling.py --quick         # small sizes, for a smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
VARY = ["behaviour.voluntary_quit_rate=0.08:0.16", "behaviour.raters.reliability=0.4:0.7"]


def _warm(_: int) -> int:
    import simlib.engine.simulation  # noqa: F401 - load the engine before timing

    return os.getpid()


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def control_speedup() -> float:
    """Speedup of a pure CPU loop on 2 workers: what the machine gives right now."""
    seconds = []
    for workers in (1, 2):
        with ProcessPoolExecutor(workers) as executor:
            list(executor.map(_burn, [10] * 4))
            started = time.perf_counter()
            list(executor.map(_burn, [2_000_000] * 8))
            seconds.append(time.perf_counter() - started)
    return seconds[0] / seconds[1]


def throughput(tasks: int, workers: int, dask: bool = False) -> dict:
    """Tasks per second of an LHS sweep with ``tasks`` variants and one replication."""
    from simlib.experiments.executors import open_executor
    from simlib.experiments.sampling import make_design
    from simlib.experiments.sweep import parse_vary, run_sweep

    design = make_design([parse_vary(v) for v in VARY], tasks, "lhs", seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        if dask:
            context = open_executor(workers, "local")
        else:
            context = _pool(workers)
        children_before = _children_cpu()
        with context as executor:
            list(executor.map(_warm, range(workers * 2)))
            started, cpu_started = time.perf_counter(), time.process_time()
            summary = run_sweep(
                SCENARIO, design, Path(tmp) / "sweep", reps=1, seed=1, executor=executor
            )
            seconds = time.perf_counter() - started
            runner_cpu = time.process_time() - cpu_started
        worker_cpu = _children_cpu() - children_before  # pool workers, reaped at shutdown
    return {
        "workers": workers,
        "tasks": summary.computed,
        "seconds": seconds,
        "runner_cpu": runner_cpu,
        "worker_cpu": worker_cpu if not dask else float("nan"),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _pool:
    def __init__(self, workers: int) -> None:
        self.executor = ProcessPoolExecutor(workers)

    def __enter__(self) -> ProcessPoolExecutor:
        return self.executor

    def __exit__(self, *exc: object) -> None:
        self.executor.shutdown()


def memory_child(reps: int, workers: int, out: str) -> None:
    """Run one sweep and print its peak memory as JSON (called in a fresh process)."""
    from simlib.experiments.sampling import make_design
    from simlib.experiments.sweep import parse_vary, run_sweep

    tree_peak = [0]
    stop = threading.Event()

    def sample() -> None:
        try:
            import psutil
        except ImportError:
            return
        me = psutil.Process()
        while not stop.is_set():
            try:
                procs = [me, *me.children(recursive=True)]
                total = sum(p.memory_info().rss for p in procs if p.is_running())
            except psutil.Error:
                total = 0
            tree_peak[0] = max(tree_peak[0], total)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    design = make_design([parse_vary(VARY[0])], 1, "lhs", seed=1)  # one variant
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as executor:
        summary = run_sweep(SCENARIO, design, out, reps=reps, seed=1, executor=executor)
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    kib = 1024  # ru_maxrss is in KiB on Linux
    size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    print(
        json.dumps(
            {
                "reps": reps,
                "tasks": summary.computed,
                "seconds": seconds,
                "runner_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
                "largest_worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                / kib,
                "tree_peak_mb": tree_peak[0] / 2**20 or None,
                "folder_mb": size / 2**20,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--throughput-tasks", type=int, default=96, help="tasks per timing")
    parser.add_argument("--repeat", type=int, default=3, help="timings per worker count")
    parser.add_argument("--reps", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--workers", type=int, default=2, help="workers for the memory runs")
    parser.add_argument("--dask", action="store_true", help="also time a Dask LocalCluster")
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--memory-child", nargs=3, metavar=("REPS", "WORKERS", "OUT"))
    args = parser.parse_args()
    if args.memory_child:
        reps, workers, out = args.memory_child
        memory_child(int(reps), int(workers), out)
        return
    if args.quick:
        args.throughput_tasks, args.reps, args.repeat = 6, [5, 20], 1

    print(
        f"scenario {SCENARIO.name}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} (wall-clock speedups need otherwise idle cores)"
    )
    if not args.skip_throughput:
        print("\n1. Throughput (LHS sweep, 1 replication per variant, all policies per task)")
        print(
            f"   control: a pure CPU loop runs {control_speedup():.2f}x faster on 2 workers "
            "right now (about 2 on idle cores; near 1 means the machine is saturated)"
        )
        kinds = [("process pool", False)] + ([("dask LocalCluster", True)] if args.dask else [])
        for label, dask in kinds:
            # interleaved repeats, best of each: other load on the machine only slows runs
            trials = [
                throughput(args.throughput_tasks, w, dask)
                for _ in range(args.repeat)
                for w in (1, 2)
            ]
            rows = [
                min((t for t in trials if t["workers"] == w), key=lambda t: t["seconds"])
                for w in (1, 2)
            ]
            for r in rows:
                print(
                    f"   {label}, {r['workers']} worker(s): {r['tasks']} tasks in "
                    f"{r['seconds']:.1f} s = {r['tasks'] / r['seconds']:.2f} tasks/s"
                )
            speedup = rows[0]["seconds"] / rows[1]["seconds"]
            print(f"   speedup with 2 workers: {speedup:.2f}x (target >= 1.7)")
            if not dask:
                # CPU seconds per task: the workers simulate, the runner writes the files.
                # On two otherwise idle cores the speedup can reach 2w / (w + r).
                w = rows[1]["worker_cpu"] / rows[1]["tasks"]
                r = rows[1]["runner_cpu"] / rows[1]["tasks"]
                print(
                    f"   CPU per task: workers {w * 1000:.0f} ms, runner {r * 1000:.1f} ms; "
                    f"speedup possible on 2 idle cores: {2 * w / (w + r):.2f}x"
                )

    if not args.skip_memory:
        print(f"\n2. Peak memory against replications ({args.workers} workers, one variant)")
        for reps in args.reps:
            with tempfile.TemporaryDirectory() as tmp:
                result = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--memory-child",
                        str(reps),
                        str(args.workers),
                        str(Path(tmp) / "sweep"),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
            r = json.loads(result.stdout.strip().splitlines()[-1])
            tree = f"{r['tree_peak_mb']:.0f} MB" if r["tree_peak_mb"] else "n/a"
            print(
                f"   {r['reps']:>5} reps ({r['tasks']} tasks, {r['seconds']:.0f} s): runner "
                f"{r['runner_peak_mb']:.0f} MB, largest worker {r['largest_worker_peak_mb']:.0f} "
                f"MB, whole tree {tree}; results on disk {r['folder_mb']:.1f} MB"
            )


if __name__ == "__main__":
    main()
