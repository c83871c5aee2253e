"""The experiment runner: same results on any executor, resume, bounded memory, SALib checks."""

from __future__ import annotations

import json
import math
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from simlib.analysis.sensitivity import sensitivity
from simlib.errors import ScenarioError
from simlib.experiments.executors import executor_workers, open_executor
from simlib.experiments.model import FunctionModel, ScenarioModel
from simlib.experiments.sampling import make_design
from simlib.experiments.sweep import run_sweep
from simlib.scenario.loading import load_scenario
from simlib.storage.design import Design, Factor
from simlib.storage.store import (
    ExperimentError,
    finished_tasks,
    load_records,
    part_path,
    read_manifest,
)

# --- analytic models (module level, so worker processes can import them) -------------------


def ishigami(x1: float, x2: float, x3: float, a: float = 7.0, b: float = 0.1) -> dict:
    """The Ishigami function; its Sobol indices are known in closed form."""
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)}


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    s1 = np.array([v1, v2, 0.0]) / total
    st = np.array([v1 + v13, v2, v13]) / total
    return s1, st


def linear(x1: float, x2: float, x3: float) -> dict:
    return {"y": 2.0 * x1 + 1.0 * x2 + 0.0 * x3, "twice": 4.0 * x1}


def noisy(x: float, policy: str, rng: np.random.Generator) -> dict:
    """Two policies on the same noise: 'steady' earns x, 'bold' earns 2x - 0.5."""
    eps = rng.normal()
    return {"gain": (x if policy == "steady" else 2 * x - 0.5) + eps, "noise": eps}


def slow_square(x: float) -> dict:
    import time

    time.sleep(0.002)
    return {"y": x * x}


@pytest.fixture
def small(tiny: dict) -> dict:
    """The tiny organization with some luck and turnover, so variants differ."""
    scenario = json.loads(json.dumps(tiny))
    scenario["organization"]["headcount"] = 40
    scenario["behaviour"] = {"performance_noise_sd": 1.0, "voluntary_quit_rate": 0.1}
    scenario["environment"]["years"] = 2
    return scenario


def quit_design(samples: int = 3):
    return make_design(
        [Factor("behaviour.voluntary_quit_rate", 0.05, 0.3), Factor("environment.years", 1, 3)],
        samples,
        "lhs",
        seed=3,
    )


# --- SALib on known analytic functions ---------------------------------------------------


def test_sobol_indices_of_ishigami_match_closed_form(tmp_path):
    design = make_design(
        [Factor(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)], 2048, "sobol", seed=1
    )
    summary = run_sweep(FunctionModel(ishigami), design, tmp_path / "ish", task_size=4096)
    assert summary.computed == math.ceil(2048 * 5 / 4096)
    table = sensitivity(tmp_path / "ish", num_resamples=20)
    s1, st = ishigami_indices()
    got = table.set_index(["index", "factor"])["value"]
    for i in range(3):
        assert got["S1", f"x{i + 1}"] == pytest.approx(s1[i], abs=0.04)
        assert got["ST", f"x{i + 1}"] == pytest.approx(st[i], abs=0.04)


def test_second_order_sobol_finds_the_ishigami_interaction(tmp_path):
    design = make_design(
        [Factor(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)],
        1024,
        "sobol",
        seed=2,
        second_order=True,
    )
    run_sweep(FunctionModel(ishigami), design, tmp_path / "s2", task_size=8192)
    table = sensitivity(tmp_path / "s2", num_resamples=10)
    s2 = table[table["index"] == "S2"].set_index("factor")["value"]
    _, st = ishigami_indices()
    # the only interaction is x1 x x3, worth ST(x3) since x3 acts only through it
    assert s2["x1 x x3"] == pytest.approx(st[2], abs=0.06)
    assert abs(s2["x1 x x2"]) < 0.06 and abs(s2["x2 x x3"]) < 0.06


def test_morris_effects_of_a_linear_model_are_exact(tmp_path):
    factors = [Factor("x1", 0, 1), Factor("x2", 0, 2), Factor("x3", 0, 1)]
    design = make_design(factors, 10, "morris", seed=2)
    run_sweep(FunctionModel(linear), design, tmp_path / "lin", task_size=1000)
    table = sensitivity(tmp_path / "lin", num_resamples=10).set_index(["metric", "index", "factor"])
    # an elementary effect of y = a x over the whole range [lo, hi] is a * (hi - lo)
    for factor, effect in {"x1": 2.0, "x2": 2.0, "x3": 0.0}.items():
        assert table.loc[("y", "mu_star", factor), "value"] == pytest.approx(effect, abs=1e-9)
        assert table.loc[("y", "sigma", factor), "value"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc[("twice", "mu_star", "x1"), "value"] == pytest.approx(4.0, abs=1e-9)
    assert table.loc[("twice", "mu_star", "x2"), "value"] == pytest.approx(0.0, abs=1e-9)


def two_linear(x1: float, x2: float, policy: str) -> dict:
    """Both policies gain 2 per unit of x1; only 'b' also gains 3 per unit of x2."""
    return {"y": 2.0 * x1 + (3.0 * x2 if policy == "b" else 1.0 * x2)}


def test_sensitivity_of_the_gap_between_policies(tmp_path):
    design = make_design([Factor("x1", 0, 1), Factor("x2", 0, 1)], 6, "morris", seed=3)
    run_sweep(FunctionModel(two_linear, policies=["a", "b"]), design, tmp_path / "gap")
    levels = sensitivity(tmp_path / "gap", num_resamples=10).set_index(
        ["policy", "index", "factor"]
    )
    assert levels.loc[("a", "mu_star", "x1"), "value"] == pytest.approx(2.0)
    assert levels.loc[("b", "mu_star", "x2"), "value"] == pytest.approx(3.0)
    gap = sensitivity(tmp_path / "gap", versus="a", num_resamples=10)
    assert set(gap["policy"]) == {"b - a"}
    gap = gap.set_index(["index", "factor"])["value"]
    # b - a = 2 x2: x1 moves both policies alike and cannot change which is better
    assert gap["mu_star", "x1"] == pytest.approx(0.0, abs=1e-12)
    assert gap["mu_star", "x2"] == pytest.approx(2.0)


def product(x1: float, x2: float) -> dict:
    return {"y": x1 * x2}


def test_grid_indices_are_the_exact_variance_decomposition(tmp_path):
    factors = [Factor("x1", 0, 1), Factor("x2", 0, 1)]
    run_sweep(
        FunctionModel(linear),
        make_design(factors + [Factor("x3", 0, 1)], 5, "grid"),
        tmp_path / "lin",
        task_size=200,
    )
    lin = sensitivity(tmp_path / "lin", metrics=["y"]).set_index(["index", "factor"])["value"]
    # y = 2 x1 + x2 on equal grids: variance shares 4/5 and 1/5, no interaction
    for index in ("S1", "ST"):
        assert lin[index, "x1"] == pytest.approx(0.8)
        assert lin[index, "x2"] == pytest.approx(0.2)
        assert lin[index, "x3"] == pytest.approx(0.0, abs=1e-12)
    centred = [Factor("x1", -1, 1), Factor("x2", -1, 1)]
    run_sweep(FunctionModel(product), make_design(centred, 5, "grid"), tmp_path / "prod")
    prod = sensitivity(tmp_path / "prod").set_index(["index", "factor"])["value"]
    # y = x1 x2 around 0: no main effects, all interaction
    assert prod["S1", "x1"] == pytest.approx(0.0, abs=1e-12)
    assert prod["ST", "x1"] == pytest.approx(1.0)
    assert prod["ST", "x2"] == pytest.approx(1.0)


def test_too_few_variants_for_rbd_fast_are_refused(tmp_path):
    design = make_design([Factor("x1", 0, 1), Factor("x2", 0, 1), Factor("x3", 0, 1)], 6, "lhs")
    run_sweep(FunctionModel(linear), design, tmp_path / "few")
    with pytest.raises(ScenarioError, match="6 variants are too few for RBD-FAST"):
        sensitivity(tmp_path / "few")


def test_rbd_fast_on_a_latin_hypercube_recovers_linear_shares(tmp_path):
    # y = 2 x1 + x2 on uniform [0, 1]: variance shares 4/5 and 1/5, x3 none
    design = make_design([Factor(f"x{i}", 0, 1) for i in (1, 2, 3)], 2000, "lhs", seed=5)
    run_sweep(FunctionModel(linear), design, tmp_path / "rbd", task_size=2000)
    table = sensitivity(tmp_path / "rbd", metrics=["y"], num_resamples=10)
    s1 = table.set_index("factor")["value"]
    assert s1["x1"] == pytest.approx(0.8, abs=0.05)
    assert s1["x2"] == pytest.approx(0.2, abs=0.05)
    assert s1["x3"] == pytest.approx(0.0, abs=0.05)


# --- same results whatever runs the tasks ------------------------------------------------


def test_process_pool_and_dask_local_cluster_give_identical_results(tmp_path, small):
    design = quit_design()
    with ProcessPoolExecutor(2) as pool:
        run_sweep(small, design, tmp_path / "pool", reps=2, executor=pool)
    with open_executor(jobs=2, dask="local", processes=False) as dask_executor:
        assert type(dask_executor).__name__ == "ClientExecutor"
        assert executor_workers(dask_executor) == 2
        run_sweep(small, design, tmp_path / "dask", reps=2, executor=dask_executor)
    run_sweep(small, design, tmp_path / "serial", reps=2)
    pool_records = load_records(tmp_path / "pool")
    assert len(pool_records) > 0
    pd.testing.assert_frame_equal(pool_records, load_records(tmp_path / "dask"))
    pd.testing.assert_frame_equal(pool_records, load_records(tmp_path / "serial"))
    hashes = {read_manifest(tmp_path / d)["design_hash"] for d in ("pool", "dask", "serial")}
    assert len(hashes) == 1


def test_common_random_numbers_across_policies_and_variants(tmp_path, small):
    run_sweep(small, quit_design(4), tmp_path / "crn", reps=3)
    records = load_records(tmp_path / "crn")
    start = records[(records["week"] == 0) & (records["metric"] == "workforce_potential")]
    # week 0 depends on the replication only: same for every policy and every variant
    per_rep = start.groupby("rep")["value"].nunique()
    assert (per_rep == 1).all() and start["value"].nunique() == 3
    # and the variants really differ later on
    end = records[records["metric"] == "voluntary_attrition"]
    assert end.groupby("variant")["value"].mean().nunique() > 1


def test_scenario_model_rounds_integer_fields(small):
    model = ScenarioModel(small)
    scenario = model.prepare({"environment.years": 2.6, "behaviour.voluntary_quit_rate": 0.25})
    assert scenario.environment.years == 3
    assert scenario.behaviour.voluntary_quit_rate == 0.25
    assert model.prepare({"environment.years": 1.49}).environment.years == 1


# --- streaming, resume, bounded memory ---------------------------------------------------


def test_resume_computes_only_missing_tasks_and_repairs_leftovers(tmp_path):
    design = make_design([Factor("x", 0, 1)], 40, "lhs", seed=1)
    out = tmp_path / "run"
    model = FunctionModel(noisy, policies=["steady", "bold"])
    first = run_sweep(model, design, out, reps=3, task_size=7)
    assert (first.tasks, first.computed, first.already_done) == (18, 18, 0)
    complete = load_records(out)

    kept = part_path(out, 0).stat()
    for index in (3, 11):
        part_path(out, index).unlink()
    part_path(out, 5).write_bytes(part_path(out, 5).read_bytes()[:100])  # a torn file
    (out / "parts" / ".task-000017.parquet.abc.tmp").write_bytes(b"half")  # a dead temp file
    assert finished_tasks(out) == set(range(18)) - {3, 5, 11}

    again = run_sweep(model, design, out, reps=3, task_size=7)
    assert (again.computed, again.already_done) == (3, 15)
    assert part_path(out, 0).stat().st_mtime_ns == kept.st_mtime_ns  # not rewritten
    assert not list((out / "parts").glob(".*"))
    pd.testing.assert_frame_equal(load_records(out), complete)
    assert not complete.duplicated(["variant", "policy", "rep", "metric"]).any()
    assert len(complete) == 40 * 3 * 2 * 2
    assert read_manifest(out)["status"] == "complete"


def test_a_folder_with_a_different_experiment_is_refused(tmp_path):
    design = make_design([Factor("x", 0, 1)], 5, "lhs", seed=1)
    run_sweep(FunctionModel(slow_square), design, tmp_path / "d")
    other = make_design([Factor("x", 0, 2)], 5, "lhs", seed=1)
    with pytest.raises(ExperimentError, match="holds a different experiment"):
        run_sweep(FunctionModel(slow_square), other, tmp_path / "d")
    with pytest.raises(ExperimentError, match="holds a different experiment"):
        run_sweep(FunctionModel(slow_square), design, tmp_path / "d", reps=2)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("someone's files")
    with pytest.raises(ExperimentError, match="not empty and not an experiment folder"):
        run_sweep(FunctionModel(slow_square), design, tmp_path / "mine")
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


class CountingExecutor(Executor):
    """A thread pool that records the most futures ever outstanding."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(2)
        self.outstanding = 0
        self.most = 0
        self.lock = threading.Lock()

    def submit(self, fn, *args, **kwargs):
        with self.lock:
            self.outstanding += 1
            self.most = max(self.most, self.outstanding)
        future = self.pool.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future) -> None:
        with self.lock:
            self.outstanding -= 1

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.pool.shutdown(wait, cancel_futures=cancel_futures)


def test_tasks_in_flight_are_bounded(tmp_path):
    design = make_design([Factor("x", 0, 1)], 60, "lhs", seed=1)
    executor = CountingExecutor()
    try:
        summary = run_sweep(FunctionModel(slow_square), design, tmp_path / "b", executor=executor)
    finally:
        executor.shutdown()
    assert summary.computed == 60
    assert executor.most <= 2 * os.cpu_count() + 2
    records = load_records(tmp_path / "b")
    expected = (design.variants["x"] ** 2).to_numpy()
    np.testing.assert_allclose(records["value"].to_numpy(), expected)


def given(**columns) -> Design:
    """A design of the given variants (one column per parameter)."""
    frame = pd.DataFrame(columns)
    factors = [Factor(name, float(frame[name].min()), float(frame[name].max())) for name in frame]
    return Design("given", len(frame), 0, factors, frame)


def test_max_in_flight_is_respected(tmp_path):
    executor = CountingExecutor()
    try:
        run_sweep(
            FunctionModel(slow_square),
            given(x=np.linspace(0, 1, 30)),
            tmp_path / "m",
            executor=executor,
            max_in_flight=3,
        )
    finally:
        executor.shutdown()
    assert 1 <= executor.most <= 3


def failing(x: float) -> dict:
    if x > 0.5:
        raise RuntimeError("model blew up")
    return {"y": x}


def test_a_failing_task_stops_the_run_and_keeps_finished_tasks(tmp_path):
    out = tmp_path / "f"
    with pytest.raises(RuntimeError, match="model blew up"):
        run_sweep(FunctionModel(failing), given(x=[0.1, 0.2, 0.9, 0.3]), out)
    assert finished_tasks(out) == {0, 1}
    assert read_manifest(out)["status"] == "running"


def test_bad_arguments_are_refused(tmp_path):
    model = FunctionModel(slow_square, policies=["a"])
    design = given(x=[0.1])
    with pytest.raises(ExperimentError, match="reps: 0 is out of range"):
        run_sweep(model, design, tmp_path / "x", reps=0)
    with pytest.raises(ExperimentError, match="unknown policies"):
        run_sweep(model, design, tmp_path / "x", policies=["b"])
    with pytest.raises(ExperimentError, match="no variants"):
        run_sweep(model, given(x=[]), tmp_path / "x")
    with pytest.raises(ExperimentError, match="cannot reach the scheduler"):
        with open_executor(1, "tcp://127.0.0.1:9", connect_timeout=1):
            pass
    with pytest.raises(ExperimentError, match="cannot reach the scheduler"):
        with open_executor(1, "inproc://nowhere/1/1", connect_timeout=1):
            pass
    with pytest.raises(ExperimentError, match="allowed 'local'"):
        with open_executor(1, "somewhere"):
            pass


def test_manifest_records_the_design_and_provenance(tmp_path, small):
    run_sweep(small, quit_design(2), tmp_path / "m", reps=1)
    manifest = read_manifest(tmp_path / "m")
    scenario = load_scenario(small)
    assert manifest["model"]["scenario_hash"] == scenario.hash
    assert manifest["sweep"]["method"] == "lhs"
    assert manifest["sweep"]["problem"]["names"] == [
        "behaviour.voluntary_quit_rate",
        "environment.years",
    ]
    assert manifest["variants"] == 2 and manifest["reps"] == 1 and manifest["seed"] == 7
    assert manifest["policies"] == ["fire_bottom", "keep_all"]
    assert manifest["simlib_version"] and manifest["status"] == "complete"


def test_compare_runs_on_the_runner_engine_with_the_same_results(small):
    from simlib.experiments.compare import compare

    serial = compare(small, reps=3, seed=5)
    with ProcessPoolExecutor(2) as pool:
        pooled = compare(small, reps=3, seed=5, executor=pool)
    pd.testing.assert_frame_equal(serial.frame, pooled.frame)
    assert list(
        serial.frame.drop_duplicates(["policy", "rep"])[["rep", "policy"]].itertuples(
            index=False, name=None
        )
    ) == [(r, p) for r in range(3) for p in ("fire_bottom", "keep_all")]
