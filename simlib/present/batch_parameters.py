"""Notebook parameters are data: only JSON values reach a notebook.

papermill writes each parameter into the notebook's parameters cell as Python source. It
quotes and escapes a ``str``, but any other type falls back to ``"{value}"`` unescaped:
a ``bytes`` value (YAML ``!!binary``) holding a quote then runs as code in the kernel. So
every parameter must be a JSON value: ``str``, ``int``, finite ``float``, ``bool``,
``None``, and lists and string-keyed maps of them. Anything else (bytes, sets, dates,
tagged YAML objects) is refused with a message naming the parameter.

A parameter file (``--params FILE.json``) is read with the JSON parser, which can only
produce such values.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from simlib.errors import ScenarioError

# Deeper nesting than this is no parameter a notebook needs (and keeps the walk bounded).
MAX_DEPTH = 32


def _problem(value: Any, where: str, depth: int = 0) -> str | None:
    """Why ``value`` is not plain JSON data, naming the place inside it; None if it is."""
    if depth > MAX_DEPTH:
        return f"{where}: nested deeper than {MAX_DEPTH} levels"
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where}: {value} is not a finite number"
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _problem(item, f"{where}[{i}]", depth + 1)
            if found:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where}: key {key!r} is a {type(key).__name__}; keys must be text"
            found = _problem(item, f"{where}.{key}", depth + 1)
            if found:
                return found
        return None
    return (
        f"{where}: a {type(value).__name__} value is not allowed; notebook parameters are "
        "text, numbers, true/false, null, and lists or maps of them"
    )


def check_plain_data(parameters: dict[str, Any]) -> None:
    """Refuse any parameter that is not plain JSON data, naming it (``ScenarioError``)."""
    problems = []
    for name, value in parameters.items():
        if not isinstance(name, str):
            problems.append(f"--param {name!r}: parameter names must be text")
            continue
        found = _problem(value, f"--param {name}")
        if found:
            problems.append(found)
    if problems:
        raise ScenarioError(problems)


def _refuse_constant(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


def read_parameter_file(path: Path) -> dict[str, Any]:
    """Parameters from a JSON file holding one object (``{"reps": 5, "years": 2}``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"--params {path}: cannot read ({exc.__class__.__name__})") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ScenarioError(f"--params {path}: not valid JSON ({first})") from None
    if not isinstance(data, dict):
        raise ScenarioError(
            f"--params {path}: must hold one JSON object of name: value pairs, "
            f"not a {type(data).__name__}"
        )
    check_plain_data(data)
    return data


def as_json_data(parameters: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``parameters`` that went through JSON: what papermill receives."""
    check_plain_data(parameters)
    copy: dict[str, Any] = json.loads(json.dumps(parameters, allow_nan=False))
    return copy
