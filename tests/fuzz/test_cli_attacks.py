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


# --- OS, Arrow and Dask errors are one line ---------------------------------------------


def test_out_that_is_a_file_is_one_line_exit_2(capsys, tmp_path, scenario):
    target = tmp_path / "afile"
    target.write_text("not a folder")
    code = main(["compare", str(scenario), "--out", str(target), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.strip().splitlines() == [
        f"simlib: error: {target}: exists and is not a folder; choose a folder for --out"
    ]
    assert target.read_text() == "not a folder"


@pytest.mark.parametrize(
    ("raised", "code", "said"),
    [
        (OSError(28, "No space left on device", "results.parquet"), 1, "the disk is full"),
        (IsADirectoryError(21, "Is a directory", "x.csv"), 2, "x.csv: is a folder"),
        (FileExistsError(17, "File exists", "out"), 2, "out: already exists"),
    ],
)
def test_os_errors_while_saving_are_one_line(capsys, monkeypatch, scenario, raised, code, said):
    from simlib.analysis.results import Results

    def fail(self, folder):
        raise raised

    monkeypatch.setattr(Results, "save", fail)
    got = main(["compare", str(scenario), "--out", str(scenario.parent / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert got == code
    assert len(err.strip().splitlines()) == 1 and said in err, err


def test_arrow_errors_and_a_lost_scheduler_are_one_line(capsys, monkeypatch, scenario):
    import asyncio
    import concurrent.futures

    import pyarrow as pa

    import simlib.experiments.sweep as sweep

    for raised, said in (
        (pa.ArrowInvalid("Parquet magic bytes not found in footer"), "Parquet"),
        (concurrent.futures.CancelledError(), "scheduler or the worker pool was lost"),
        (asyncio.CancelledError(), "scheduler or the worker pool was lost"),
    ):

        def fail(*args, raised=raised, **kwargs):
            raise raised

        monkeypatch.setattr(sweep, "run_sweep", fail)
        code = main(
            ["sweep", str(scenario), "--vary", "behaviour.voluntary_quit_rate=0.05:0.2",
             "--out", str(scenario.parent / "sw"), "--quiet"]
        )  # fmt: skip
        err = capsys.readouterr().err
        assert code == 1
        assert len(err.strip().splitlines()) == 1 and said in err, err


class Peer:
    """A TCP server that is not a Dask scheduler: it sends ``reply`` to whoever connects."""

    def __init__(self, reply: bytes | None):
        import socket
        import threading

        self.reply = reply
        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.conns: list = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.reply is not None:
                conn.sendall(self.reply)

    def close(self) -> None:
        for conn in self.conns:
            conn.close()
        self.server.close()


@pytest.mark.parametrize(
    "reply",
    [b"\xff" * 64, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", None],
    ids=["garbage", "http", "silent"],
)
def test_a_peer_that_is_not_dask_is_refused_quickly(reply):
    import time

    from simlib.experiments.executors import check_scheduler
    from simlib.storage.store import ExperimentError

    peer = Peer(reply)
    try:
        started = time.perf_counter()
        with pytest.raises(ExperimentError, match="Dask") as caught:
            check_scheduler(peer.address, timeout=2.0)
        assert time.perf_counter() - started < 6
        assert "\n" not in str(caught.value)
    finally:
        peer.close()


@pytest.mark.parametrize("address", ["tls://127.0.0.1:9", "udp://127.0.0.1:9", "127.0.0.1:9"])
def test_bad_dask_schemes_exit_2_in_one_line(capsys, scenario, address):
    code = main(
        ["sweep", str(scenario), "--vary", "behaviour.voluntary_quit_rate=0.05:0.2",
         "--out", str(scenario.parent / "sw"), "--quiet", "--dask", address]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "--dask" in err


# --- workers die with their parent ------------------------------------------------------


def marked_processes(mark: str) -> list[int]:
    """Live (not zombie) processes whose environment carries ``mark``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            found.append(int(entry.name))
    return found


def kill_and_count_survivors(
    args: list[str], cwd: Path, workers: int, sig: str = "SIGKILL"
) -> tuple[list[int], str]:
    """Start ``simlib ARGS``, wait for its workers, send it ``sig``; who is left after 10 s."""
    import os
    import signal
    import time
    import uuid

    mark = f"SIMLIB_ORPHAN_TEST={uuid.uuid4().hex}"
    key, value = mark.split("=")
    env = {**os.environ, key: value, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-m", "simlib.cli.main", *args],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while len(marked_processes(mark)) < 1 + workers:
            assert parent.poll() is None, parent.stderr.read().decode() if parent.stderr else ""
            assert time.monotonic() < deadline, "the workers never started"
            time.sleep(0.2)
        time.sleep(1.0)  # let the workers get into their tasks
        parent.send_signal(getattr(signal, sig))  # to the command only
        parent.wait()
        killed = time.monotonic()
        while marked_processes(mark) and time.monotonic() < killed + 10:
            time.sleep(0.25)
        survivors = marked_processes(mark)
    finally:
        for pid in marked_processes(mark):  # clean up after a failing run
            os.kill(pid, signal.SIGKILL)
    return survivors, mark


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM"])
def test_sweep_workers_do_not_outlive_a_killed_sweep(tmp_path, sig):
    big = tmp_path / "big.yaml"
    big.write_text(
        SCENARIO.replace("headcount: 30", "headcount: 2000").replace("years: 1", "years: 3")
    )
    survivors, _ = kill_and_count_survivors(
        ["sweep", str(big), "--vary", "behaviour.voluntary_quit_rate=0.05:0.2", "--samples",
         "200", "--jobs", "2", "--out", str(tmp_path / "sw"), "--quiet", "--force"],
        tmp_path, workers=2, sig=sig,
    )  # fmt: skip
    assert survivors == []


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_batch_workers_and_kernels_do_not_outlive_a_killed_batch_nor_commit(tmp_path):
    import time

    paths = []
    for i in range(2):
        path = tmp_path / f"s{i}.yaml"
        path.write_text(
            SCENARIO.replace("name: tiny", f"name: s{i}").replace(
                "headcount: 30", "headcount: 3000"
            )
        )
        paths.append(str(path))
    out = tmp_path / "out"
    survivors, _ = kill_and_count_survivors(
        ["batch", *paths, "--jobs", "2", "--out", str(out), "--param", "years=10",
         "--notebook", str(ROOT / "notebooks" / "compare.ipynb"), "--quiet"],
        tmp_path, workers=4,  # two workers, each with its notebook kernel
    )  # fmt: skip
    assert survivors == []
    time.sleep(2)
    assert not (out / "s0").exists() and not (out / "s1").exists()  # nothing committed


# --- long validations answer early or show progress -------------------------------------


def test_a_far_too_large_sweep_is_refused_before_every_variant_is_loaded(monkeypatch):
    from simlib.engine.guards import ResourceLimitError
    from simlib.experiments.model import ScenarioModel
    from simlib.experiments.sampling import make_design
    from simlib.experiments.sweep import GUARD_SAMPLE, validate_variants
    from simlib.scenario.loading import load_scenario
    from simlib.storage.design import Factor

    base = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    model = ScenarioModel(base, allow_large=True)
    loaded = []
    real = model.prepare
    monkeypatch.setattr(model, "prepare", lambda params: loaded.append(1) or real(params))
    design = make_design(
        [Factor("behaviour.voluntary_quit_rate", 0.05, 0.2)], 300_000, "lhs", seed=1
    )
    monkeypatch.setenv("SIMLIB_MAX_HOURS", "1")
    with pytest.raises(ResourceLimitError, match="estimated from 256 of them"):
        validate_variants(
            model, design, policies=list(base.policy_names), reps=20, allow_large=False
        )
    assert len(loaded) <= GUARD_SAMPLE


def test_sweep_says_what_it_is_doing_before_the_guard_answers(tmp_path):
    import time

    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "simlib.cli.main", "sweep",
         str(ROOT / "scenarios" / "baseline.yaml"),
         "--vary", "behaviour.voluntary_quit_rate=0.05:0.2", "--samples", "300000",
         "--out", str(tmp_path / "big")],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    first = proc.stderr.readline()
    said = time.monotonic() - started
    rest = proc.stderr.read()
    proc.wait(timeout=120)
    answered = time.monotonic() - started
    assert first.startswith("sweep: drawing the lhs design, --samples 300,000")
    assert proc.returncode == 2 and "sweep too large" in rest
    assert said < answered


# --- terminal output strips control characters ------------------------------------------


def test_control_characters_in_user_text_never_reach_the_terminal(capsys, tmp_path):
    from simlib.cli.failures import printable

    assert printable("a\x1b[2J\x07b\u202ec\r\x9bd\nx\ty") == "a[2Jbcd\nx\ty"
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        SCENARIO.replace("name: tiny", 'name: "evil\\e]0;owned\\a\\e[2J"')
        + 'description: "x\\e[31mred"\n'
    )
    assert main(["check", str(hostile)]) == 0
    out = capsys.readouterr().out
    assert "evil]0;owned[2J" in out and "\x1b" not in out and "\x07" not in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.replace("headcount: 30", 'headcount: "\\e[2J30"'))
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "headcount" in err and "\x1b" not in err
