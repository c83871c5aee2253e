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


def test_interrupted_save_keeps_the_old_set_whole(small_results, tmp_path, monkeypatch):
    out = tmp_path / "cmp"
    small_results.save(out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []

    def fail(*args, **kwargs):
        calls.append(args)
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "atomic_write_text", fail)  # the manifest, written last
    with pytest.raises(KeyboardInterrupt):
        small_results.save(out)
    assert calls  # the save got as far as its manifest
    # The new files were built beside the folder: the old set is there, whole and unchanged.
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert simlib.Results.load(out).manifest["seed"] == 4
    assert [p.name for p in tmp_path.iterdir() if p.name != "cmp"] == [".cmp.lock"]
    monkeypatch.undo()
    small_results.save(out)
    assert (
        json.loads((out / "manifest.json").read_text())["scenario_hash"]
        == (small_results.manifest["scenario_hash"])
    )
