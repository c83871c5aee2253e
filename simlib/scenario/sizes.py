"""Where a behavioural size comes from, and how sure we are: the marker each one carries.

Every number about how people behave says what backs it, as one of four kinds:

* ``sourced`` — a published number gives the size (author, year and the number);
* ``calibrated`` — set, alone or with others, so that the model reproduces published
  figures (which ones);
* ``assumption`` — no published number gives the size: a plausible range is stated, and
  the model's answers should be read across it;
* ``definition`` — a unit, a scale's reference point or a fact about the organization
  itself; it fixes what the numbers mean rather than how people respond.

A field declares its kind with :func:`sourced`, :func:`calibrated`, :func:`assumption` or
:func:`definition`, unpacked into ``Field(...)``::

    learning_rate: float = Field(
        0.5, ge=0, le=1,
        **assumption(EFFORT, "weight of the latest review in beliefs", (0.2, 0.8),
                     "no study measures how fast employees revise what a grade brings"),
    )

The helper writes the field's description (what it is, then where its size comes from)
and a machine-readable ``size`` marker in the field's JSON schema. The register
(:mod:`simlib.scenario.sources`) reads the markers back for the README and the reports, so
each text is written once, in the field that it describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypedDict

Kind = Literal["sourced", "calibrated", "assumption", "definition"]

KIND_MEANINGS: dict[str, str] = {
    "sourced": "a published number gives the size",
    "calibrated": "set so that the model reproduces published figures",
    "assumption": "no published number gives the size; read the model across the range",
    "definition": "a unit, reference point or fact about the organization, not a response",
}

# The behavioural responses, in the order the README's table lists them.
WORK = "performance and output"
EFFORT = "effort and incentives"
GAMING = "gaming"
HELPING = "helping and sabotage"
GOALS = "goals"
FEEDBACK = "check-in feedback"
TRAINING = "training and PIPs"
ENGAGEMENT = "engagement and fairness"
QUITS = "quits"
LAYOFFS = "layoffs and discharges"
CAREERS = "promotion and careers"
RATERS = "raters"
APPEALS = "appeals"
COSTS = "costs and the value of output"
RESPONSES = (
    WORK,
    EFFORT,
    GAMING,
    HELPING,
    GOALS,
    FEEDBACK,
    TRAINING,
    ENGAGEMENT,
    QUITS,
    LAYOFFS,
    CAREERS,
    RATERS,
    APPEALS,
    COSTS,
)


@dataclass(frozen=True)
class Size:
    """What backs one behavioural size: its response, kind, basis and plausible range."""

    response: str
    kind: Kind
    basis: str
    low: float | None = None
    high: float | None = None

    @property
    def has_range(self) -> bool:
        return self.low is not None and self.high is not None

    def range_text(self) -> str:
        """``0.2–0.8``, or empty without a range."""
        return f"{self.low:g}–{self.high:g}" if self.has_range else ""

    def sentence(self) -> str:
        """Where the size comes from, as the field's description says it."""
        span = self.range_text()
        if self.kind == "assumption":
            return f"Assumption, plausible range {span}: {self.basis}"
        label = {"sourced": "Source", "calibrated": "Calibrated", "definition": "Definition"}
        text = f"{label[self.kind]}: {self.basis}"
        return text + (f"; range {span}" if span else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "response": self.response,
            "kind": self.kind,
            "basis": self.basis,
            "low": self.low,
            "high": self.high,
        }

    @classmethod
    def from_json(cls, data: Any) -> Size | None:
        """The size a field's ``json_schema_extra`` carries, or ``None`` if it has none."""
        if not isinstance(data, dict) or not isinstance(data.get("size"), dict):
            return None
        return cls(**data["size"])


class FieldText(TypedDict):
    """The keyword arguments of ``Field(...)`` a size helper writes."""

    description: str
    json_schema_extra: dict[str, Any]


def _field(meaning: str, size: Size, note: str) -> FieldText:
    if size.response not in RESPONSES:
        raise ValueError(f"unknown response {size.response!r}; one of {RESPONSES}")
    if not size.basis:
        raise ValueError(f"{meaning!r}: say where the size comes from")
    if size.low is not None and size.high is not None and size.low > size.high:
        raise ValueError(f"{meaning!r}: range {size.range_text()} runs backwards")
    text = f"{meaning}. {size.sentence()}" + (f". {note}" if note else "")
    return {"description": text, "json_schema_extra": {"size": size.as_json()}}


def sourced(
    response: str,
    meaning: str,
    source: str,
    span: tuple[float, float] | None = None,
    note: str = "",
) -> FieldText:
    """A size a published number gives: ``source`` names author, year and the number."""
    low, high = span if span is not None else (None, None)
    return _field(meaning, Size(response, "sourced", source, low, high), note)


def calibrated(
    response: str,
    meaning: str,
    target: str,
    span: tuple[float, float] | None = None,
    note: str = "",
) -> FieldText:
    """A size set so the model reproduces ``target`` (published figures, with their source)."""
    low, high = span if span is not None else (None, None)
    return _field(meaning, Size(response, "calibrated", target, low, high), note)


def assumption(
    response: str,
    meaning: str,
    span: tuple[float, float],
    basis: str,
    note: str = "",
) -> FieldText:
    """A size no published number gives, with its plausible range and what it leans on."""
    return _field(meaning, Size(response, "assumption", basis, span[0], span[1]), note)


def definition(
    response: str,
    meaning: str,
    what: str,
    span: tuple[float, float] | None = None,
    note: str = "",
) -> FieldText:
    """A unit, reference point or fact about the organization (``what`` says which)."""
    low, high = span if span is not None else (None, None)
    return _field(meaning, Size(response, "definition", what, low, high), note)
