"""Every notebook in notebooks/ runs through papermill with tiny parameters, without errors.

A notebook added to notebooks/ is picked up automatically. Its parameters come from
``TINY`` if it is listed there, otherwise from ``DEFAULT_TINY`` for the parameters it
declares (a scenario file, few replications, a short horizon, output into a temp folder).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

papermill = pytest.importorskip("papermill")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")

# Per notebook: tiny parameters (a callable gets the temp folder).
TINY: dict[str, Any] = {
    "compare.ipynb": lambda tmp: {
        "scenario": BASELINE,
        "reps": 2,
        "years": 1,
        "output_dir": str(tmp / "out"),
        "ensemble_assumptions": ["behaviour.raters.halo"],
    },
    "explore.ipynb": lambda tmp: {"scenario": BASELINE, "reps": 2, "years": 1},
    "robustness.ipynb": lambda tmp: {
        "scenario": BASELINE,
        "samples": 2,
        "reps": 1,
        "out_dir": str(tmp / "out"),
        "overrides": {"environment.years": 1, "organization.headcount": 100},
    },
    "validation.ipynb": lambda tmp: {"quick": True, "out_dir": str(tmp / "out")},
}


def DEFAULT_TINY(tmp: Path) -> dict[str, Any]:  # noqa: N802 - a table, like TINY
    return {
        "scenario": BASELINE,
        "reps": 2,
        "years": 1,
        "samples": 2,
        "quick": True,
        "jobs": 1,
        "output_dir": str(tmp / "out"),
        "out_dir": str(tmp / "out"),
    }


def tiny_parameters(notebook: Path, tmp: Path) -> dict[str, Any]:
    declared = papermill.inspect_notebook(str(notebook))
    if notebook.name in TINY:
        chosen = TINY[notebook.name](tmp)
    else:
        chosen = {k: v for k, v in DEFAULT_TINY(tmp).items() if k in declared}
    unknown = set(chosen) - set(declared)
    assert not unknown, f"{notebook.name} does not declare {sorted(unknown)}"
    return chosen


def test_there_are_notebooks():
    assert {"compare.ipynb", "explore.ipynb"} <= {nb.name for nb in NOTEBOOKS}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.name for nb in NOTEBOOKS])
def test_parameters_cell_is_typed_and_commented(notebook: Path):
    declared = papermill.inspect_notebook(str(notebook))
    assert declared, f"{notebook.name} has no cell tagged 'parameters'"
    for name, info in declared.items():
        assert info["inferred_type_name"] not in (None, "None"), f"{name} has no type"
        assert info["help"], f"{name} has no comment"
    committed = json.loads(notebook.read_text())
    outputs = [c for c in committed["cells"] if c["cell_type"] == "code" and c.get("outputs")]
    assert outputs == [], f"{notebook.name} is committed with outputs"
    assert committed["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.name for nb in NOTEBOOKS])
def test_notebook_executes(notebook: Path, tmp_path: Path):
    params = tiny_parameters(notebook, tmp_path)
    executed = tmp_path / notebook.name
    # Any failing cell raises PapermillExecutionError (a timeout raises too).
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters=params,
        cwd=str(tmp_path),
        progress_bar=False,
        execution_timeout=600,
    )
    result = json.loads(executed.read_text())
    errors = [
        o for c in result["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
    ]
    assert errors == []
    if notebook.name == "compare.ipynb":
        out = tmp_path / "out"
        for name in ("results.parquet", "summary.csv", "manifest.json"):
            assert (out / name).is_file()
        html = json.dumps(result)
        assert "simlib-executive-summary" in html and "simlib-assumptions" in html
        assert json.loads((out / "manifest.json").read_text())["reps"] == 2
    if notebook.name == "explore.ipynb":
        views = [
            o
            for c in result["cells"]
            for o in c.get("outputs", [])
            if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        ]
        assert views, "the explorer displayed no widgets"
