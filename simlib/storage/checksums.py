"""Checksums: how a results folder proves that what is read is what was written.

Every file of a results folder is covered: a sweep's parts by the task index
(``tasks.jsonl``, one line per committed part with the SHA-256 of its bytes), its design by
the manifest (``design_sha256``), a comparison's files by its manifest (``files``), and each
manifest and each task-index line by a checksum of its own content. A reader verifies
before it parses, so a flipped bit, a truncated file or a file from elsewhere is refused
with a line naming it, never read as data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CHECKSUM = "checksum"
"""The manifest entry holding the checksum of the rest of the manifest."""


def sha256(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 hexadecimal digits."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of the file at ``path``."""
    return sha256(Path(path).read_bytes())


def _canonical(record: Mapping[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def content_checksum(record: Mapping[str, Any]) -> str:
    """The checksum of a JSON record, its own ``checksum`` entry left out."""
    return sha256(_canonical({k: v for k, v in record.items() if k != CHECKSUM}))


def seal(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` carrying the checksum of its content."""
    sealed = {k: v for k, v in record.items() if k != CHECKSUM}
    sealed[CHECKSUM] = content_checksum(sealed)
    return sealed


def is_sealed(record: Any) -> bool:
    """True if ``record`` is a mapping whose checksum matches its content."""
    return (
        isinstance(record, dict)
        and isinstance(record.get(CHECKSUM), str)
        and record[CHECKSUM] == content_checksum(record)
    )


def index_line(task: int, digest: str, rows: int) -> str:
    """One line of a task index: a committed part, its SHA-256 and rows, sealed."""
    return json.dumps(seal({"task": task, "sha256": digest, "rows": rows}), sort_keys=True)


def parse_index(text: str) -> tuple[dict[int, str], int]:
    """The task index: task -> SHA-256 of its part (the last line for a task wins).

    Returns
    -------
    tuple
        The checksums, and how many lines were damaged (not whole, or not matching their
        own checksum); a damaged line vouches for nothing.
    """
    digests: dict[int, str] = {}
    damaged = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            damaged += 1
            continue
        if not is_sealed(entry) or not isinstance(entry.get("task"), int):
            damaged += 1
            continue
        digests[entry["task"]] = str(entry["sha256"])
    return digests, damaged
