"""The dotted-path helper: reading and writing ``a.b.c`` in nested documents."""

from __future__ import annotations

import pytest

from simlib.errors import ScenarioError
from simlib.scenario import dotted
from simlib.scenario.loading import apply_overrides

DOC = {"a": {"b": {"c": 1}, "items": [{"x": 1}, {"x": 2}], "odd.key": 5}, "n": None}


def test_get_reads_mappings_list_indexes_and_key_sequences():
    assert dotted.get(DOC, "a.b.c") == 1
    assert dotted.get(DOC, "a.items.1.x") == 2
    assert dotted.get(DOC, ("a", "items", 0, "x")) == 1
    assert dotted.get(DOC, ("a", "odd.key")) == 5  # a key with a dot, as a sequence
    assert dotted.get(DOC, ()) is DOC
    assert dotted.get(DOC, "a.nope", default="d") == "d"
    assert dotted.has(DOC, "a.items.1") and not dotted.has(DOC, "a.items.2")
    assert not dotted.has(DOC, "a.items.-1")  # indexes are plain digits


def test_get_of_an_unknown_path_names_the_path_and_the_place():
    with pytest.raises(dotted.PathError) as info:
        dotted.get(DOC, "a.bb.c")
    error = info.value
    assert str(error) == "a.bb.c: a has no 'bb'"
    assert (error.where, error.key, error.depth) == ("a", "bb", 1)
    assert set(error.options) == {"b", "items", "odd.key"}
    assert error.suggestion() == "a.b"
    with pytest.raises(dotted.PathError, match=r"a.items.5.x: a.items has no '5'"):
        dotted.get(DOC, "a.items.5.x")
    with pytest.raises(dotted.PathError, match=r"n.x: n has no 'x'"):
        dotted.get(DOC, "n.x")


def test_set_returns_a_new_document_and_leaves_the_old_one_alone():
    new = dotted.set(DOC, "a.b.c", 9)
    assert new["a"]["b"]["c"] == 9 and DOC["a"]["b"]["c"] == 1
    assert new["a"]["items"] is DOC["a"]["items"]  # untouched parts are shared
    new = dotted.set(DOC, "a.items.1.x", 7)
    assert [i["x"] for i in new["a"]["items"]] == [1, 7]
    assert [i["x"] for i in DOC["a"]["items"]] == [1, 2]
    new = dotted.set(DOC, "z.y", 3)  # missing sections are created
    assert new["z"] == {"y": 3} and "z" not in DOC


def test_set_refuses_paths_through_values_and_missing_list_items():
    with pytest.raises(dotted.PathError, match=r"a.b.c.d: a.b.c is not a section"):
        dotted.set(DOC, "a.b.c.d", 1)
    with pytest.raises(dotted.PathError, match=r"a.items.2: a.items has no item '2'"):
        dotted.set(DOC, "a.items.2", 1)
    with pytest.raises(dotted.PathError, match="is not a section"):
        dotted.set(DOC, "n.x", 1)


def test_overrides_go_through_the_helper_and_name_the_override():
    out = apply_overrides({"organization": {"headcount": 10}}, {"organization.headcount": 20})
    assert out == {"organization": {"headcount": 20}}
    with pytest.raises(ScenarioError, match="override organization.headcount.x: "):
        apply_overrides({"organization": {"headcount": 10}}, {"organization.headcount.x": 1})
