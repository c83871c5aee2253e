"""Save what was tuned in the explorer as a scenario file of its own.

The saved file is the scenario file the explorer started from (its presets and values as
written) plus only what was changed, each change with a comment saying what it was before.
A grade share or a pay matrix cell is written with the whole curve or matrix it belongs to,
since a curve replaces the preset's curve whole. Before anything is written the text is read
back and must give the very scenario the explorer ran (the same hash); the file is then
written to a temporary file beside the target and renamed over it, so a reader never sees
half a file.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from simlib.errors import ScenarioError
from simlib.scenario import dotted
from simlib.scenario.definition import Scenario
from simlib.scenario.fields import walk
from simlib.scenario.loading import load_scenario, read_yaml

HEADER = (
    "# Saved from the explorer: {source} with {count} change(s), each marked below.\n"
    "# Check it with: simlib check {name}   Run it with: simlib batch {name}\n"
)
CHANGED = "changed in the explorer; was {before}"


def _inline(value: Any) -> str:
    """One value as YAML on one line (flow style for lists and mappings)."""
    text = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10**6
    )
    text = text.strip()
    return text[: -len("...")].strip() if text.endswith("\n...") or text == "..." else text


def _emit(data: Any, comments: dict[tuple[str, ...], str], path: tuple[str, ...] = ()) -> str:
    """Block-style YAML of nested mappings, with ``# comment`` after the keys named."""
    lines: list[str] = []
    indent = "  " * len(path)
    for key, value in data.items():
        here = (*path, str(key))
        note = f"  # {comments[here]}" if here in comments else ""
        head = f"{indent}{_inline(key)}:"
        if isinstance(value, dict) and value and here not in comments:
            lines.append(head + note)
            lines.append(_emit(value, comments, here))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(head + note)
            lines.extend(f"{indent}  - {_inline(item)}" for item in value)
        elif isinstance(value, str) and "\n" in value:
            chomp = "-" if not value.endswith("\n") else ("+" if value.endswith("\n\n") else "")
            lines.append(f"{head} |{chomp}{note}")
            lines.extend(f"{indent}  {line}" if line else "" for line in value.splitlines())
        else:
            lines.append(f"{head} {_inline(value)}{note}")
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    """Numbers without float noise (0.30000000000000004 is written 0.3)."""
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _whole_paths(scenario: Scenario, paths: list[str]) -> list[str]:
    """Each changed path, widened to the field holding it when it is an item of a list or
    mapping (a grade share -> the whole ``shares``; a matrix cell -> the whole ``matrix``)."""
    entries = {r.dotted for r in walk(scenario) if r.entry}
    out: list[str] = []
    for path in paths:
        keys = list(dotted.split(path))
        while len(keys) > 1 and dotted.join(keys) in entries:
            keys.pop()
        whole = dotted.join(keys)
        if whole not in out:
            out.append(whole)
    return out


def scenario_text(
    source: str | Path,
    overrides: dict[str, Any],
    target: str | Path = "scenario.yaml",
) -> tuple[str, Scenario]:
    """The YAML of ``source`` with ``overrides`` applied, and the scenario it stands for.

    ``overrides`` are dotted paths into the scenario as the explorer sees it (presets
    expanded), e.g. ``policies.curve.rating.shares.S`` or ``environment.years``; values
    equal to the source's are left out.

    Raises
    ------
    ScenarioError
        If the settings do not validate, or the written text would not load back to the
        same scenario.
    """
    source = Path(source)
    base = load_scenario(source)
    wanted = load_scenario(base.to_dict(), overrides=overrides)
    before, after = base.to_dict(), wanted.to_dict()
    raw = read_yaml(source)
    if not isinstance(raw, dict):
        raise ScenarioError("a scenario must be a mapping of sections", source=str(source))
    comments: dict[tuple[str, ...], str] = {}
    changed = [p for p in overrides if dotted.get(after, p) != dotted.get(before, p, None)]
    for path in _whole_paths(wanted, changed):
        value = _plain(dotted.get(after, path))
        raw = dotted.set(raw, path, value)
        was = _plain(dotted.get(before, path, None))
        comments[tuple(str(k) for k in dotted.split(path))] = CHANGED.format(before=_inline(was))
    name = Path(target).name
    text = HEADER.format(source=source.name, count=len(comments), name=name)
    text += _emit(raw, comments) + "\n"
    again = load_scenario(yaml.safe_load(text))
    if again.hash != wanted.hash:
        raise ScenarioError(
            "the saved file would not give the settings shown; nothing was written",
            source=str(target),
        )
    return text, wanted


def save_scenario(source: str | Path, overrides: dict[str, Any], target: str | Path) -> Path:
    """Write the tuned scenario to ``target`` atomically; the path written.

    The text is written to a temporary file in the target's folder and renamed over the
    target, so an interrupted save leaves the old file (or none), never part of one.
    """
    target = Path(target).expanduser()
    if target.suffix not in (".yaml", ".yml"):
        raise ScenarioError(f"save as: {target} should end in .yaml")
    if not target.parent.is_dir():
        raise ScenarioError(f"save as: the folder {target.parent} does not exist")
    text, _ = scenario_text(source, overrides, target)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target.resolve()
