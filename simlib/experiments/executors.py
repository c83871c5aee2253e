"""Executors: worker pools and Dask clusters for ``--jobs`` and ``--dask``.

Workers leave Ctrl-C to the parent process, which stops the pool and reports once.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
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


# Seconds between a worker's checks that its parent still lives, and the grace a worker
# has to unwind (stop a notebook kernel, remove its staging folder) once it has gone.
PARENT_CHECK_SECONDS = 0.5
UNWIND_SECONDS = 4.0


def _parent_watch(parent: int, gone: threading.Event) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    gone.set()
    os.kill(os.getpid(), signal.SIGTERM)  # unwinds where a handler is set; else ends here
    time.sleep(UNWIND_SECONDS)
    os._exit(1)


def watch_parent() -> threading.Event:
    """Worker initializer part: end this worker when the process that started it dies.

    A killed ``sweep`` or ``batch`` (even by SIGKILL, which it cannot catch) would leave
    its pool workers running on. A daemon thread notices the parent has gone (the worker is
    re-parented), sets the returned event (so a worker checks it before committing
    anything) and sends this worker SIGTERM, then exits it outright after a grace period.
    """
    gone = threading.Event()
    threading.Thread(
        target=_parent_watch, args=(os.getppid(), gone), name="parent-watch", daemon=True
    ).start()
    return gone


def ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle; it stops the pool and reports once.

    The worker also ends when its parent dies (see :func:`watch_parent`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent()


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


# Seconds a task may wait with no worker to run it before the sweep stops with a message
# (an assumption: long enough for a worker to restart, short enough not to look hung).
NO_WORKERS_TIMEOUT = "30s"
NO_WORKERS_SECONDS = 30.0  # the same for a remote cluster, watched from this side
WATCH_SECONDS = 1.0  # between the client's looks at a remote cluster's workers


class ClusterLost(RuntimeError):
    """The Dask cluster can no longer run the work: no workers left, or no scheduler.

    A failure of the machine, not of the input: the command tells it in one line, exit 1.
    """


class WorkerWatch:
    """Notices, from the client's side, a Dask cluster that has had no workers for too long.

    A remote scheduler keeps tasks that no worker can take waiting, silently, unless its own
    configuration sets ``distributed.scheduler.no-workers-timeout``; the client cannot set
    that for a scheduler it did not start. So the loop that collects results asks
    :meth:`check` whenever nothing arrived for :data:`WATCH_SECONDS`; after ``timeout``
    seconds in a row with no worker, it raises :class:`ClusterLost`.
    Executors that are not Dask clients are never watched (``active`` is False).
    """

    def __init__(self, executor: Executor | None, timeout: float | None = None) -> None:
        self._client = getattr(executor, "_client", None)
        self.timeout = NO_WORKERS_SECONDS if timeout is None else float(timeout)
        self.interval = WATCH_SECONDS
        self._since: float | None = None

    @property
    def active(self) -> bool:
        return self._client is not None

    def workers(self) -> int | None:
        """Workers the scheduler knows now (None: it cannot be asked; it may be gone)."""
        client = self._client
        if client is None or client.status != "running":
            return None
        try:
            info = client.scheduler_info(n_workers=0)
        except Exception:  # noqa: BLE001 - a scheduler that cannot answer is told elsewhere
            return None
        count = info.get("n_workers")
        return int(count) if count is not None else len(info.get("workers", {}))

    def check(self) -> None:
        """Raise :class:`ClusterLost` once there have been no workers for ``timeout`` s."""
        if (count := self.workers()) is None or count > 0:
            self._since = None
            return
        now = time.monotonic()
        if self._since is None:
            self._since = now
        elif now - self._since >= self.timeout:
            raise ClusterLost(f"the Dask cluster has had no workers for {self.timeout:g} s")


SCHEMES = ("tcp", "tls", "inproc")  # inproc: a scheduler in this process (tests)


def _first(exc: BaseException) -> str:
    """An exception as one short line: its first line, or its type if it has no text."""
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def check_scheduler(address: str, timeout: float) -> None:
    """Refuse an address that is not a Dask scheduler answering within ``timeout`` seconds.

    dask.distributed bounds the TCP connect but not the handshake that follows, so a peer
    that accepts and stays silent would hang the client, and one that speaks another
    protocol can make it read an absurd frame length. Here the whole exchange (connect,
    handshake, an ``identity`` request) runs under one deadline (twice ``timeout``) with Dask's
    own comm layer.
    """
    import asyncio

    scheme = address.split("://", 1)[0] if "://" in address else ""
    if scheme not in SCHEMES:
        raise ExperimentError(
            f"--dask {address!r}: allowed 'local' or a scheduler address tcp://HOST:PORT "
            "(tls://HOST:PORT with certificates set in Dask's configuration)"
        )

    async def identity() -> object:
        from distributed.comm import connect
        from distributed.security import Security

        args = Security().get_connection_args("client")
        if scheme == "tls" and args.get("ssl_context") is None:
            raise ExperimentError(
                f"--dask {address}: tls needs certificates in Dask's configuration "
                "(distributed.comm.tls.client.cert and .key)"
            )
        comm = await connect(address, timeout=timeout, **args)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    # Dask's connect retries a refused address until ``timeout`` and then says so; the
    # deadline over the whole exchange is longer, so that a refused or unreachable address
    # is told apart from a peer that accepts and stays silent.
    deadline = 2 * timeout

    async def bounded() -> object:
        return await asyncio.wait_for(identity(), deadline)

    def probe() -> object:
        # A fresh event loop on its own thread: the caller may be running one (a notebook).
        with ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, bounded()).result()

    try:
        reply = probe()
    except ExperimentError:
        raise
    except (asyncio.TimeoutError, TimeoutError):
        raise ExperimentError(
            f"--dask {address}: no answer from a Dask scheduler within {deadline:g} s"
        ) from None
    except (MemoryError, ValueError, TypeError, KeyError) as exc:
        if "address" in str(exc):  # a malformed or foreign address, before any exchange
            raise ExperimentError(
                f"--dask {address}: cannot reach the scheduler ({_first(exc)})"
            ) from None
        # Another protocol's bytes read as Dask frame headers: absurd lengths, bad msgpack.
        raise ExperimentError(
            f"--dask {address}: the peer does not speak the Dask protocol; "
            "is this the scheduler's address?"
        ) from None
    except Exception as exc:  # noqa: BLE001 - refused, reset, unreachable
        raise ExperimentError(
            f"--dask {address}: cannot reach the scheduler ({_first(exc)})"
        ) from None
    if not (isinstance(reply, dict) and reply.get("type") == "Scheduler"):
        raise ExperimentError(f"--dask {address}: the peer answered, but not as a Dask scheduler")


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
        from dask import config as dask_config

        # Tasks no worker can take fail after this long instead of waiting forever.
        with dask_config.set({"distributed.scheduler.no-workers-timeout": NO_WORKERS_TIMEOUT}):
            cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=processes, dashboard_address=None
            )
        client = Client(cluster)
    else:
        check_scheduler(dask, connect_timeout)
        try:
            client = Client(dask, timeout=f"{connect_timeout}s")
        except Exception as exc:  # noqa: BLE001 - any failure to connect is one line
            raise ExperimentError(
                f"--dask {dask}: cannot reach the scheduler ({_first(exc)})"
            ) from None
    with quiet_lost_connection():
        try:
            yield client.get_executor()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


# What dask.distributed and tornado log, as tracebacks, when the scheduler goes away: the
# command tells that itself, in one line.
LOST_CONNECTION = ("CancelledError", "CommClosedError", "StreamClosedError")
LOST_CONNECTION_LOGGERS = ("distributed.client", "distributed.core", "tornado.application")


def lost_connection(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the client losing its scheduler."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ in LOST_CONNECTION:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class LostConnectionFilter:
    """A logging filter that drops records about a lost scheduler connection."""

    def filter(self, record: object) -> bool:
        info = getattr(record, "exc_info", None)
        if info and info[1] is not None and lost_connection(info[1]):
            return False
        return not str(getattr(record, "msg", "")).startswith("Failed to reconnect")


@contextmanager
def quiet_lost_connection() -> Iterator[None]:
    """Drop dask.distributed's and tornado's log lines about a lost scheduler meanwhile."""
    import logging

    quiet = LostConnectionFilter()
    loggers = [logging.getLogger(name) for name in LOST_CONNECTION_LOGGERS]
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


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
