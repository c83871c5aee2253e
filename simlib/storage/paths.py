"""Safe output paths: scenario and policy names become folder names that stay inside ``--out``.

A scenario called ``../../etc`` or ``/tmp/x`` must not write outside the output folder. Names
are reduced to a conservative character set, and every path built from one is checked to lie
inside the output folder after resolving symbolic links.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

MAX_NAME_LENGTH = 80
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}


def safe_name(name: str, fallback: str = "scenario") -> str:
    """A folder name made from ``name``: letters, digits, ``-``, ``_`` and inner dots only.

    Path separators, ``..``, leading dots, control characters and spaces become ``_`` or
    are dropped; accents are folded to ASCII; the result is at most 80 characters and never
    empty (``fallback`` is used then).

    >>> safe_name("../../etc/passwd")
    'etc_passwd'
    >>> safe_name("Sales Q3 / 2025")
    'Sales_Q3_2025'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text)
    text = re.sub(r"\.{2,}", ".", text)  # no '..' anywhere
    text = re.sub(r"_{2,}", "_", text)
    text = text.strip("._-")[:MAX_NAME_LENGTH].strip("._-")
    if not text or text.lower().split(".")[0] in _RESERVED:
        text = f"{fallback}_{text}" if text else fallback
    return text


def inside(root: str | Path, *parts: str) -> Path:
    """``root / part / ...`` with each part sanitized, guaranteed to lie inside ``root``.

    Raises
    ------
    ValueError
        If the resolved path would escape ``root`` (e.g. through a symbolic link).
    """
    base = Path(root).resolve()
    path = base.joinpath(*(safe_name(p) for p in parts)).resolve()
    if path != base and base not in path.parents:
        raise ValueError(f"refusing to write outside the output folder: {path}")
    return path


def unique_names(names: list[str], reserved: Sequence[str] = ()) -> list[str]:
    """Sanitized names made distinct by a ``-2``, ``-3`` ... suffix, compared case-insensitively.

    Names in ``reserved`` (the caller's own files, e.g. a batch's ``index.html``) are never
    given out: a scenario called so gets the suffix too.
    """
    seen: set[str] = {r.lower() for r in reserved}
    out: list[str] = []
    for name in names:
        base = safe_name(name)
        candidate, k = base, 2
        while candidate.lower() in seen:
            candidate, k = f"{base}-{k}", k + 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def locate(path: str | Path, start: str | Path | None = None) -> Path:
    """Find an input file given relative to the working folder or to any folder above it.

    Notebooks run with different working folders (the notebook's own folder, the project
    root, a batch output folder); ``scenarios/baseline.yaml`` is found from any of them.
    Absolute paths are returned unchanged; a relative path that exists nowhere is returned
    relative to ``start`` so the error names it.
    """
    given = Path(path).expanduser()
    if given.is_absolute():
        return given
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / given
        if candidate.exists():
            return candidate
    return here / given
