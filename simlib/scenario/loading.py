"""Reading scenarios: safe YAML, dotted-path overrides, validation with readable errors.

YAML files are read with limits a scenario never needs to exceed: size, nesting depth, and
the number of values aliases may expand to (refusing "billion laughs" alias bombs). Every
problem becomes a :class:`~simlib.errors.ScenarioError` naming the field and what is allowed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

import simlib.scenario.dotted as dotted
from simlib.errors import ScenarioError
from simlib.i18n import _
from simlib.scenario.definition import Scenario
from simlib.scenario.problems import validate

MAX_SCENARIO_BYTES = 2_000_000


def read_yaml(path: Path) -> Any:
    """The YAML document in ``path``, refusing files too large, too deep or alias bombs."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(_("file not found"), source=str(path)) from None
    except IsADirectoryError:
        raise ScenarioError(_("is a directory, not a scenario file"), source=str(path)) from None
    except OSError as exc:
        raise ScenarioError(
            _("cannot read: {reason}").format(reason=exc.strerror), source=str(path)
        ) from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            _("file is {size} bytes; scenarios are limited to {limit}").format(
                size=f"{len(raw):,}", limit=f"{MAX_SCENARIO_BYTES:,}"
            ),
            source=str(path),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            _("not UTF-8 text (byte {byte}); save the scenario as UTF-8 YAML").format(
                byte=exc.start
            ),
            source=str(path),
        ) from None
    try:
        if _flow_nesting(text) > MAX_FLOW_NESTING:  # the parser slows quadratically first
            raise RecursionError
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - safe loader with limits
    except _TooComplex as exc:
        raise ScenarioError(str(exc), source=str(path)) from None
    except RecursionError:
        raise ScenarioError(
            _(
                "the YAML is nested too deeply to be a scenario (lists or mappings inside each "
                "other hundreds of levels down)"
            ),
            source=str(path),
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = (
            _("line {line}, column {column}: ").format(line=mark.line + 1, column=mark.column + 1)
            if mark
            else ""
        )
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        said = _("YAML syntax error at {where}{problem}").format(where=where, problem=problem)
        raise ScenarioError(said, source=str(path)) from None


class _TooComplex(Exception):
    pass


class _SafeLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses documents that expand too far (alias bombs)."""

    max_expanded_nodes = 200_000

    def compose_document(self) -> Any:
        node = super().compose_document()
        sizes: dict[int, int] = {}

        def expanded(n: Any) -> int:
            key = id(n)
            if key not in sizes:
                sizes[key] = 0  # guards against recursive aliases
                if isinstance(n, yaml.SequenceNode):
                    total = 1 + sum(expanded(c) for c in n.value)
                elif isinstance(n, yaml.MappingNode):
                    total = 1 + sum(expanded(k) + expanded(v) for k, v in n.value)
                else:
                    total = 1
                sizes[key] = total
            return sizes[key]

        if node is not None and expanded(node) > self.max_expanded_nodes:
            raise _TooComplex(
                _(
                    "the YAML expands to more than {count} values through aliases; refused as "
                    "a possible alias bomb"
                ).format(count=f"{self.max_expanded_nodes:,}")
            )
        return node


MAX_FLOW_NESTING = 100


def _flow_nesting(text: str) -> int:
    """Deepest nesting of ``[`` and ``{`` in ``text`` (quotes not excluded: an upper bound)."""
    depth = peak = 0
    for match in re.finditer(r"[\[\]{}]", text):
        if match.group() in "[{":
            depth += 1
            peak = max(peak, depth)
        else:
            depth = max(0, depth - 1)
    return peak


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``dotted.path=value`` (the value is read as YAML: numbers, booleans, lists)."""
    shown = repr(text) if len(text) <= 80 else repr(text[:77] + "...")
    if "=" not in text:
        raise ScenarioError(
            _("override {given} must look like dotted.path=value").format(given=shown)
        )
    path, _equals, value = text.partition("=")
    path = path.strip()
    if not path or any(not part for part in path.split(".")):
        raise ScenarioError(
            _("override {given}: the path before '=' is empty or malformed").format(given=shown)
        )
    try:
        if _flow_nesting(value) > MAX_FLOW_NESTING:
            raise RecursionError
        parsed = yaml.load(value, Loader=_SafeLoader) if value.strip() else ""  # noqa: S506
    except (yaml.YAMLError, _TooComplex, RecursionError):
        parsed = value
    return path, parsed


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Set each ``dotted.path`` in a copy of ``data``; validation later catches bad keys."""
    out = json.loads(json.dumps(data, default=str)) if data else {}
    for path, value in overrides.items():
        try:
            out = dotted.set(out, str(path), value)
        except dotted.PathError as exc:
            raise ScenarioError(
                _("override {path}: {where} {reason}").format(
                    path=path, where=exc.where, reason=exc.reason
                )
            ) from None
    return out


def load_scenario(
    source: str | Path | dict[str, Any] | Scenario, overrides: dict[str, Any] | None = None
) -> Scenario:
    """Load and validate a scenario from a YAML path or a mapping.

    Parameters
    ----------
    source
        A path to a YAML file, a mapping with the same structure, or a Scenario.
    overrides
        ``{"organization.headcount": 200, ...}`` applied before validation, the same as
        the CLI's ``--set organization.headcount=200``.

    Raises
    ------
    ScenarioError
        With one line per problem, each naming the field path and what is allowed; all
        problems of the scenario at once (:mod:`simlib.scenario.problems`).
    """
    if isinstance(source, Scenario):
        if not overrides:
            return source
        source = source.restated()
    if isinstance(source, dict):
        label = "<dict>"
        data: Any = source
    else:
        path = Path(source)
        label = str(path)
        data = read_yaml(path)
    if data is None:
        raise ScenarioError(_("the scenario is empty"), source=label)
    if not isinstance(data, dict):
        raise ScenarioError(
            _("a scenario must be a mapping of sections, got {kind}").format(
                kind=type(data).__name__
            ),
            source=label,
        )
    if overrides:
        data = apply_overrides(data, overrides)
    try:
        scenario, problems = validate(data)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ScenarioError(str(exc), source=label) from None
    if scenario is None:
        raise ScenarioError(problems, source=label)
    return scenario
