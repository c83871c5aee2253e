"""Failures of the machine, the disk or the cluster, told as one line with an exit code.

Bad input exits 2 (a path that is a file where a folder belongs, a folder that exists where
a file is written); a disk, an Arrow file or a Dask cluster failing under a valid command
exits 1. Either way the user reads one line, never a traceback.
"""

from __future__ import annotations

import errno
import os
import unicodedata
from typing import Any

from simlib.i18n import N_, _

# Path problems the user can fix by choosing another path: exit 2, like any bad input.
INPUT_ERRNOS = {
    errno.EEXIST: N_("already exists"),
    errno.EISDIR: N_("is a folder, not a file"),
    errno.ENOTDIR: N_("is not a folder (or a part of it is a file)"),
    errno.ENOENT: N_("does not exist"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("not permitted"),
    errno.ENAMETOOLONG: N_("name too long"),
    errno.EROFS: N_("is on a read-only file system"),
}
DEVICE_ERRNOS = {
    errno.ENOSPC: N_("the disk is full"),
    errno.EDQUOT: N_("the disk quota is exceeded"),
    errno.EIO: N_("the disk reported an input/output error"),
    errno.EMFILE: N_("too many open files"),
}
# Invisible text that can rewrite or hide what a terminal shows (bidirectional overrides).
BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def printable(text: object) -> str:
    """``text`` with control characters removed (newlines and tabs kept).

    User text (scenario names, descriptions, values echoed in errors) could otherwise move
    the cursor, recolour or clear the terminal, or reorder what is shown.
    """
    return "".join(
        ch
        for ch in str(text)
        if ch in "\n\t" or (unicodedata.category(ch) != "Cc" and ch not in BIDI)
    )


def describe(exc: BaseException) -> tuple[str, int] | None:
    """The one line and exit code for a failure the CLI should not show as a traceback."""
    import asyncio
    import concurrent.futures

    from simlib.experiments.executors import ClusterLost

    name = type(exc).__name__
    if isinstance(exc, ClusterLost):  # says what is done and how to resume
        return str(exc), 1
    if isinstance(exc, (concurrent.futures.CancelledError, asyncio.CancelledError)):
        return (
            _(
                "the work was cancelled: the Dask scheduler or the worker pool was lost; "
                "rerun the same command to resume"
            ),
            1,
        )
    if name == "NoValidWorkerError" or "no-workers-timeout" in str(exc):
        return _(
            "the Dask cluster has no workers left to run the tasks; start workers and rerun"
        ), 1
    if name in ("BrokenProcessPool",):
        return _("a worker process died ({reason}); rerun the same command to resume").format(
            reason=_first(exc)
        ), 1
    if _is_arrow(exc):
        return _("cannot read or write a Parquet file: {reason}").format(reason=_first(exc)), 1
    if name == "CommClosedError" or name == "StreamClosedError":
        return _("lost the connection to the Dask scheduler ({reason})").format(
            reason=_first(exc)
        ), 1
    if isinstance(exc, TimeoutError):
        return _("timed out: {reason}").format(reason=_first(exc)), 1
    if isinstance(exc, MemoryError):
        return _("out of memory; reduce the run (--samples, --reps, --jobs) and retry"), 1
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else ""
        shown = f"{where}: " if where else ""
        if exc.errno == errno.EEXIST and where and os.path.isfile(where):
            return shown + _("is a file; give a folder (or a new name)"), 2
        if exc.errno in INPUT_ERRNOS:
            return shown + _(INPUT_ERRNOS[exc.errno]), 2
        known = DEVICE_ERRNOS.get(exc.errno or -1)
        reason = _(known) if known else exc.strerror or _first(exc)
        return shown + _("{reason}; nothing partial was kept in place of earlier results").format(
            reason=reason
        ), 1
    return None


def _is_arrow(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("pyarrow")


def _first(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


class PrintableOutput:
    """A text stream that passes on what is written with control characters removed.

    The commands print scenario names, descriptions, policy names and values from the
    user's files; wrapped around standard output, none of them can drive the terminal.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(printable(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
