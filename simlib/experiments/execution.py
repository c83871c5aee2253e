"""Bounded execution: run calls on any executor with a bounded number in flight.

Any ``concurrent.futures.Executor`` runs the calls (a process pool, a Dask
``Client.get_executor()``, or none for in-process); at most a bounded number are submitted
and not yet collected, so memory stays flat however many calls there are.
:class:`RunSummary` tells what a run of an experiment did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simlib.experiments.executors import WorkerWatch, executor_workers
from simlib.storage.design import Design


def execute(
    function: Callable[..., Any],
    calls: Iterable[tuple[Any, tuple[Any, ...]]],
    executor: Executor | None = None,
    max_in_flight: int | None = None,
) -> Iterator[tuple[Any, Any]]:
    """Run ``function(*args)`` for each ``(key, args)`` and yield ``(key, result)``.

    In this process and in order without an executor; otherwise as results arrive, with at
    most ``max_in_flight`` calls submitted and not yet yielded (default: two per worker,
    plus two), so neither pending calls nor their results pile up in memory. The first
    failure is raised; calls not yet started are cancelled. A Dask cluster left with no
    workers raises :class:`~simlib.experiments.executors.ClusterLost` after a while
    instead of waiting forever (see :class:`~simlib.experiments.executors.WorkerWatch`).
    """
    if executor is None:
        for key, args in calls:
            yield key, function(*args)
        return
    limit = max_in_flight or 2 * executor_workers(executor) + 2
    watch = WorkerWatch(executor)
    pending: dict[Future, tuple[int, Any]] = {}
    source = iter(calls)
    exhausted = False
    submitted = 0
    try:
        while True:
            while not exhausted and len(pending) < limit:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                key, args = item
                pending[executor.submit(function, *args)] = (submitted, key)
                submitted += 1
            if not pending:
                return
            finished, _ = wait(
                pending, timeout=watch.interval if watch.active else None,
                return_when=FIRST_COMPLETED,
            )  # fmt: skip
            if not finished:
                watch.check()
                continue
            for future in sorted(finished, key=lambda f: pending[f][0]):
                _, key = pending.pop(future)
                yield key, future.result()
    finally:
        for future in pending:
            future.cancel()


@dataclass
class RunSummary:
    """What a call to :func:`simlib.experiments.sweep.run_sweep` did."""

    out_dir: Path
    tasks: int
    already_done: int
    computed: int
    seconds: float
    design: Design

    def line(self) -> str:
        resumed = f", {self.already_done} already done" if self.already_done else ""
        return (
            f"{self.tasks} tasks ({self.computed} computed{resumed}) in {self.seconds:.1f} s "
            f"-> {self.out_dir}"
        )
