"""One writer per output folder: an operating-system lock held while a command writes.

``sweep``, ``batch`` and ``compare --out`` (and :meth:`Results.save`) hold an exclusive
``flock`` on a small lock file beside their output folder (``.NAME.lock`` in the same
parent; beside, not inside, because a comparison's folder is swapped whole when it is
saved). The operating system releases the lock when the holder ends, even by SIGKILL, so
a stale lock never blocks anyone. A second writer is refused at once with the holder's
process id, command and start time, which the holder writes into the lock file.

Within one process the lock is re-entrant (a ``compare --out`` that holds it can save).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simlib.errors import ScenarioError
from simlib.storage.provenance import now_utc

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, one writer is trusted
    fcntl = None  # type: ignore[assignment]


class FolderBusyError(ScenarioError):
    """Another process is writing the output folder (shown as one line, exit 2)."""


_HELD: dict[Path, tuple[int, int]] = {}
"""Lock files this process holds: path -> (file descriptor, depth)."""


def lock_path(folder: str | Path) -> Path:
    """The lock file of ``folder``: ``.NAME.lock`` beside it."""
    path = Path(folder).expanduser().absolute()
    return path.parent / f".{path.name}.lock"


def holder(folder: str | Path) -> str:
    """Who holds (or last held) the lock of ``folder``, as the holder wrote it."""
    try:
        text = lock_path(folder).read_text(errors="replace").strip()
    except OSError:
        text = ""
    return " ".join(text.split())[:300] or "another process (it has not said which yet)"


@contextmanager
def folder_lock(folder: str | Path, command: str | None = None) -> Iterator[Path]:
    """Hold the one-writer lock of ``folder`` for the duration of the block.

    Raises
    ------
    FolderBusyError
        At once, if another process holds it.
    """
    path = lock_path(folder)
    key = path.resolve() if path.parent.exists() else path
    if key in _HELD:
        fd, depth = _HELD[key]
        _HELD[key] = (fd, depth + 1)
        try:
            yield path
        finally:
            fd, depth = _HELD[key]
            _HELD[key] = (fd, depth - 1)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise FolderBusyError(
                    f"{folder}: another simlib command is writing here ({holder(folder)}); "
                    "wait for it to finish or choose another output folder"
                ) from None
        what = command or " ".join(
            os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv)
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {now_utc()}, command: {what}\n".encode(), 0)
        key = path.resolve()
        _HELD[key] = (fd, 1)
        try:
            yield path
        finally:
            del _HELD[key]
    finally:
        os.close(fd)  # closing the descriptor releases the lock
