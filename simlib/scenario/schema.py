"""Shared building blocks of the scenario schema, and readable validation messages.

Every scenario section is a frozen pydantic model that forbids unknown keys. When pydantic
refuses input, :func:`explain` turns its errors into one line per problem that names the
field path, the allowed range, and for a misspelled key the closest valid name.
"""

from __future__ import annotations

import difflib
import math
import re
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from simlib.i18n import N_, _

TYPE_PROBLEMS = {
    "float_parsing": N_("input should be a number"),
    "float_type": N_("input should be a number"),
    "int_parsing": N_("input should be a whole number"),
    "int_type": N_("input should be a whole number"),
    "int_from_float": N_("input should be a whole number"),
    "bool_parsing": N_("input should be yes or no (true or false)"),
    "bool_type": N_("input should be yes or no (true or false)"),
    "string_type": N_("input should be text"),
    "dict_type": N_("input should be a mapping of names to values"),
    "model_type": N_("input should be a mapping of names to values"),
    "list_type": N_("input should be a list"),
    "none_required": N_("input should be left empty (null)"),
}
"""Pydantic's words for the commonest type errors, in the reader's language (others keep
pydantic's English)."""


class Section(BaseModel):
    """Base of every scenario section: immutable, no unknown keys, no NaN or infinity."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        validate_default=True,
        populate_by_name=True,
    )


def check_shares(shares: dict[str, float], what: str, tolerance: float = 1e-6) -> None:
    """Raise ``ValueError`` unless ``shares`` are each in [0, 1] and sum to 1."""
    if not shares:
        raise ValueError(_("{what} need at least one entry").format(what=what))
    for key, value in shares.items():
        if not (0.0 <= value <= 1.0):
            raise ValueError(
                _("{what}: share of {key} is {value}; allowed 0 to 1").format(
                    what=what, key=repr(key), value=value
                )
            )
    total = math.fsum(shares.values())
    if abs(total - 1.0) > tolerance:
        raise ValueError(
            _("{what} sum to {total}; they must sum to 1").format(what=what, total=f"{total:.6g}")
        )


def closest(name: Any, options: Iterable[Any], cutoff: float = 0.6) -> str | None:
    """The valid name closest to ``name``, compared without regard to case, or ``None``.

    ``'OKR'`` finds ``'okr'`` and ``'Shares'`` finds ``'shares'``: a difference of case alone
    always matches; otherwise the closest name by :func:`difflib.get_close_matches`.
    """
    names = [str(o) for o in options]
    text = str(name)
    for option in names:
        if option.lower() == text.lower():
            return option
    lowered = {option.lower(): option for option in names}
    found = difflib.get_close_matches(text.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[found[0]] if found else None


# --- turning pydantic errors into readable lines ---------------------------------------


def _inner_types(annotation: Any) -> list[Any]:
    """The types a value under ``annotation`` may take (unwrapping Optional/Union/Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_inner_types(arg))
        return found
    return [annotation]


def _step(annotation: Any, key: Any) -> Any:
    """The annotation one location step below ``annotation`` (field, list item, dict value)."""
    for candidate in _inner_types(annotation):
        origin = typing.get_origin(candidate)
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            field = candidate.model_fields.get(key) if isinstance(key, str) else None
            if field is not None:
                return field.annotation
        elif origin in (list, tuple) and isinstance(key, int):
            return typing.get_args(candidate)[0]
        elif origin is dict:
            return typing.get_args(candidate)[1]
    return None


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    annotation: Any = root
    for key in loc:
        annotation = _step(annotation, key)
        if annotation is None:
            return None
    for candidate in _inner_types(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def field_bounds(metadata: list[Any]) -> tuple[float | None, float | None, bool, bool]:
    """``(low, high, low_open, high_open)`` from a field's ge/gt/le/lt constraints.

    Looks inside a ``Field(...)`` nested in ``Annotated`` as well; ``None`` means unbounded.
    """
    low = high = None
    low_open = high_open = False
    expanded: list[Any] = []
    for meta in metadata:
        expanded.extend([meta, *(getattr(meta, "metadata", None) or [])])
    for meta in expanded:
        if getattr(meta, "ge", None) is not None:
            low, low_open = meta.ge, False
        if getattr(meta, "gt", None) is not None:
            low, low_open = meta.gt, True
        if getattr(meta, "le", None) is not None:
            high, high_open = meta.le, False
        if getattr(meta, "lt", None) is not None:
            high, high_open = meta.lt, True
    return low, high, low_open, high_open


def _bounds(root: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """'allowed 1 to 100' style text from the field's ge/gt/le/lt constraints."""
    if not loc or not isinstance(loc[-1], str):
        return None
    parent = _model_at(root, loc[:-1])
    if parent is None or loc[-1] not in parent.model_fields:
        return None
    low, high, low_open, high_open = field_bounds(parent.model_fields[loc[-1]].metadata)
    if low is None and high is None:
        return None
    if low is not None and high is not None:
        if low_open and high_open:
            said = _("allowed more than {low} to {high} (exclusive)")
        elif low_open:
            said = _("allowed more than {low} to {high}")
        elif high_open:
            said = _("allowed {low} to {high} (exclusive)")
        else:
            said = _("allowed {low} to {high}")
        return said.format(low=low, high=high)
    if low is not None:
        said = _("allowed more than {low}") if low_open else _("allowed at least {low}")
        return said.format(low=low)
    said = _("allowed less than {high}") if high_open else _("allowed at most {high}")
    return said.format(high=high)


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for key in loc:
        if key == "[key]":  # pydantic's marker: the problem is a mapping key (a name) itself
            out += _(" (the name)")
        elif isinstance(key, int) or not _PLAIN_KEY.match(str(key)):
            out += f"[{key!r}]" if not isinstance(key, int) else f"[{key}]"
        else:
            out += f".{key}" if out else str(key)
    return out or _("(top level)")


_PLAIN_KEY = re.compile(r"^[^\W\d]\w*$")


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_LEADING_PATH = re.compile(r"^([^\W\d]\w*(?:\.[^\W\d]\w*)+|[^\W\d]\w*(?=:))(:\s*|\s+)")


def _path_once(
    root: type[BaseModel], loc: tuple[Any, ...], message: str
) -> tuple[tuple[Any, ...], str]:
    """``(location, message)`` with a field path the message starts with said only once.

    A validator's message may name the field it is about (``"rating.shares sum to 1.05"``)
    while pydantic places it at the enclosing model (``policies.fd.rating``). The overlap
    is merged into one path: ``policies.fd.rating.shares: sum to 1.05``. A message that
    starts with the whole path already (a scenario-wide check) keeps its own wording.
    """
    match = _LEADING_PATH.match(message)
    if not match:
        return loc, message
    named = tuple(match.group(1).split("."))
    rest = message[match.end() :]
    if not loc:
        return loc, message  # a scenario-wide check names its paths itself
    if named[: len(loc)] == loc:
        return named, rest  # the message names the whole path itself
    for overlap in range(min(len(loc), len(named)), 0, -1):
        if loc[-overlap:] == named[:overlap]:
            return loc + named[overlap:], rest
    parent = _model_at(root, loc)
    if len(named) > 1 and parent is not None and named[0] in parent.model_fields:
        return loc + named, rest
    return loc, message


def explain(
    error: ValidationError, root: type[BaseModel], prefix: tuple[Any, ...] = ()
) -> list[str]:
    """One readable line per pydantic error: field path, problem, allowed range or suggestion."""
    lines: list[str] = []
    for item in error.errors(include_url=False):
        loc = tuple(
            k for k in item["loc"] if not (isinstance(k, str) and k.startswith("function-"))
        )
        kind = item["type"]
        path = _path(prefix + loc)
        given = item.get("input")
        if kind == "extra_forbidden":
            parent = _model_at(root, loc[:-1])
            valid = sorted(parent.model_fields) if parent else []
            close = closest(loc[-1], valid)
            hint = _("; did you mean '{name}'?").format(name=close) if close else ""
            listing = _(" Valid keys here: {keys}.").format(keys=", ".join(valid)) if valid else ""
            lines.append(_("{path}: unknown key").format(path=path) + hint + listing)
        elif kind == "missing":
            lines.append(_("{path}: required field is missing").format(path=path))
        elif kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
            bounds: str | None = _bounds(root, loc) or item["msg"].lower()
            lines.append(
                _("{path}: {value} is out of range; {bounds}").format(
                    path=path, value=_short(given), bounds=bounds
                )
            )
        elif kind in {"finite_number"}:
            bounds = _bounds(root, loc)
            extra = _("; {bounds}").format(bounds=bounds) if bounds else ""
            said = _("{path}: {value} is not a finite number").format(
                path=path, value=_short(given)
            )
            lines.append(said + extra)
        elif kind == "value_error":
            message = item["msg"].removeprefix("Value error, ")
            where, message = _path_once(root, prefix + loc, message)
            lines.append(f"{_path(where)}: {message}" if where else message)
        elif kind == "literal_error":
            expected = item.get("ctx", {}).get("expected", "")
            lines.append(
                _("{path}: {value} is not allowed; choose one of {expected}").format(
                    path=path, value=_short(given), expected=expected
                )
            )
        else:
            known = TYPE_PROBLEMS.get(kind)
            msg = _(known) if known else item["msg"][0].lower() + item["msg"][1:]
            bounds = _bounds(root, loc)
            extra = _("; {bounds}").format(bounds=bounds) if bounds else ""
            said = _("{path}: {problem}, got {value}").format(
                path=path, problem=msg, value=_short(given)
            )
            lines.append(said + extra)
    return lines
