"""``simlib present``: argument checks and the Voila command line (the live server is tested
in tests/browser)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from simlib.cli.main import main
from simlib.present import voila as present

ROOT = Path(__file__).resolve().parents[2]


def test_default_notebook_is_the_shipped_explorer() -> None:
    assert present.default_notebook() == ROOT / "notebooks" / "explore.ipynb"


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    path = tmp_path / "explore.ipynb"
    path.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    return path


def test_voila_command_serves_on_loopback_without_code(notebook: Path) -> None:
    command = present.voila_command(notebook, 9123)
    assert command[:3] == [sys.executable, "-m", "voila"]
    assert str(notebook) in command
    assert "--port=9123" in command
    assert "--Voila.ip=127.0.0.1" in command
    assert "--Voila.port_retries=0" in command
    assert "--strip_sources=True" in command
    assert "--no-browser" in command


def test_missing_notebook_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.ipynb"
    assert main(["present", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "nowhere.ipynb does not exist" in err
    assert "Traceback" not in err


def test_a_file_that_is_not_a_notebook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "slides.txt"
    text.write_text("not a notebook")
    assert main(["present", str(text)]) == 2
    assert "is not a Jupyter notebook (.ipynb)" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["0", "70000"])
def test_port_out_of_range_names_the_allowed_range(
    port: str, notebook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["present", str(notebook), "--port", port]) == 2
    assert f"--port: {port} is out of range; allowed 1 to 65535" in capsys.readouterr().err


def test_port_in_use_is_refused_with_advice(
    notebook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not present.port_is_free(port)
        assert main(["present", str(notebook), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"--port: {port} is already in use" in err
    assert "leave --port out" in err


def test_without_a_port_a_free_one_is_chosen() -> None:
    port = present.choose_port(None)
    assert present.port_is_free(port)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        assert present.choose_port(None) != port
