"""Output safety: names never escape ``--out``, and notebook parameters are data, not code.

Scenario names (and the file names they fall back to) become folder names in batch output;
hostile ones (``../``, absolute paths, separators, control characters, reserved device
names, unicode) must stay inside the output folder. Values handed to papermill are written
into the notebook's parameters cell: whatever quotes or code a scenario path or a
``--param`` holds, the injected cell must only assign literals.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simlib.storage.paths import MAX_NAME_LENGTH, inside, safe_name, unique_names
from tests.conftest import ROOT

HOSTILE_NAMES = [
    "../../etc/passwd",
    "..",
    ".",
    "/",
    "/etc/passwd",
    "/tmp/evil",
    "C:\\Windows\\System32",
    "..\\..\\boot.ini",
    "a/../../b",
    "~/.ssh/authorized_keys",
    "name\x00with nul",
    "line\nbreak",
    ".hidden",
    "con",
    "NUL.txt",
    "   ",
    "",
    "Ünïcødé Gmbh €",
    "名前",
    "x" * 500,
    "$(touch PWNED)",
    "`touch PWNED`",
    "; rm -rf /",
]
SAFE = re.compile(r"^[A-Za-z0-9._-]+$")


def assert_safe(name: str) -> None:
    assert SAFE.match(name), name
    assert ".." not in name and not name.startswith(".")
    assert 0 < len(name) <= MAX_NAME_LENGTH + 16


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_become_safe_folders_inside_out(tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    assert_safe(safe_name(name))
    path = inside(out, name)
    assert path.parent == out.resolve()
    assert out.resolve() in path.parents


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(st.lists(st.text(max_size=120), min_size=1, max_size=6))
def test_any_names_stay_inside_and_distinct(names):
    out = Path("/nonexistent-root/out")  # resolve() does not need it to exist
    folders = unique_names(names)
    assert len({f.lower() for f in folders}) == len(names)
    for name, folder in zip(names, folders, strict=True):
        assert_safe(folder)
        assert out.resolve() in inside(out, name).parents


def test_a_symbolic_link_cannot_lead_outside(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ValueError, match="outside the output folder"):
        inside(out, "report")


HOSTILE_VALUES = [
    'x"; import os; os.system("touch PWNED"); "',
    "x'; import os; os.system('touch PWNED'); '",
    '"""; import os; os.system("touch PWNED") #',
    'x\\"; import os #',
    "line\nimport os; os.system('touch PWNED')",
    "\\n__import__('os').system('touch PWNED')",
    "{{ jinja }} ${SHELL} %(x)s",
    "\x00\x1b[31m",
    "名前 ünïcødé",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_papermill_parameters_cell_only_assigns_literals(value):
    from papermill.translators import translate_parameters

    parameters = {
        "scenario": f"scenarios/{value}.yaml",
        "output_dir": value,
        "overrides": {"name": value, "policies": [value, None, 3, 1.5, True]},
    }
    source = translate_parameters("python3", "python", parameters, comment="Parameters")
    tree = ast.parse(source)
    assigned = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign), ast.dump(node)  # no call, no import, nothing else
        (target,) = node.targets
        assigned[target.id] = ast.literal_eval(node.value)  # a literal, or this raises
    assert assigned == parameters


BATCH_SCENARIO = """\
name: "<img src=x onerror=alert(1)> ../../x\\"; import os; os.system('touch PWNED')"
organization: {headcount: 30, span_of_control: 6}
environment: {years: 1}
policies:
  absolute: {preset: absolute}
experiment: {reps: 1, seed: 1}
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="quotes in file names")
def test_batch_treats_hostile_file_names_and_params_as_data(tmp_path):
    """End to end: papermill executes the report for a scenario whose file name and
    ``--param`` carry code; nothing executes and nothing is written outside ``--out``."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    evil = inputs / "x\"; open('PWNED', 'w'); \".yaml"
    evil.write_text(BATCH_SCENARIO)
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "simlib.cli.main",
            "batch",
            str(evil),
            "--out",
            str(out),
            "--param",
            "policies=[\"absolute'); open('PWNED2', 'w'); ('\"]",
            "--notebook",
            str(ROOT / "notebooks" / "compare.ipynb"),
            "--no-ensemble",
            "--quiet",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    # The notebook may refuse the hostile policy name; what matters is that nothing ran.
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    written = [p for p in tmp_path.rglob("PWNED*")]
    assert written == []
    assert not (ROOT / "PWNED").exists() and not (ROOT / "PWNED2").exists()
    outside = [p for p in tmp_path.rglob("*") if out not in p.parents and p != out]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in outside) == [
        f".{out.name}.lock",  # the one-writer lock sits beside the output folder
        "in",
        f"in/{evil.name}",
    ]
    (folder,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert_safe(folder.name)
    assert os.path.commonpath([folder.resolve(), out.resolve()]) == str(out.resolve())


def test_scenario_text_shows_as_text_in_reports(tmp_path):
    """A name or description holding HTML must not become markup in the HTML report."""
    from nbconvert.filters import markdown2html

    from simlib import load_scenario
    from simlib.present.briefing import scenario_header

    scenario = load_scenario(
        {
            "name": "<img src=x onerror=alert(1)>",
            "description": "<script>alert('desc')</script> & more",
            "organization": {"name": "<b>Co</b>", "headcount": 30, "span_of_control": 6},
            "policies": {"absolute": {"preset": "absolute"}},
        }
    )
    rendered = markdown2html(scenario_header(scenario, tmp_path / "x`<script>y.yaml"))
    assert "<script" not in rendered and "<img" not in rendered and "<b>" not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered
    assert "&lt;script&gt;alert(" in rendered
