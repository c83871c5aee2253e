"""Executors: worker pools and Dask clusters for ``--jobs`` and ``--dask``.

Workers leave Ctrl-C to the parent process, which stops the pool and reports once.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from simlib.storage.store import ExperimentError


def executor_workers(executor: Executor) -> int:
    """How many tasks ``executor`` runs at once (a Dask client: its workers' threads)."""
    import os

    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a client that cannot tell: fall back below
            pass
    workers = getattr(executor, "_max_workers", None)
    return int(workers) if workers else os.cpu_count() or 1


def ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle; it stops the pool and reports once."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def worker_pool(jobs: int, spawn: bool = False) -> ProcessPoolExecutor:
    """A process pool whose workers leave interrupts to the parent.

    ``spawn`` starts fresh interpreters instead of forking (needed inside a Jupyter kernel,
    whose threads must not be forked).
    """
    context = None
    if spawn:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=ignore_interrupts)


@contextmanager
def open_executor(
    jobs: int | None = None,
    dask: str | None = None,
    *,
    processes: bool = True,
    connect_timeout: float = 10.0,
) -> Iterator[Executor | None]:
    """The executor for ``--jobs``/``--dask``, shut down on leaving the ``with`` block.

    Parameters
    ----------
    jobs
        Worker processes (default: all cores). One job without Dask runs in this process.
    dask
        ``"local"`` starts a ``dask.distributed`` LocalCluster with ``jobs`` single-threaded
        workers; ``"tcp://HOST:PORT"`` connects to a running scheduler (its workers need
        simlib installed).
    processes
        LocalCluster only: workers in separate processes (the default) or threads of this
        one (quick to start; for small runs and tests).
    connect_timeout
        Seconds to wait for a remote scheduler.
    """
    import os

    jobs = jobs or os.cpu_count() or 1
    if not dask:
        if jobs == 1:
            yield None
            return
        pool = worker_pool(jobs)
        try:
            yield pool
        finally:
            pool.shutdown(cancel_futures=True)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExperimentError(
            "--dask needs dask.distributed; install simlib[distributed]"
        ) from None
    cluster = None
    if dask == "local":
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=processes, dashboard_address=None
        )
        client = Client(cluster)
    elif "://" in dask:
        try:
            client = Client(dask, timeout=f"{connect_timeout}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExperimentError(
                f"--dask {dask}: cannot reach the scheduler ({str(exc).splitlines()[0]})"
            ) from None
    else:
        raise ExperimentError(
            f"--dask {dask!r}: allowed 'local' or a scheduler address tcp://HOST:PORT"
        )
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def executor_for(
    executor: Executor | None, jobs: int | None, dask: str | None
) -> Iterator[Executor | None]:
    """``executor`` if given (left running), else :func:`open_executor` for ``jobs``/``dask``."""
    if executor is not None:
        yield executor
        return
    with open_executor(jobs, dask) as opened:
        yield opened
