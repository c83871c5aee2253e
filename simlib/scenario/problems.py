"""Every problem of a scenario at once, each said once.

pydantic stops early in two places: a model's own checks (shares that sum to 1.05, a
baseline that names no policy) run only once all of its fields are valid, and a policy's
``preset`` is expanded before anything else is looked at. A scenario with five mistakes
would then be reported four at a time, and a misspelled preset alone. :func:`validate`
reports them together: it validates, sets each refused value aside (so that the value
takes its default) and validates again, until nothing new turns up. Problems that could
stem from a value set aside (they name it, or they lie in the same section) are not
reported: every line is a real mistake of the file.

Before that, it reads what pydantic would misread: an unknown preset (the closest shipped
name, any case, stands in for it so the rest of the policy is still checked) and
``rating.shares`` written as a list (a list says no grade; the message shows the mapping).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from simlib.i18n import _
from simlib.scenario.definition import Scenario
from simlib.scenario.policy import PRESETS, unknown_preset
from simlib.scenario.rating import DEFAULT_GRADES
from simlib.scenario.schema import closest, explain

MAX_ROUNDS = 12
"""Validations at most: each sets at least one value aside, and files have few mistakes."""


@dataclass
class _Findings:
    """Lines found so far, and what later lines must not stem from."""

    lines: list[str] = field(default_factory=list)
    sections: list[tuple[Any, ...]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        if line not in self.lines:
            self.lines.append(line)

    def stems_from_set_aside(self, loc: tuple[Any, ...], line: str) -> bool:
        if any(loc[: len(s)] == s for s in self.sections):
            return True
        return any(re.search(rf"\b{re.escape(name)}\b", line) for name in self.names)


def validate(data: dict[str, Any]) -> tuple[Scenario | None, list[str]]:
    """``(scenario, [])`` for a valid mapping, else ``(None, one line per problem)``."""
    found = _Findings()
    data = _read_policies(copy.deepcopy(data), found)
    for _round in range(MAX_ROUNDS):
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            lines = explain(exc, Scenario)
            locs = [_loc(e["loc"]) for e in errors]
            for loc, line in zip(locs, lines, strict=True):
                if not found.stems_from_set_aside(loc, line):
                    found.add(line)
            if not _set_aside(data, errors, locs, found):
                break
        else:
            return (scenario, []) if not found.lines else (None, found.lines)
    return None, found.lines


def _loc(raw: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(k for k in raw if not (isinstance(k, str) and k.startswith("function-")))


def _set_aside(
    data: dict[str, Any], errors: list[Any], locs: list[tuple[Any, ...]], found: _Findings
) -> bool:
    """Remove each refused value from ``data`` (it takes its default); ``False`` if none."""
    removed = False
    for error, loc in zip(errors, locs, strict=True):
        if error["type"] == "missing" or "[key]" in loc:
            continue  # nothing to set aside: a required field, or a name itself
        keys = []
        for key in loc:
            if isinstance(key, int):
                break  # an item of a list: the whole list takes its default
            keys.append(key)
        if not keys:
            continue
        # A value that is not in the file (derived by a validator, e.g. grades from the
        # shares' keys) is set aside with the nearest part of the file it derives from.
        while len(keys) > 1 and not _present(data, keys):
            keys.pop()
        if not _present(data, keys):
            continue
        holder: Any = data
        for key in keys[:-1]:
            holder = holder[key]
        del holder[keys[-1]]
        removed = True
        path = tuple(keys)
        if len(path) > 1:
            found.sections.append(path[:-1])
        found.names.append(str(path[-1]))
    return removed


def _present(data: Any, keys: list[Any]) -> bool:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def _read_policies(data: dict[str, Any], found: _Findings) -> dict[str, Any]:
    """Report unknown presets and list-shaped shares; return the mapping with them mended."""
    policies = data.get("policies")
    if not isinstance(policies, dict):
        return data
    for name, raw in policies.items():
        if not isinstance(raw, dict):
            continue
        where = f"policies.{name}"
        preset = raw.get("preset")
        if "preset" in raw and not (isinstance(preset, str) and preset in PRESETS):
            found.add(unknown_preset(preset, where))
            stand_in = closest(preset, PRESETS)
            if stand_in is not None:
                raw["preset"] = stand_in  # check the rest against the preset meant
            else:
                del raw["preset"]
                found.sections.append(("policies", name))
        rating = raw.get("rating")
        if isinstance(rating, dict) and isinstance(rating.get("shares"), list):
            found.add(_shares_list(rating, raw.get("preset"), where))
            del rating["shares"]
            found.sections.append(("policies", name, "rating"))
    return data


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in mapping.items()) + "}"


def _shares_list(rating: dict[str, Any], preset: Any, where: str) -> str:
    """What to write instead of ``shares: [0.1, 0.2, ...]``: the mapping, with grades."""
    given = rating["shares"]
    stated = rating.get("grades")
    preset_rating = PRESETS[preset]["rating"] if preset in PRESETS else {}
    preset_shares = preset_rating.get("shares") if isinstance(preset_rating, dict) else None
    head = _(
        "{where}.rating.shares: a list {given} does not say which grade gets which share; "
        "write a mapping of grade to share, best grade first"
    ).format(where=where, given=given)
    if isinstance(stated, list) and len(stated) == len(given):
        return head + _(": {mapping}").format(mapping=_flow(dict(zip(stated, given, strict=True))))
    if isinstance(preset_shares, dict):
        grades = list(preset_shares)
        if len(grades) == len(given):
            return head + _(", with the grades of preset {preset}: {mapping}").format(
                preset=preset, mapping=_flow(dict(zip(grades, given, strict=True)))
            )
        return head + _(
            ". Preset {preset} has {count} grades: {mapping}, or name your own {given} "
            "grades: {own}"
        ).format(
            preset=preset,
            count=len(grades),
            mapping=_flow(preset_shares),
            given=len(given),
            own=_flow(_own_grades(given)),
        )
    grades = list(DEFAULT_GRADES)
    if len(grades) == len(given):
        return head + _(": {mapping}").format(mapping=_flow(dict(zip(grades, given, strict=True))))
    return head + _(", e.g. {mapping}").format(mapping=_flow(_own_grades(given)))


def _own_grades(given: list[Any]) -> dict[str, Any]:
    """Grades A, B, C... (G1, G2... past 26) for a list of shares, best first."""
    names = [chr(ord("A") + i) if len(given) <= 26 else f"G{i + 1}" for i in range(len(given))]
    return dict(zip(names, given, strict=True))
