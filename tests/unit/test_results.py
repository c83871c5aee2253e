from __future__ import annotations

import json

import numpy as np
import pytest

import simlib
from simlib.storage import store as store_module


@pytest.fixture(scope="module")
def small_results():
    return simlib.compare(
        "scenarios/baseline.yaml",
        reps=3,
        seed=4,
        overrides={"environment.years": 1, "organization.headcount": 60},
    )


def test_summary_and_paired_diff_agree_with_the_frame(small_results):
    r = small_results
    h = r.at_horizon()
    potential = h[(h.metric == "workforce_potential")].pivot(
        index="rep", columns="policy", values="value"
    )
    summary = r.summary().set_index(["policy", "metric"])
    assert np.isclose(
        summary.loc[("absolute", "workforce_potential"), "mean"], potential["absolute"].mean()
    )
    diff = r.paired_diff().set_index(["policy", "metric"])
    paired = potential["forced_distribution"] - potential["absolute"]
    row = diff.loc[("forced_distribution", "workforce_potential")]
    assert np.isclose(row["mean"], paired.mean()) and row["n"] == 3
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]


def test_interrupted_save_leaves_no_manifest_beside_new_files(small_results, tmp_path, monkeypatch):
    small_results.save(tmp_path)
    old = json.loads((tmp_path / "manifest.json").read_text())

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "atomic_write_text", fail)
    with pytest.raises(KeyboardInterrupt):
        small_results.save(tmp_path)
    # The new parquet is whole, but no manifest claims it: load refuses the folder.
    assert not (tmp_path / "manifest.json").exists()
    with pytest.raises(FileNotFoundError):
        simlib.Results.load(tmp_path)
    monkeypatch.undo()
    small_results.save(tmp_path)
    new = json.loads((tmp_path / "manifest.json").read_text())
    assert new["scenario_hash"] == old["scenario_hash"]
    assert not list(tmp_path.glob(".*"))
