"""The field walker: paths, kinds, bounds, defaults and values of scenario fields."""

from __future__ import annotations

import types
import typing

import pytest
from pydantic import BaseModel

from simlib.scenario import dotted
from simlib.scenario.behaviour import Behaviour
from simlib.scenario.definition import Scenario
from simlib.scenario.fields import MISSING, find, walk
from simlib.scenario.loading import load_scenario


def _by_path(target, prefix=()):
    return {r.dotted: r for r in walk(target, prefix)}


def test_known_fields_have_their_bounds_defaults_and_descriptions():
    records = _by_path(Scenario)
    headcount = records["organization.headcount"]
    assert (headcount.kind, headcount.default, headcount.low, headcount.high) == (
        "int",
        500,
        2,
        2_000_000,
    )
    assert not headcount.low_open and not headcount.high_open
    assert headcount.description == "positions, managers included"
    assert headcount.value is MISSING  # a class has no values

    compression = records["behaviour.raters.compression"]
    assert (compression.kind, compression.default) == ("float", 0.20)
    assert (compression.low, compression.high) == (0, 1)
    assert (compression.low_open, compression.high_open) == (False, True)

    shape = records["organization.pareto_shape"]
    assert shape.low == 2.05 and shape.low_open and shape.high == 50

    recruiters = records["hiring.recruiters"]
    assert recruiters.optional and recruiters.kind == "int" and recruiters.default == 2

    model = records["behaviour.raters.model"]
    assert model.kind == "choice" and model.choices == ("biased", "reliability")

    raters = records["behaviour.raters"]
    assert raters.kind == "model" and raters.low is None
    assert records["policies"].default is MISSING  # required


def test_paths_come_in_declaration_order_each_section_before_its_fields():
    paths = [r.dotted for r in walk(Scenario)]
    assert len(paths) == len(set(paths))
    assert paths.index("behaviour") < paths.index("behaviour.raters")
    assert paths.index("behaviour.raters") < paths.index("behaviour.raters.halo")
    top = [r.name for r in walk(Scenario, nested=False)]
    assert top == list(Scenario.model_fields)


def _numeric_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Numeric field paths found independently of the walker (sections, not containers)."""
    found = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        args = [info.annotation]
        if typing.get_origin(info.annotation) in (typing.Union, types.UnionType):
            args += typing.get_args(info.annotation)  # X | None
        sub = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if sub:
            found += _numeric_fields(sub[0], f"{path}.")
        elif any(a in (int, float) for a in args):
            found.append(path)
        elif typing.get_origin(args[0]) is typing.Annotated:
            found += [path] if typing.get_args(args[0])[0] in (int, float) else []
    return found


def _numeric_json(value, prefix=()):
    """Paths of every number in a resolved scenario document."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _numeric_json(v, (*prefix, str(k)))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _numeric_json(v, (*prefix, str(i)))]
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return [".".join(prefix)] if ok else []


def test_every_numeric_field_of_the_schema_is_yielded_exactly_once():
    expected = _numeric_fields(Scenario)
    walked = [r.dotted for r in walk(Scenario) if r.numeric]
    assert len(walked) == len(set(walked))
    assert sorted(walked) == sorted(expected)
    assert "behaviour.raters.halo" in walked and "hiring.recruiters" in walked


def test_every_number_of_a_scenario_is_yielded_exactly_once(tiny):
    doc = {
        **tiny,
        "experiment": {"reps": 1},
        "environment": {"market_shocks": [{"week": 10, "size_sd": -1.0}]},
        "policies": {"fd": {"preset": "forced_distribution"}, "pm": {"preset": "pay_matrix"}},
    }
    scenario = load_scenario(doc)
    walked = [r.dotted for r in walk(scenario) if r.numeric and r.value is not None]
    assert len(walked) == len(set(walked))
    expected = _numeric_json(scenario.to_dict())
    assert sorted(walked) == sorted(expected)
    assert "policies.pm.pay.matrix.A.2" in walked and "environment.market_shocks.0.week" in walked
    assert len(walked) > 100


def test_an_instance_walk_visits_list_and_mapping_items_with_their_values(tiny):
    scenario = load_scenario(tiny)
    resolved = scenario.to_dict()
    records = list(walk(scenario))
    for record in records:
        if record.kind in ("int", "float", "bool", "str", "choice"):
            assert dotted.get(resolved, record.path) == record.value
    share = _by_path(scenario)["organization.departments.0.share"]
    assert not share.entry and share.in_item and share.value == 1.0
    group = _by_path(scenario)["organization.groups.all"]
    assert group.entry and group.value == 1.0 and group.high == 1
    assert group.description.startswith("demographic groups")  # that of the mapping


def test_policy_items_carry_the_bounds_of_their_container():
    policy = load_scenario(
        {"policies": {"pm": {"preset": "pay_matrix"}}, "organization": {"headcount": 50}}
    ).policies["pm"]
    cell = _by_path(policy, ("policies", "pm"))["policies.pm.pay.matrix.S.1"]
    assert cell.entry and cell.kind == "float" and cell.value == 0.06
    assert (cell.low, cell.high) == (0, 1)
    assert cell.field == "matrix" and cell.owner == ("policies", "pm", "pay")
    assert "grade" in cell.description  # the matrix field's description


def test_find_returns_the_record_and_names_a_wrong_path(tiny):
    scenario = load_scenario(tiny)
    assert find(scenario, "behaviour.raters.halo").value == scenario.behaviour.raters.halo
    assert find(Behaviour, "raters.halo").default == 0.20
    with pytest.raises(dotted.PathError) as info:
        find(scenario, "behaviour.rater.halo")
    assert "behaviour.rater.halo" in str(info.value)
    assert info.value.where == "behaviour" and info.value.key == "rater"
    assert info.value.suggestion() == "behaviour.raters"
    with pytest.raises(dotted.PathError, match="organization.departments has no '7'"):
        find(scenario, "organization.departments.7.share")
