"""Hostile and broken scenario files: each is refused with one readable line and exit 2.

These are the fixed cases behind the fuzz suite: garbage bytes, an empty file, an alias
bomb, nesting deep enough to exhaust the parser's recursion, unhashable preset names, an
absurd selection ratio. The command runs in a real subprocess so a traceback would show.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from simlib.cli.main import main
from simlib.engine.simulation import simulate
from simlib.errors import ScenarioError
from simlib.scenario.loading import load_scenario, parse_override
from tests.conftest import ROOT, SCENARIOS

ALIAS_BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{b}: &{b} [{', '.join(['*' + a] * 9)}]"
            for a, b in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


def check(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simlib.cli.main", "check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


CASES = {
    "garbage_bytes": (os.urandom(4096), "not UTF-8 text"),
    "empty": (b"", "the scenario is empty"),
    "only_a_comment": (b"# nothing here\n   \n", "the scenario is empty"),
    "alias_bomb": (ALIAS_BOMB.encode(), "possible alias bomb"),
    "deep_nesting": (b"description: " + b"[" * 5000 + b"]" * 5000, "nested too deeply"),
    "deep_block_nesting": (
        "".join("  " * i + "a:\n" for i in range(1200)).encode(),
        "nested too deeply",
    ),
    "nul_byte": (b"name: a\x00b\npolicies: {a: {}}\n", "YAML syntax error"),
    "python_tag": (
        b'name: !!python/object/apply:os.system ["echo pwned"]\npolicies: {a: {}}\n',
        "could not determine a constructor",
    ),
    "list_not_mapping": (b"- 1\n- 2\n", "must be a mapping of sections"),
    "unhashable_preset": (b"policies: {a: {preset: [1, 2]}}\n", "policies.a.preset: unknown"),
    "mapping_preset": (b"policies: {a: {preset: {x: 1}}}\n", "policies.a.preset: unknown"),
    "path_policy_name": (b"policies: {'../../etc': {}}\n", "policies['../../etc'] (the name)"),
    "tiny_selection_ratio": (
        b"policies: {a: {}}\nhiring: {selection_ratio: 1.0e-9}\n",
        "hiring.selection_ratio",
    ),
}


def _one_line(stderr: str, path) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"simlib: error: {path}: ")
    return lines[0]


@pytest.mark.parametrize("name", ["garbage_bytes", "empty", "alias_bomb"])
def test_check_command_refuses_in_one_line(tmp_path, name):
    """The acceptance cases, through a real ``simlib check`` process."""
    content, expected = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)
    result = check(path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in _one_line(result.stderr, path)
    assert result.stdout == ""


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_refuses_hostile_file_in_one_line(tmp_path, capsys, name):
    content, expected = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    assert expected in _one_line(captured.err, path)
    assert captured.out == ""


def test_alias_bomb_is_refused_quickly_in_process(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB)
    with pytest.raises(ScenarioError, match="alias bomb"):
        load_scenario(path)


def test_recursive_alias_names_the_field(tmp_path):
    path = tmp_path / "recursive.yaml"
    path.write_text("name: &a [*a]\npolicies: {a: {}}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.messages[0].startswith("name: ")


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * 2_100_000 + b"\npolicies: {a: {}}\n")
    with pytest.raises(ScenarioError, match="limited to 2,000,000"):
        load_scenario(path)


def test_deeply_nested_override_value_is_kept_as_text():
    key, value = parse_override("name=" + "[" * 3000)
    assert key == "name" and value == "[" * 3000
    with pytest.raises(ScenarioError, match="name: string should have at most 120"):
        load_scenario(SCENARIOS / "baseline.yaml", overrides={key: value})


def test_a_megabyte_of_brackets_is_refused_quickly(tmp_path):
    """PyYAML's scanner slows quadratically with open brackets: refused before parsing."""
    path = tmp_path / "brackets.yaml"
    path.write_bytes(b"[" * 1_500_000)
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="nested too deeply"):
        load_scenario(path)
    assert time.perf_counter() - start < 10


def test_long_hostile_values_are_shortened_in_messages():
    key, value = parse_override("policies.absolute.preset=" + "[" * 3000)
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS / "baseline.yaml", overrides={key: value})
    (line,) = info.value.messages
    assert line.startswith("policies.absolute.preset: unknown preset '[[[")
    assert len(line) < 300
    with pytest.raises(ScenarioError, match=r"^override 'x{77}\.\.\.' must look like"):
        parse_override("x" * 5000)


def test_tiny_sabotage_reference_is_refused(tmp_path):
    """Found by the schema fuzzer: a denormal reference stake made business_value NaN."""
    with pytest.raises(ScenarioError, match=r"sabotage_stake_ref: .* allowed 0.01 to 1000"):
        load_scenario(
            SCENARIOS / "baseline.yaml",
            overrides={"behaviour.incentives.sabotage_stake_ref": 5e-324},
        )
    scenario = load_scenario(
        SCENARIOS / "baseline.yaml",
        overrides={
            "behaviour.incentives.sabotage_stake_ref": 0.01,
            "behaviour.incentives.sabotage_propensity": 5,
            "organization.headcount": 60,
            "environment.years": 2,
        },
    )
    for policy in scenario.policy_names:
        frame = simulate(scenario, policy, check_invariants=True)
        assert frame["value"].notna().all() and "business_value" in set(frame["metric"])
