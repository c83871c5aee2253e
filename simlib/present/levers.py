"""Levers: the explorer's controls, read off the scenario schema.

Every numeric, yes/no or choice field of the policy being adjusted and of the behaviour
assumptions becomes a lever with the field's bounds and description; plain Python, testable
without a browser.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from simlib.i18n import _
from simlib.scenario.definition import Scenario
from simlib.scenario.fields import FieldRecord, walk

SKIPPED_FIELDS = {"description", "scheme", "grades", "name"}
SLIDER_MAX_SPAN = 1_000.0  # wider numeric ranges get a number box, not a slider


@dataclass(frozen=True)
class Lever:
    """One control: where it writes in the scenario and what it allows.

    ``path`` is the dotted override path (``policies.curve.rating.shares.S``); ``kind`` is
    ``float``, ``int``, ``bool`` or ``choice``.
    """

    path: str
    label: str
    kind: str
    value: Any
    group: str
    low: float | None = None
    high: float | None = None
    options: tuple[Any, ...] = ()
    description: str = ""
    optional: bool = False  # None (switched off) is allowed, e.g. no merit budget of its own

    @property
    def step(self) -> float:
        if self.kind == "int":
            return 1
        if self.low is None or self.high is None:
            return 0.01
        span = self.high - self.low
        raw = span / 100.0
        power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 0.01
        return min((m * power for m in (1, 2, 5, 10) if m * power >= raw), default=power)

    @property
    def slider(self) -> bool:
        return (
            self.kind in ("float", "int")
            and self.low is not None
            and self.high is not None
            and self.high - self.low <= SLIDER_MAX_SPAN
        )


def _label(path: Sequence[str]) -> str:
    return " · ".join(p.replace("_", " ") for p in path)


def _lever(record: FieldRecord, group: str, label: str) -> Lever | None:
    """The control for one field or item, if it is a number, a yes/no or a choice."""
    value, path, doc = record.value, record.dotted, record.description
    if record.kind == "choice":
        return Lever(path, label, "choice", value, group, options=record.choices, description=doc)
    if record.kind == "bool" and isinstance(value, bool):
        return Lever(path, label, "bool", value, group, description=doc)
    if not record.numeric:
        return None
    low = None if record.low is None else float(record.low)
    high = None if record.high is None else float(record.high)
    numeric = Lever(path, label, record.kind, value, group, low, high, description=doc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return replace(numeric, optional=record.optional)
    if value is None and record.optional and low is not None and high is not None:
        return replace(numeric, optional=True)
    return None


def _walk(
    model: BaseModel, prefix: tuple[str, ...], group: str, label_from: int
) -> list[tuple[Lever, tuple[str, ...]]]:
    """Levers of every field below ``model`` with their paths; sections name the group.

    Items of lists and mappings become levers too (a pay matrix cell, a share of a forced
    curve); fields of models held in a list or mapping do not.
    """
    found: list[tuple[Lever, tuple[str, ...]]] = []
    skipped: list[tuple[str, ...]] = []
    for record in walk(model, prefix):
        if record.in_item or any(record.path[: len(s)] == s for s in skipped):
            continue
        if not record.entry and record.field in SKIPPED_FIELDS:
            skipped.append(record.path)
            continue
        owner = record.owner
        section = owner[label_from].replace("_", " ") if len(owner) > label_from else group
        lever = _lever(record, section, _label(record.path[label_from:]))
        if lever is not None:
            found.append((lever, record.path))
    return found


def levers(scenario: Scenario, policy: str) -> list[Lever]:
    """The controls for ``policy`` and for the behaviour assumptions, read off the schema.

    Policy fields come first, grouped by section (``rating``, ``consequences``, and any
    section the schema adds); then the assumptions of ``behaviour``, grouped the same way.
    Labels leave out the section, which the group title names.
    """
    found = []
    for lv, parts in _walk(scenario.policies[policy], ("policies", policy), "", 2):
        label = _label(parts[3:]) if len(parts) > 3 else _label(parts[2:])
        found.append(replace(lv, label=label, group=f"{policy}: {lv.group or 'policy'}"))
    for lv, parts in _walk(scenario.behaviour, ("behaviour",), "general", 1):
        label = _label(parts[1:]) if lv.group == "general" else _label(parts[2:])
        found.append(replace(lv, label=label, group=f"assumptions: {lv.group}"))
    return found


def shares_check(values: dict[str, float]) -> tuple[bool, str]:
    """Whether grade shares sum to 100%, and a line saying so."""
    total = 100.0 * math.fsum(values.values())
    ok = abs(total - 100.0) < 0.05
    mark = "✓" if ok else "✗"
    said = _("{mark} shares sum to {total}%").format(mark=mark, total=f"{total:.1f}")
    return ok, said + ("" if ok else _(" — they must sum to 100%"))
