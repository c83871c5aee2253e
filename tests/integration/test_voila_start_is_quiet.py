"""Voila's start says neither "not trusted" nor "running over TCP without encryption":
the shipped notebooks carry no outputs and are signed as trusted, and the kernels talk to
Voila over Unix sockets in a private folder. Checked on a live server on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from simlib.present import voila as present

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("voila") is None, reason="voila is not installed"
)

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "a1",
            "metadata": {},
            "outputs": [],
            "source": "print(6 * 7)",
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.fixture
def jupyter_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A signature store of this test's own, for this process and the server alike."""
    data = tmp_path / "jupyter-data"
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(data))
    return data


def _notebook(folder: Path, outputs: list | None = None) -> Path:
    content = json.loads(json.dumps(NOTEBOOK))
    if outputs is not None:
        content["cells"][0]["outputs"] = outputs
        content["cells"][0]["execution_count"] = 1
    path = folder / "tiny.ipynb"
    path.write_text(json.dumps(content))
    return path


def test_a_notebook_with_outputs_is_not_signed(tmp_path: Path, jupyter_data: Path) -> None:
    shown = [{"output_type": "stream", "name": "stdout", "text": "42\n"}]
    assert present.trust_if_without_outputs(_notebook(tmp_path, shown)) is False
    assert present.trust_if_without_outputs(_notebook(tmp_path)) is True


def test_the_kernels_use_private_unix_sockets(tmp_path: Path) -> None:
    command = present.voila_command(tmp_path / "x.ipynb", 9123, tmp_path / "sockets")
    assert "--KernelManager.transport=ipc" in command
    assert f"--KernelManager.ip={tmp_path / 'sockets' / 'kernel'}" in command


def test_voila_starts_a_kernel_without_either_warning(tmp_path: Path, jupyter_data: Path) -> None:
    notebook = _notebook(tmp_path)
    assert present.trust_if_without_outputs(notebook)
    sockets = tmp_path / "sockets"
    sockets.mkdir(mode=0o700)
    port = present.free_port()
    log = tmp_path / "voila.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            present.voila_command(notebook, port, sockets),
            cwd=tmp_path,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=dict(os.environ),
            start_new_session=True,
        )
    shown = present.Presentation(
        process=process, url=f"http://127.0.0.1:{port}/", notebook=notebook
    )
    try:
        deadline = time.monotonic() + 60
        while not present._listening(port) and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        with urllib.request.urlopen(shown.url, timeout=120) as page:  # noqa: S310 - loopback
            body = page.read().decode()
        assert page.status == 200
        assert "42" in body  # the kernel ran the cell
        assert any(p.name.startswith("kernel-") for p in sockets.iterdir())
    finally:
        present.stop(shown)
    text = log.read_text()
    assert "Kernel started" in text, text
    assert "not trusted" not in text, text
    assert "without encryption" not in text, text
