"""The README's custom grade scale example is a scenario that `simlib check` accepts."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from simlib import load_scenario
from tests.conftest import ROOT

MARKER = "<!-- example: custom-grade-scale -->"


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert MARKER in text, "the README lost its custom grade scale example"
    found = re.search(re.escape(MARKER) + r"\s*```yaml\n(.*?)```", text, re.DOTALL)
    assert found, "the example after the marker is not a yaml block"
    return found.group(1)


def test_readme_grade_scale_example_passes_simlib_check(tmp_path):
    path = tmp_path / "four_grades.yaml"
    path.write_text(readme_example(), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "simlib.cli.main", "check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK {path}: scenario 'four_grades'")


def test_readme_grade_scale_example_is_the_scale_it_shows():
    raw = yaml.safe_load(readme_example())
    shares = raw["policies"]["four_grades"]["rating"]["shares"]
    assert isinstance(shares, dict) and list(shares) == ["A", "B", "C", "D"]
    policy = load_scenario(raw).policies["four_grades"]
    assert policy.rating.grades == ["A", "B", "C", "D"]
    assert policy.rating.grade_shares() == [0.10, 0.25, 0.55, 0.10]
    assert list(policy.pay.matrix) == ["A", "B", "C", "D"]  # the preset's S row is gone
