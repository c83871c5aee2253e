"""Helpers every ``simlib`` command module shares: argument types and ``--set`` parsing."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


def overrides(pairs: Sequence[str] | None) -> dict[str, Any]:
    """``--set PATH=VALUE`` pairs as a mapping of dotted paths to values (read as YAML)."""
    from simlib.scenario.loading import parse_override

    out: dict[str, Any] = {}
    for text in pairs or []:
        key, value = parse_override(text)
        out[key] = value
    return out


def positive_int(text: str) -> int:
    """Argument type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is out of range; allowed at least 1")
    return value


def seed(text: str) -> int:
    """Argument type: an experiment seed, 0 to 2**63-1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{value} is out of range; allowed 0 to 2**63-1")
    return value


def names(text: str | None) -> list[str] | None:
    """A comma-separated list of names (None if not given)."""
    return [t.strip() for t in text.split(",") if t.strip()] if text else None
