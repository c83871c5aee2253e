"""Numbers in the words and units a client reads: 2–3 significant figures, thousands
separators, percentages for shares, money in the scenario's currency, never ``NaN``.

Every metric's kind of unit is read from its catalogue entry (:mod:`simlib.metrics.catalogue`)
so a new metric is worded without an edit here:

* ``money``: ``currency`` in the unit; ``EUR 2.24 million``;
* ``share``: a share 0–1; a level reads ``12.3%``, a difference ``+3.4 percentage points``;
* ``sd``: SD units; ``+0.15 SD``;
* ``points``: an index; ``+3.4 points``;
* ``hours``: ``+1.2 hours``;
* ``people``: ``487 people``;
* ``number``: anything else (correlations, ratios), plain.
"""

from __future__ import annotations

import math

from simlib.i18n import _
from simlib.metrics.catalogue import FAMILIES, metric

MINUS = "\u2212"  # a typographic minus sign
CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
MISSING = "–"


def unit_kind(name: str) -> str:
    """The kind of unit of a metric: money, share, sd, points, hours, people or number."""
    found = metric(name)
    unit = "" if found is None else found.unit.lower()
    if "currency" in unit:
        return "money"
    if unit.startswith("people"):
        return "people"
    if unit.startswith("hours"):
        return "hours"
    if "sd units" in unit:
        return "sd"
    if unit.startswith("index"):
        return "points"
    if "share" in unit or "0-1" in unit:
        return "share"
    return "number"


def label(name: str) -> str:
    """The client's name of a metric (the catalogue's label), else the name in words; in
    the language in force."""
    prefix, sep, member = name.partition(":")
    if sep and prefix in FAMILIES:
        return _(FAMILIES[prefix].label).format(member=member)
    found = metric(name)
    return _(found.label) if found is not None else name.replace("_", " ").capitalize()


def unit(name: str) -> str:
    """A metric's unit as the client reads it (the catalogue's unit, translated)."""
    found = metric(name)
    return _(found.unit) if found is not None else ""


def in_sentence(text: str) -> str:
    """A label inside a sentence: its first letter lower case unless it starts an acronym."""
    if not text[:1].isascii():
        return text
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _finite(x: float | None) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def decimals_for(x: float, digits: int = 3) -> int:
    """Decimals that show ``x`` to ``digits`` significant figures; negative for large values
    (``-3`` rounds to thousands)."""
    if not _finite(x) or x == 0:
        return 0
    return digits - 1 - math.floor(math.log10(abs(x)))


def fixed(x: float | None, decimals: int, signed: bool = False) -> str:
    """``x`` with ``decimals`` decimals (negative: rounded to tens, hundreds...) and
    thousands separators; a true minus sign; no sign on what rounds to zero."""
    if not _finite(x):
        return MISSING
    assert x is not None
    if decimals < 0:
        step = 10.0 ** (-decimals)
        x, decimals = round(x / step) * step, 0
    text = f"{abs(x):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return text
    if x < 0:
        return MINUS + text
    return ("+" if signed else "") + text


def number(x: float | None, digits: int = 3, signed: bool = False) -> str:
    """``x`` to ``digits`` significant figures: ``0.0151``, ``117``, ``34,600,000``."""
    if not _finite(x):
        return MISSING
    assert x is not None
    return fixed(x, decimals_for(x, digits), signed)


def _money_scale(x: float) -> tuple[float, str]:
    ax = abs(x)
    if ax >= 1e9:
        return 1e9, _(" billion")
    if ax >= 1e6:
        return 1e6, _(" million")
    return 1.0, ""


def money(x: float | None, currency: str = "", signed: bool = False) -> str:
    """An amount of money to 3 significant figures: ``€2.24 million``, ``−EUR 12,000``."""
    if not _finite(x):
        return MISSING
    assert x is not None
    scale, word = _money_scale(x)
    body = number(x / scale, 3, signed)
    sign = ""
    if body[0] in ("+", MINUS):
        sign, body = body[0], body[1:]
    sym = CURRENCY_SIGNS.get(currency, f"{currency} " if currency else "")
    return f"{sign}{sym}{body}{word}"


def interval(
    mean: float | None, low: float | None, high: float | None, kind: str, currency: str = ""
) -> tuple[str, str]:
    """A difference and its 95% interval in plain units: ``("+3.4 percentage points",
    "[0.7, 6.0]")``. The interval's bounds use the difference's scale and decimals."""
    if not _finite(mean):
        return MISSING, ""
    assert mean is not None
    if kind == "share":
        m, lo, hi, unit = 100 * mean, _scaled(low, 100), _scaled(high, 100), _(" percentage points")
    elif kind == "money":
        scale, word = _money_scale(max(abs(mean), abs(low or 0), abs(high or 0)))
        sym = CURRENCY_SIGNS.get(currency, f"{currency} " if currency else "")
        m, lo, hi = mean / scale, _scaled(low, 1 / scale), _scaled(high, 1 / scale)
        d = _shared_decimals(m, lo, hi)
        head = fixed(m, d, signed=True)
        head = f"{head[0]}{sym}{head[1:]}{word}" if head[0] in ("+", MINUS) else head
        return head, _bounds(lo, hi, d)
    else:
        m, lo, hi = mean, low, high
        unit = {
            "sd": _(" SD"),
            "points": _(" points"),
            "hours": _(" hours"),
            "people": _(" people"),
        }.get(kind, "")
    d = _shared_decimals(m, lo, hi)
    return fixed(m, d, signed=True) + unit, _bounds(lo, hi, d)


def _scaled(x: float | None, factor: float) -> float | None:
    return None if not _finite(x) else float(x) * factor  # type: ignore[arg-type]


def _shared_decimals(m: float, lo: float | None, hi: float | None) -> int:
    """Decimals that give the difference 2–3 significant figures, keep the interval's width
    readable (two figures of its half-width) and never round a bound that is not zero to
    zero (an interval that excludes zero must be seen to)."""
    d = decimals_for(m, 3) if m != 0 else 2
    bounds = [float(b) for b in (lo, hi) if _finite(b)]  # type: ignore[arg-type]
    if len(bounds) == 2:
        half = abs(bounds[1] - bounds[0]) / 2
        if half > 0:
            d = min(d, decimals_for(half, 2))
            d = max(d, decimals_for(m, 2) if m != 0 else d)
        for b in bounds:
            while b != 0 and d < 4 and float(fixed(b, d).replace(MINUS, "-").replace(",", "")) == 0:
                d += 1
    return min(d, 4)


def _bounds(lo: float | None, hi: float | None, d: int) -> str:
    if not (_finite(lo) and _finite(hi)):
        return ""
    return f"[{fixed(lo, d)}, {fixed(hi, d)}]"


def level(x: float | None, kind: str, currency: str = "") -> str:
    """A level (not a difference) in plain units: ``12.3%``, ``€34.6 million``, ``487``."""
    if not _finite(x):
        return MISSING
    assert x is not None
    if kind == "share":
        return f"{number(100 * x, 3)}%"
    if kind == "money":
        return money(x, currency)
    return number(x, 3)
