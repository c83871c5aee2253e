"""The register of behavioural sizes: every one, where it comes from and how sure we are.

Read from the ``size`` markers the fields carry (:mod:`simlib.scenario.sizes`): every
numeric field of the ``behaviour`` section, the few sizes of how people respond that sit
with a policy's levers (the appeal panel, a PIP's coaching, development and training), and
the prices of the ``costs`` section (what a hire, a severance and a manager hour cost, and
what output is worth). The README's table under "What it models" is :func:`markdown_table`
(``python -m simlib.scenario.sources`` prints it; a test keeps the two equal), and the
reports' assumptions register shows each parameter's kind and range.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pydantic import BaseModel

from simlib.scenario.behaviour import Behaviour
from simlib.scenario.costs import Costs
from simlib.scenario.fields import FieldRecord, walk
from simlib.scenario.policy import DevelopmentPolicy, PipRule, PromotionRule
from simlib.scenario.rating import AppealRule
from simlib.scenario.sizes import KIND_MEANINGS, RESPONSES, Size

# Where the register looks: the behaviour section, and the sizes of how people respond
# that sit with a policy's levers (the appeal panel, a PIP's coaching, training).
ROOTS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("behaviour", Behaviour),
    ("policies.<policy>.rating.appeals", AppealRule),
    ("policies.<policy>.consequences.pip", PipRule),
    ("policies.<policy>.pay.promotion", PromotionRule),
    ("policies.<policy>.development", DevelopmentPolicy),
    ("costs", Costs),
)


@dataclass(frozen=True)
class Entry:
    """One behavioural size: its parameter path, default, description and what backs it."""

    path: str
    default: float | None  # None: derived from other parameters when not stated
    description: str
    size: Size


def size_of(record: FieldRecord) -> Size | None:
    """The size marker a schema record carries, if any."""
    return Size.from_json(record.extra)


def numeric_fields() -> list[FieldRecord]:
    """Every numeric field under the register's roots, as the schema walker sees them."""
    return [r for prefix, model in ROOTS for r in walk(model, prefix) if r.numeric]


def register() -> list[Entry]:
    """Every marked size, grouped by response in :data:`RESPONSES` order, then as declared.

    Raises
    ------
    ValueError
        If a numeric behaviour field carries no size (the README would silently skip it).
    """
    entries = []
    for record in numeric_fields():
        size = size_of(record)
        if size is None:
            if record.path[0] == "behaviour":
                raise ValueError(f"{record.dotted} says nowhere where its size comes from")
            continue
        entries.append(Entry(record.dotted, record.default, record.description, size))
    order = {response: i for i, response in enumerate(RESPONSES)}
    return sorted(entries, key=lambda e: order[e.size.response])


def kind_counts() -> dict[str, int]:
    """How many sizes are of each kind (sourced, calibrated, assumption, definition)."""
    counts = Counter[str](e.size.kind for e in register())
    return {kind: counts[kind] for kind in KIND_MEANINGS}


def markdown_table() -> str:
    """The README's table of behavioural sizes, grouped by response (a test keeps them equal)."""
    rows = [
        "| response | parameter | default | where it comes from | kind | range |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    shown = None
    for e in register():
        response = f"**{e.size.response}**" if e.size.response != shown else ""
        shown = e.size.response
        basis = e.size.basis.replace("|", "/")
        span = e.size.range_text() or "–"
        default = "derived" if e.default is None else f"{e.default:g}"
        rows.append(f"| {response} | `{e.path}` | {default} | {basis} | {e.size.kind} | {span} |")
    return "\n".join(rows)


def kinds_line() -> str:
    """One line counting the sizes by kind, for the README under the table."""
    nouns = {"assumption", "definition"}  # the kinds that take a plural
    counts = kind_counts()
    parts = [f"{n} {kind}{'s' if kind in nouns and n != 1 else ''}" for kind, n in counts.items()]
    return f"{sum(counts.values())} sizes: " + ", ".join(parts)


if __name__ == "__main__":
    print(markdown_table())
    print()
    print(kinds_line())
