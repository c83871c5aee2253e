"""Atomic file writes: write a temporary file beside the target, then rename it.

A reader (or a crash) never sees a half-written file under a final name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def default_file_mode() -> int:
    """Permissions an ordinary new file gets here (0o666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes private (0600) files; results are meant to be shared like any other.
        os.chmod(tmp, default_file_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def make_readable(paths: list[Path]) -> None:
    """Give files the permissions of ordinary new files (temporary files are private, 0600)."""
    mode = default_file_mode()
    for path in paths:
        if path.is_file():
            os.chmod(path, mode)


_RENAME_EXCHANGE = 2  # renameat2 flag: swap two paths atomically (Linux)
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step where the system offers it (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def aside_path(final: Path) -> Path:
    """Where :func:`replace_folder` parks the old folder for a moment: ``.NAME.old`` beside it."""
    return final.parent / f".{final.name}.old"


def staging_path(final: Path) -> Path:
    """Where a new set for ``final`` is built: ``.NAME.new`` in the same parent (same disk)."""
    return final.parent / f".{final.name}.new"


def recover_folder(final: Path) -> None:
    """Finish or undo an interrupted :func:`replace_folder`: the old set goes back in place.

    Only between its two renames (where the system cannot swap in one step) is ``final``
    missing; the old folder is then whole beside it.
    """
    aside = aside_path(final)
    if aside.is_dir() and not final.exists():
        os.replace(aside, final)
    if aside.is_dir():
        shutil.rmtree(aside, ignore_errors=True)


def replace_folder(staging: Path, final: Path) -> None:
    """Put the finished folder ``staging`` in place of ``final``, whole, by renames only.

    At every moment either the old or the new folder is whole: an atomic exchange where the
    system has one, else the old folder renamed aside, the new renamed in, the old deleted
    (:func:`recover_folder` puts the old one back after a kill between the two renames).
    """
    make_readable([p for p in staging.iterdir()])
    os.chmod(staging, 0o777 & ~_umask())
    if not final.exists():
        os.replace(staging, final)
        return
    if _exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)  # holds the old set now
        return
    aside = aside_path(final)
    shutil.rmtree(aside, ignore_errors=True)
    os.replace(final, aside)
    os.replace(staging, final)
    shutil.rmtree(aside, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
