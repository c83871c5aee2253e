"""Dotted paths into nested mappings: ``get(doc, "organization.headcount")``, ``set(...)``.

A path is a string of keys joined by dots (``"policies.fd.rating.shares.S"``) or a sequence
of keys (``("policies", "fd", "rating")``, for keys that themselves contain dots). A key
walks into a mapping; into a list it is an index written in ASCII digits
(``"organization.departments.0.share"``). Overrides, sweep factors, explorer levers and the
assumptions register all name parameters this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simlib.i18n import _
from simlib.scenario.schema import closest

Key = str | int
PathLike = str | Sequence[Key]

_MISSING: Any = object()


class PathError(ValueError):
    """A dotted path that does not lead where it should; the message names the path.

    Attributes
    ----------
    path
        The whole path, as keys.
    depth
        How many keys of it were followed before the problem (the failing key is
        ``path[depth]``).
    options
        The keys the mapping at that point does have (empty for a list or a value).
    reason
        What is wrong, after the place: ``"has no 'x'"``, ``"is not a section"`` ...
    """

    def __init__(
        self, path: Sequence[Key], depth: int, reason: str, options: Sequence[Any] = ()
    ) -> None:
        self.path = tuple(path)
        self.depth = depth
        self.reason = reason
        self.options = tuple(options)
        place = self.where or _("the top level")
        super().__init__(f"{join(self.path)}: {place} {reason}")

    @property
    def where(self) -> str:
        """The dotted place where the walk stopped (empty at the top)."""
        return join(self.path[: self.depth])

    @property
    def key(self) -> Key:
        """The key that could not be followed."""
        return self.path[self.depth]

    def suggestion(self) -> str | None:
        """The whole path with the failing key replaced by the closest valid one, if any."""
        close = closest(self.key, self.options)
        if close is None:
            return None
        return join([*self.path[: self.depth], close])


def split(path: PathLike) -> tuple[Key, ...]:
    """The keys of ``path`` (a dotted string is split at dots; a sequence is kept)."""
    if isinstance(path, str):
        return tuple(path.split("."))
    return tuple(path)


def join(keys: Sequence[Key]) -> str:
    """The dotted string of ``keys``."""
    return ".".join(str(k) for k in keys)


def index(key: Key, length: int) -> int | None:
    """``key`` as an index into a list of ``length`` items, or ``None`` if it is not one."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        number = key
    elif isinstance(key, str) and key.isascii() and key.isdigit():
        number = int(key)
    else:
        return None
    return number if 0 <= number < length else None


def get(doc: Any, path: PathLike, default: Any = _MISSING) -> Any:
    """The value at ``path`` in ``doc``.

    Raises
    ------
    PathError
        If a key is missing (or ``default``, when given, is returned instead).
    """
    keys = split(path)
    node = doc
    for depth, key in enumerate(keys):
        if isinstance(node, dict) and key in node:
            node = node[key]
            continue
        if isinstance(node, list):
            at = index(key, len(node))
            if at is not None:
                node = node[at]
                continue
        if default is not _MISSING:
            return default
        options = list(node) if isinstance(node, dict) else []
        raise PathError(keys, depth, _("has no {key}").format(key=repr(key)), options)
    return node


def has(doc: Any, path: PathLike) -> bool:
    """Whether ``path`` leads to a value in ``doc``."""
    return get(doc, path, _ABSENT) is not _ABSENT


_ABSENT: Any = object()


def set(doc: Any, path: PathLike, value: Any) -> Any:
    """A copy of ``doc`` with ``value`` at ``path``; ``doc`` itself is left unchanged.

    Mappings missing on the way are created (validation later refuses keys the schema does
    not have); list items must exist. Only the containers along the path are copied.

    Raises
    ------
    PathError
        If the path runs through a value that is not a mapping or list, or names an item a
        list does not have.
    """
    keys = split(path)
    if not keys:
        return value
    return _set(doc, keys, 0, value)


def _set(node: Any, keys: tuple[Key, ...], depth: int, value: Any) -> Any:
    key = keys[depth]
    last = depth == len(keys) - 1
    if isinstance(node, list):
        at = index(key, len(node))
        if at is None:
            raise PathError(
                keys,
                depth,
                _("has no item {key} (a list of {count})").format(key=repr(key), count=len(node)),
            )
        out = list(node)
        out[at] = value if last else _set(node[at], keys, depth + 1, value)
        return out
    if isinstance(node, dict):
        out_map = dict(node)
        if last:
            out_map[key] = value
        else:
            child = node[key] if key in node else {}
            out_map[key] = _set(child, keys, depth + 1, value)
        return out_map
    raise PathError(keys, depth, _("is not a section"))
