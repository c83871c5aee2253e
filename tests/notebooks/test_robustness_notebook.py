"""The robustness notebook runs end to end through papermill with tiny parameters."""

from __future__ import annotations

import json
import re

import pytest

from simlib.storage.store import read_manifest
from tests.conftest import ROOT

papermill = pytest.importorskip("papermill")

NOTEBOOK = ROOT / "notebooks" / "robustness.ipynb"


def _text(notebook: dict) -> str:
    parts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            data = output.get("data", {})
            parts.append("".join(data.get("text/plain", "")))
            parts.append("".join(data.get("text/markdown", "")))
    return "\n".join(parts)


def test_robustness_notebook_with_tiny_parameters(tmp_path):
    out_dir = tmp_path / "sweep"
    executed = tmp_path / "robustness.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={
            "overrides": {"organization.headcount": 60, "environment.years": 2},
            "scenario": str(ROOT / "scenarios" / "baseline.yaml"),
            "vary": {"behaviour.voluntary_quit_rate": [0.05, 0.25], "environment.years": [1, 3]},
            "method": "morris",
            "samples": 2,
            "reps": 1,
            "objectives": {"workforce_potential": "max", "voluntary_attrition": "min"},
            "satisfice": "voluntary_attrition < 5 and payroll_growth < 1",
            "out_dir": str(out_dir),
        },
        cwd=str(tmp_path),
        kernel_name="python3",
        progress_bar=False,
    )
    notebook = json.loads(executed.read_text())
    text = _text(notebook)
    manifest = read_manifest(out_dir)
    assert manifest["status"] == "complete" and manifest["variants"] == 6
    assert manifest["sweep"]["method"] == "morris"
    assert "6 scenario variants (morris) x 2 policies x 1 replications" in text
    assert "mu_star" in text and "max_regret" in text
    assert "the robust choice is" in text
    assert "Which assumptions would change" in json.dumps(notebook["cells"])
    # thresholds everyone meets: every policy satisfices in every variant
    for policy in ("absolute", "forced_distribution"):
        assert re.search(rf"{policy}\s+1\.0\s+6\b", text), policy
    images = [
        o
        for c in notebook["cells"]
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert len(images) == 3  # sensitivity bars, the gap between policies, satisficing map
