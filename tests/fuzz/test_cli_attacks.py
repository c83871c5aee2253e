"""Attacks on the command line: each reproduces a case of the reliability attack trial.

Notebook parameters that are not JSON data, OS and Dask errors, orphaned workers, silent
guards and control characters in terminal output. Every test here failed on the code the
trial attacked.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from simlib.cli.main import main
from tests.conftest import ROOT

SCENARIO = """\
name: tiny
organization: {headcount: 30, span_of_control: 6}
environment: {years: 1}
policies:
  absolute: {preset: absolute}
experiment: {reps: 1, seed: 1}
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    return path


def cli(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simlib.cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --- notebook parameters are data -------------------------------------------------------

PAYLOAD = '"; __import__("pathlib").Path("PWNED").touch(); "'


def test_binary_parameter_cannot_run_code_and_exits_2(tmp_path, scenario):
    """``--param "reps=!!binary ..."`` ran a shell command in the kernel; now it is refused."""
    encoded = base64.b64encode(PAYLOAD.encode()).decode()
    result = cli(
        "batch", str(scenario), "--param", f"reps=!!binary {encoded}", "--out",
        str(tmp_path / "out"), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "--param reps" in result.stderr and "bytes" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.rglob("PWNED")) == []


@pytest.mark.parametrize(
    ("param", "named"),
    [
        ("policies=!!set {a: null}", "--param policies"),
        ("seed=2020-01-01", "--param seed"),
        ("overrides={2020-01-01: 1}", "--param overrides"),
        ("overrides={a: [1, !!binary aGk=]}", "--param overrides.a[1]"),
        ("years=.inf", "--param years"),
    ],
)
def test_parameters_that_are_not_json_data_exit_2_naming_them(capsys, scenario, param, named):
    code = main(["batch", str(scenario), "--param", param, "--out", str(scenario.parent / "o")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert named in err


def test_parameters_from_a_json_file(capsys, tmp_path, scenario):
    from simlib.present.batch_parameters import read_parameter_file

    good = tmp_path / "p.json"
    good.write_text(json.dumps({"reps": 2, "overrides": {"hiring.selection_ratio": 0.2}}))
    assert read_parameter_file(good) == {"reps": 2, "overrides": {"hiring.selection_ratio": 0.2}}
    for text, reason in (("[1, 2]", "one JSON object"), ('{"reps": NaN}', "not valid JSON")):
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        code = main(["batch", str(scenario), "--params", str(bad), "--out", str(tmp_path / "o")])
        assert code == 2
        assert reason in capsys.readouterr().err


def test_papermill_receives_only_json_values():
    from simlib.errors import ScenarioError
    from simlib.present.batch_parameters import as_json_data

    assert as_json_data({"policies": ["a", None], "reps": 3, "x": 1.5}) == {
        "policies": ["a", None],
        "reps": 3,
        "x": 1.5,
    }
    with pytest.raises(ScenarioError, match="reps: a bytes value"):
        as_json_data({"reps": b'"; import os; "'})
