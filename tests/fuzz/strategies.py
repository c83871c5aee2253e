"""Hypothesis strategies: broken scenarios by structure and by bytes, and random valid ones.

- :func:`mutated_documents` takes a shipped scenario and applies one to three structural
  mutations: a deleted key, a wrong type, NaN or infinity, a negative, zero or huge
  number, unicode text, shares that no longer sum to 1, an unknown or misspelt key.
- :func:`broken_bytes` makes files that are not scenarios: empty, binary garbage, non-UTF-8
  text, truncated or scrambled YAML, numbers spelt oddly.
- :func:`schema_documents` draws every field from its declared type and range, read from
  the pydantic schema itself, so new fields are fuzzed as soon as they exist.
- :func:`valid_documents` builds scenarios that satisfy every rule, which must all load.
"""

from __future__ import annotations

import copy
import math
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st
from pydantic import BaseModel

import simlib.scenario.dotted as dotted
import simlib.scenario.fields as fields
from simlib.scenario.definition import Scenario
from simlib.scenario.policy import PRESETS
from simlib.scenario.schema import field_bounds
from tests.conftest import SCENARIOS

Path_ = tuple[Any, ...]


def shipped() -> dict[str, str]:
    """The text of every shipped scenario, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SCENARIOS.glob("*.yaml"))}


def dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


# --- structural mutations -------------------------------------------------------------------


def node_paths(doc: Any, prefix: Path_ = ()) -> list[Path_]:
    """Paths of every node under ``doc`` (mapping keys and list indices)."""
    found: list[Path_] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.append((*prefix, key))
            found.extend(node_paths(value, (*prefix, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found.append((*prefix, i))
            found.extend(node_paths(value, (*prefix, i)))
    return found


def _parent(doc: Any, path: Path_) -> Any:
    return dotted.get(doc, path[:-1])


WRONG_TYPES = [None, "", "text", [], {}, True, False, [1, 2], {"x": 1}, "ünïcødé ✓", 0, -1]
SPECIAL_NUMBERS = [
    math.nan,
    math.inf,
    -math.inf,
    0,
    0.0,
    -0.0,
    -1,
    -1e-9,
    1e-300,
    10**30,
    -(10**30),
    2**63,
    2**64,
    1e308,
    -1e308,
]


@st.composite
def mutation(draw: st.DrawFn, doc: Any) -> str:
    """Apply one mutation to ``doc`` in place; return a label saying what and where."""
    paths = node_paths(doc)
    kind = draw(
        st.sampled_from(
            ["delete", "wrong_type", "number", "scale", "unicode", "unknown_key", "misspell"]
        )
    )
    if not paths:
        kind = "unknown_key"
    if kind == "unknown_key":
        mappings = [()] + [p for p in paths if isinstance(dotted.get(doc, p), dict)]
        where = draw(st.sampled_from(mappings))
        key = draw(st.text(st.characters(codec="utf-8"), min_size=1, max_size=12))
        dotted.get(doc, where)[key] = draw(st.sampled_from(WRONG_TYPES))
        return f"unknown_key {where}"
    path = draw(st.sampled_from(paths))
    parent = _parent(doc, path)
    key = path[-1]
    value = parent[key]
    if kind == "delete":
        del parent[key]
    elif kind == "wrong_type":
        parent[key] = draw(st.sampled_from(WRONG_TYPES))
    elif kind == "number":
        parent[key] = draw(st.sampled_from(SPECIAL_NUMBERS))
    elif kind == "scale":
        factor = draw(st.sampled_from([0.0, 0.5, 0.999, 1.001, 2.0, -1.0, 1e6]))
        parent[key] = value * factor if _number(value) else _scale_shares(value, factor)
    elif kind == "unicode":
        parent[key] = draw(st.text(st.characters(codec="utf-8"), max_size=40))
    elif kind == "misspell" and isinstance(key, str):
        suffix = draw(st.sampled_from(["s", "_", "x", "é", " "]))
        parent[key + suffix] = parent.pop(key)
    return f"{kind} {path}"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scale_shares(value: Any, factor: float) -> Any:
    """Shares that no longer sum to 1: scale the first share found under ``value``."""
    if isinstance(value, dict):
        for k, v in value.items():
            if _number(v):
                return {**value, k: v * factor}
            if isinstance(v, (dict, list)):
                return {**value, k: _scale_shares(v, factor)}
    if isinstance(value, list) and value:
        return [_scale_shares(value[0], factor), *value[1:]]
    return value


@st.composite
def mutated_documents(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    texts = shipped()
    name = draw(st.sampled_from(sorted(texts)))
    doc = copy.deepcopy(yaml.safe_load(texts[name]))
    labels = [draw(mutation(doc)) for _ in range(draw(st.integers(1, 3)))]
    return dump(doc), [name, *labels]


# --- byte-level damage ----------------------------------------------------------------------


@st.composite
def damaged_text(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from(sorted(shipped().values())))
    how = draw(st.sampled_from(["truncate", "insert", "delete", "number", "encoding"]))
    if how == "truncate":
        return text[: draw(st.integers(0, len(text)))].encode()
    if how == "insert":
        at = draw(st.integers(0, len(text)))
        junk = draw(st.text(st.characters(codec="utf-8"), min_size=1, max_size=8))
        return (text[:at] + junk + text[at:]).encode()
    if how == "delete":
        at = draw(st.integers(0, len(text)))
        return (text[:at] + text[at + draw(st.integers(1, 20)) :]).encode()
    if how == "number":
        numbers = [t for t in text.split() if t.replace(".", "", 1).isdigit()]
        if numbers:
            old = draw(st.sampled_from(numbers))
            new = draw(st.sampled_from(["1e999", "-0", "0x1F", ".nan", "-.inf", "1_000", "0o17"]))
            return text.replace(old, new, 1).encode()
        return text.encode()
    codec = draw(st.sampled_from(["utf-16", "latin-1", "cp1252"]))
    return (text + "\nname: Ünïcødé Gmbh €\n").encode(codec, errors="replace")


def broken_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.just(b""),
        st.sampled_from([b"\n", b"   \n\t\n", b"# comment only\n", b"---\n...\n", b"~\n"]),
        st.binary(max_size=2048),
        st.text(st.characters(codec="utf-8"), max_size=200).map(lambda t: t.encode()),
        damaged_text(),
    )


# --- values drawn from the schema ---------------------------------------------------------


NAMES = st.sampled_from(["a", "b", "policy one", "fd", "Ω"])


def for_annotation(annotation: Any, metadata: list[Any], depth: int) -> st.SearchStrategy[Any]:
    """Values of the declared type within the declared range (cross-field rules ignored)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return for_annotation(inner, [*metadata, *extra], depth)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([for_annotation(a, metadata, depth) for a in typing.get_args(annotation)])
    if annotation is type(None):
        return st.none()
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(annotation))
    if annotation is bool:
        return st.booleans()
    if annotation in (int, float):
        low, high, low_open, high_open = field_bounds(metadata)
        if annotation is int:
            lo = None if low is None else math.floor(low) + (1 if low_open else 0)
            hi = None if high is None else math.ceil(high) - (1 if high_open else 0)
            return st.integers(lo, hi)
        return st.floats(
            low,
            high,
            exclude_min=low_open and low is not None,
            exclude_max=high_open and high is not None,
            allow_nan=False,
            allow_infinity=False,
        )
    if annotation is str:
        return st.text(st.characters(codec="utf-8"), min_size=1, max_size=20)
    if origin is list:
        (item,) = typing.get_args(annotation)
        return st.lists(for_annotation(item, [], depth), max_size=3)
    if origin is dict:
        _, value = typing.get_args(annotation)
        return st.dictionaries(NAMES, for_annotation(value, [], depth), min_size=1, max_size=3)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return for_model(annotation, depth + 1)
    return st.none()


def for_field(record: fields.FieldRecord, depth: int) -> st.SearchStrategy[Any]:
    """Values for one field as the walker describes it (``None`` too if it is optional)."""
    values = for_annotation(record.core, list(record.metadata), depth)
    return st.one_of(st.none(), values) if record.optional else values


def for_model(model: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping with a random subset of ``model``'s fields, each drawn from its schema."""
    if depth > 6:
        return st.just({})
    optional = {
        record.name: st.deferred(lambda r=record: for_field(r, depth))
        for record in fields.walk(model, nested=False)
    }
    return st.fixed_dictionaries({}, optional=optional)


@st.composite
def schema_documents(draw: st.DrawFn) -> bytes:
    doc = draw(for_model(Scenario))
    if draw(st.booleans()) or "policies" not in doc:
        doc["policies"] = {
            name: {"preset": name}
            for name in draw(st.sets(st.sampled_from(sorted(PRESETS)), min_size=1))
        }
    return dump(doc)


# --- scenarios that satisfy every rule ------------------------------------------------------


def _shares(draw: st.DrawFn, n: int) -> list[float]:
    """``n`` shares in [0, 1] that sum to 1 exactly enough (whole percents)."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    edges = [0, *cuts, 100]
    return [(b - a) / 100 for a, b in zip(edges, edges[1:], strict=False)]


@st.composite
def policy(draw: st.DrawFn) -> dict[str, Any]:
    scheme = draw(st.sampled_from(["preset", "absolute", "forced", "bottom_cut"]))
    if scheme == "preset":
        return {"preset": draw(st.sampled_from(sorted(PRESETS)))}
    rating: dict[str, Any]
    if scheme == "absolute":
        rating = {"scheme": "absolute"}
        if draw(st.booleans()):
            n = draw(st.integers(2, 6))
            cuts = sorted(
                draw(st.sets(st.integers(-30, 30), min_size=n - 1, max_size=n - 1)), reverse=True
            )
            rating["grades"] = [f"G{i}" for i in range(n)]
            rating["thresholds"] = [c / 10 for c in cuts]
    elif scheme == "forced":
        n = draw(st.integers(2, 6))
        rating = {
            "scheme": "forced_distribution",
            "shares": dict(zip([f"G{i}" for i in range(n)], _shares(draw, n), strict=True)),
        }
    else:
        rating = {
            "scheme": "forced_distribution",
            "bottom_cut": draw(st.floats(0.01, 0.5)),
        }
    if rating["scheme"] == "forced_distribution":
        rating["ranking_unit"] = draw(st.sampled_from(["team", "department", "organization"]))
    rating["min_weeks_rated"] = draw(st.integers(1, 26))
    consequences: dict[str, Any] = {"terminate_bottom_grade": draw(st.booleans())}
    if draw(st.booleans()):
        consequences["consecutive_bottom_to_exit"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        consequences["pip"] = {
            "weeks": draw(st.integers(1, 26)),
            "pass_score": draw(st.floats(-2, 1)),
            "improvement_sd": draw(st.floats(0, 1)),
        }
    return {"rating": rating, "consequences": consequences}


@st.composite
def valid_documents(draw: st.DrawFn) -> bytes:
    n_dept = draw(st.integers(1, 4))
    span = draw(st.integers(2, 12))
    managers = draw(st.booleans())
    team = span + (1 if managers else 0)
    headcount = draw(st.integers(n_dept * team, max(n_dept * team, 250)))
    n_groups = draw(st.integers(1, 3))
    low = draw(st.integers(20_000, 80_000))
    doc: dict[str, Any] = {
        "name": draw(st.text(st.characters(codec="utf-8"), min_size=1, max_size=30)),
        "organization": {
            "headcount": headcount,
            "span_of_control": span,
            "include_managers": managers,
            "departments": [
                {"name": f"Dept {i}", "share": s} for i, s in enumerate(_shares(draw, n_dept))
            ],
            "groups": dict(
                zip([f"g{i}" for i in range(n_groups)], _shares(draw, n_groups), strict=True)
            ),
            "salary_bands": {
                "individual_contributor": {"min": low, "max": low + draw(st.integers(0, 40_000))},
            },
            "potential_distribution": draw(st.sampled_from(["normal", "pareto"])),
            "initial_workforce": draw(st.sampled_from(["hired", "population"])),
        },
        "environment": {
            "years": draw(st.integers(1, 3)),
            "weeks_per_cycle": draw(st.sampled_from([4, 13, 26, 52])),
            "exit_check_weeks": draw(st.sampled_from([1, 4, 13, 52])),
            "random_shocks_per_year": draw(st.sampled_from([0.0, 0.5, 2.0])),
            "pay_drift": draw(st.floats(-0.05, 0.1)),
            "market_shocks": draw(
                st.lists(
                    st.fixed_dictionaries(
                        {"week": st.integers(0, 150), "size_sd": st.floats(-2, 2)},
                        optional={"duration_weeks": st.integers(1, 52)},
                    ),
                    max_size=2,
                )
            ),
        },
        "behaviour": {
            "performance_noise_sd": draw(st.floats(0, 2)),
            "voluntary_quit_rate": draw(st.floats(0, 0.5)),
            "raters": {"reliability": draw(st.floats(0.05, 1))},
        },
        "hiring": {
            "selection_ratio": draw(st.floats(0.02, 1)),
            "selection_validity": draw(st.floats(0, 0.9)),
            "time_to_fill_weeks": draw(st.sampled_from([0, 0.5, 4, 12])),
            "start_date_weeks": draw(st.sampled_from([1, 2, 4, 13])),
            "recruiters": draw(st.one_of(st.none(), st.integers(1, 4))),
            "ramp_up_weeks": draw(st.integers(0, 26)),
        },
        "policies": draw(st.dictionaries(NAMES, policy(), min_size=1, max_size=3)),
        "experiment": {"reps": 1, "seed": draw(st.integers(0, 2**63 - 1))},
    }
    return dump(doc)


@st.composite
def override_pairs(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A shipped scenario and one to three ``--set PATH=VALUE`` arguments, some hostile."""
    texts = shipped()
    name = draw(st.sampled_from(sorted(texts)))
    doc = yaml.safe_load(texts[name])
    dotted = [".".join(str(k) for k in p) for p in node_paths(doc)]
    args: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(
            st.one_of(
                st.sampled_from(dotted),
                st.text(st.characters(codec="utf-8", exclude_characters="="), max_size=20),
            )
        )
        value = draw(
            st.one_of(
                st.sampled_from(
                    [
                        "nan",
                        ".nan",
                        ".inf",
                        "-1",
                        "0",
                        "1e400",
                        "1.0e+400",
                        "[1, 2]",
                        "{a: 1}",
                        "null",
                        "true",
                        "'quoted'",
                        "\"; import os; os.system('echo pwned')\"",
                        "!!python/object/apply:os.system ['echo pwned']",
                        "&a [*a]",
                        "[" * 2000,
                        "",
                    ]
                ),
                st.text(st.characters(codec="utf-8"), max_size=30),
                st.integers().map(str),
                st.floats().map(repr),
            )
        )
        args += ["--set", f"{path}={value}"]
    return name, args


def scenario_path(name: str) -> Path:
    return SCENARIOS / name
