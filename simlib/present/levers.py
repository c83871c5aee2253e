"""Levers: the explorer's controls, read off the scenario schema.

Every numeric, yes/no or choice field of the policy being adjusted and of the behaviour
assumptions becomes a lever with the field's bounds, description, unit and source (the size
marker of :mod:`simlib.scenario.sizes`); plain Python, testable without a browser.

Levers come in order of importance: the sections the policy itself sets (its lever set:
what its preset or the scenario states) first, then its other sections, then the behaviour
assumptions. :func:`rebalance` keeps a curve's grade shares at 100% when one is moved and
:func:`matching` filters levers by a search text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from simlib.i18n import _, language
from simlib.scenario.definition import Scenario
from simlib.scenario.fields import FieldRecord, walk
from simlib.scenario.sources import size_of

SKIPPED_FIELDS = {"description", "scheme", "grades", "name"}
SLIDER_MAX_SPAN = 1_000.0  # wider numeric ranges get a number box, not a slider
SHARE_DECIMALS = 3  # rebalanced shares are rounded to 0.1 percentage point
ASSUMPTIONS = "assumptions"  # the group prefix of behaviour assumptions
# Words that mark a parenthesis of a field's description as its unit: "(SD units)", "(weeks)".
UNIT_WORDS = ("unit", "week", "year", "hour", "minute", "share", "0-1", "%", "people", "log")
# ... and field names that say their unit when the description does not.
NAME_UNITS = (("_sd", "SD units"), ("weeks", "weeks"), ("hours", "hours"), ("minutes", "minutes"))


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
    unit: str = ""  # e.g. "SD units", "weeks", "share 0-1"; empty when the field names none
    source: str = ""  # where the size comes from (its size marker), empty when unmarked

    @property
    def tooltip(self) -> str:
        """What the lever is, its unit and its source, for the control's hover text."""
        lines = [self.description or self.path]
        if self.unit:
            lines.append(_("Unit: {unit}").format(unit=self.unit))
        if self.source and self.source not in lines[0]:
            lines.append(self.source)
        if self.description:
            lines.append(self.path)
        return "\n".join(lines)

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
    """The field path with spaces, each part in the reader's language (words from
    :mod:`simlib.present.lever_words`; names such as grades and policies as they are)."""
    return " · ".join(_(str(p).replace("_", " ")) for p in path)


def choice_label(option: Any) -> str:
    """A choice as the reader sees it (``largest_remainder`` in words of their language; the
    value written to the scenario stays the option itself)."""
    if not isinstance(option, str):
        return str(option)
    words = option.replace("_", " ")
    said = _(words)
    return option if said == words else said


def group_title(group: str) -> str:
    """A lever group's title in the reader's language: ``curve: rating`` (policy name kept,
    section translated); an assumptions group by its section alone."""
    owner, _sep, section = group.rpartition(": ")
    words = _(section.replace("_", " "))
    if owner == ASSUMPTIONS or not owner:
        return words
    return f"{owner}: {words}"


def unit_of(
    description: str, low: float | None = None, high: float | None = None, name: str = ""
) -> str:
    """The unit a field's description names: its parenthesis that reads like a unit.

    ``"week-to-week luck in true performance (SD units per week). Assumption ..."`` gives
    ``"SD units per week"``; a description ending in ``", share"`` gives ``"share"``; an
    unmarked number bounded by 0 and 1 reads as a share 0-1; then the field's ``name``
    (``..._sd``: SD units; ``...weeks``, ``...hours``, ``...minutes``). Otherwise empty.
    """
    meaning = re.split(r"\. (?:Source|Assumption|Calibrated|Definition)\b", description)[0]
    for inner in reversed(re.findall(r"\(([^()]{1,40})\)", meaning)):
        if any(word in inner.lower() for word in UNIT_WORDS):
            return inner.strip()
    if meaning.rstrip(". ").endswith(", share"):
        return "share"
    if (low, high) == (0.0, 1.0):
        return "share 0-1"
    for ending, unit in NAME_UNITS:
        if name.endswith(ending):
            return unit
    return ""


def _lever(record: FieldRecord, group: str, label: str) -> Lever | None:
    """The control for one field or item, if it is a number, a yes/no or a choice."""
    lever = _bare_lever(record, group, label)
    if lever is None:
        return None
    size = size_of(record)
    unit = ""
    if lever.kind in ("float", "int"):
        unit = unit_of(lever.description, lever.low, lever.high, str(record.path[-1]))
    source = size.sentence() if size else ""
    if language() != "en":
        # The description carries its source: translated whole, it says the source too.
        if source in lever.description:
            source = ""
        return replace(
            lever,
            description=_(lever.description) if lever.description else "",
            unit=_(unit),
            source=source,
        )
    return replace(lever, unit=unit, source=source)


def _bare_lever(record: FieldRecord, group: str, label: str) -> Lever | None:
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
    section the schema adds): first the sections the policy sets (its lever set, as its
    preset or the scenario states them), then its other sections; then the assumptions of
    ``behaviour``, grouped the same way. Labels leave out the section, which the group
    title names.
    """
    chosen = scenario.policies[policy]
    own: list[Lever] = []
    other: list[Lever] = []
    for lv, parts in _walk(chosen, ("policies", policy), "", 2):
        label = _label(parts[3:]) if len(parts) > 3 else _label(parts[2:])
        lever = replace(lv, label=label, group=f"{policy}: {lv.group or 'policy'}")
        (own if parts[2] in chosen.model_fields_set else other).append(lever)
    found = own + other
    for lv, parts in _walk(scenario.behaviour, ("behaviour",), "general", 1):
        label = _label(parts[1:]) if lv.group == "general" else _label(parts[2:])
        found.append(replace(lv, label=label, group=f"{ASSUMPTIONS}: {lv.group}"))
    return found


def is_assumption(lever: Lever) -> bool:
    """Whether the lever is a behavioural assumption rather than a policy lever."""
    return lever.group.startswith(f"{ASSUMPTIONS}:")


def matching(found: Sequence[Lever], query: str) -> list[Lever]:
    """The levers whose name (label, group or path) holds every word of ``query``.

    Case and underscores are ignored: ``"quit rate"`` finds ``voluntary quit rate``.
    """
    words = query.lower().replace("_", " ").split()
    out = []
    for lever in found:
        text = " ".join((lever.label, lever.group, lever.path)).lower().replace("_", " ")
        if all(word in text for word in words):
            out.append(lever)
    return out


def rebalance(
    shares: dict[str, float], moved: str, value: float, locked: frozenset[str] = frozenset()
) -> dict[str, float]:
    """Grade shares after ``moved`` is set to ``value``, still summing to 1.

    The other grades that are not ``locked`` are rescaled in proportion to their current
    shares so the total stays 1 (all equally when they are all zero). ``value`` is held
    within what the locked grades leave. Shares are rounded to :data:`SHARE_DECIMALS`
    decimals and the rounding remainder goes to the largest free grade, so the sum is 1 to
    within floating point. With no free grade to absorb the change, the moved grade keeps
    what the locked ones leave.
    """
    out = dict(shares)
    free = [k for k in shares if k != moved and k not in locked]
    held = math.fsum(v for k, v in shares.items() if k != moved and k in locked)
    room = max(0.0, 1.0 - held)
    target = min(max(float(value), 0.0), room)
    if not free:
        target = room
    target = round(target, SHARE_DECIMALS)
    out[moved] = target
    if free:
        left = max(0.0, 1.0 - held - target)
        before = math.fsum(shares[k] for k in free)
        for k in free:
            part = shares[k] / before if before > 0 else 1.0 / len(free)
            out[k] = round(left * part, SHARE_DECIMALS)
        remainder = 1.0 - math.fsum(out.values())
        largest = max(free, key=lambda k: out[k])
        out[largest] = round(max(0.0, out[largest] + remainder), SHARE_DECIMALS + 6)
    return out


def shares_check(values: dict[str, float]) -> tuple[bool, str]:
    """Whether grade shares sum to 100%, and a line saying so."""
    total = 100.0 * math.fsum(values.values())
    ok = abs(total - 100.0) < 0.05
    mark = "✓" if ok else "✗"
    said = _("{mark} shares sum to {total}%").format(mark=mark, total=f"{total:.1f}")
    return ok, said + ("" if ok else _(" — they must sum to 100%"))
