from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simlib.storage.paths import inside, locate, safe_name, unique_names

SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ("/etc/passwd", "etc_passwd"),
        ("Sales Q3 / 2025", "Sales_Q3_2025"),
        ("..", "scenario"),
        ("", "scenario"),
        (".hidden", "hidden"),
        ("a..b", "a.b"),
        ("café", "cafe"),
        ("CON", "scenario_CON"),
        ("C:\\Windows\\x", "C_Windows_x"),
    ],
)
def test_safe_name(name, expected):
    assert safe_name(name) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_name_becomes_one_safe_component_inside_root(tmp_path_factory, name):
    root = tmp_path_factory.getbasetemp() / "root"
    cleaned = safe_name(name)
    assert SAFE.match(cleaned) and ".." not in cleaned and len(cleaned) <= 80
    path = inside(root, name)
    assert path.parent == root.resolve()


def test_absolute_and_parent_names_stay_inside(tmp_path):
    out = tmp_path / "out"
    for name in ("../escape", "/tmp/abs", "../../..", "a/../../b"):
        path = inside(out, name)
        assert out.resolve() in path.parents


def test_symbolic_link_out_of_the_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, out / "link")
    with pytest.raises(ValueError, match="outside the output folder"):
        inside(out, "link")


def test_unique_names_are_distinct_ignoring_case():
    assert unique_names(["a", "A", "a", "../a", "b"]) == ["a", "A-2", "a-3", "a-4", "b"]


def test_locate_searches_upwards(tmp_path):
    (tmp_path / "scenarios").mkdir()
    target = tmp_path / "scenarios" / "x.yaml"
    target.write_text("name: x\n")
    deep = tmp_path / "notebooks" / "sub"
    deep.mkdir(parents=True)
    assert locate("scenarios/x.yaml", start=deep) == target
    assert locate(str(target), start=deep) == target
    assert locate("scenarios/missing.yaml", start=deep) == deep.resolve() / "scenarios/missing.yaml"
    assert isinstance(locate("x", start=Path("/")), Path)
