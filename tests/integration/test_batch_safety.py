"""Batch output folders: one batch at a time, its own names, an index built from the disk.

The attack trial found that a scenario named ``index.html`` broke every later batch into
that folder, and that two ``batch --resume`` runs deleted each other's staging folders so
the index marked a finished scenario failed. A tiny notebook keeps these tests quick.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from simlib.cli.main import main
from tests.conftest import lock_held_elsewhere

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks")


@pytest.fixture
def notebook(tmp_path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            'scenario: str = ""\noutput_dir: str = ""', metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(
            "from pathlib import Path\n"
            "Path(output_dir, 'seen.txt').write_text(Path(scenario).read_text())"
        ),
    ]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, str(path))
    return path


def scenario(folder: Path, file: str, name: str) -> Path:
    path = folder / file
    path.write_text(f"name: {name}\npolicies:\n  absolute: {{preset: absolute}}\n")
    return path


def batch(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["batch", "--quiet", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_scenario_named_index_html_cannot_take_the_index(tmp_path, notebook, capsys):
    out = tmp_path / "out"
    hostile = scenario(tmp_path, "a.yaml", "index.html")
    other = scenario(tmp_path, "b.yaml", "INDEX.HTML")
    code, _, err = batch(
        capsys, str(hostile), str(other), "--out", str(out), "--notebook", str(notebook)
    )
    assert code == 0, err
    assert (out / "index.html").is_file()
    assert (out / "index.html-2" / "seen.txt").read_text() == hostile.read_text()
    assert (out / "INDEX.HTML-3" / "seen.txt").is_file()
    # every later batch into the folder works too (it used to crash)
    code, _, err = batch(capsys, str(hostile), "--out", str(out), "--notebook", str(notebook))
    assert code == 0, err
    index = (out / "index.html").read_text()
    assert "href='index.html-2/seen.txt'" in index and "href='INDEX.HTML-3/seen.txt'" in index


def test_a_second_batch_is_refused_at_once_and_the_index_keeps_what_is_on_disk(
    tmp_path, notebook, capsys
):
    out = tmp_path / "out"
    first = scenario(tmp_path, "first.yaml", "first")
    second = scenario(tmp_path, "second.yaml", "second")
    code, _, err = batch(capsys, str(first), "--out", str(out), "--notebook", str(notebook))
    assert code == 0, err

    with lock_held_elsewhere(out.resolve(), "simlib batch --resume") as holder:
        (out / ".staging" / "theirs").mkdir(parents=True)  # the other batch's work
        started = time.monotonic()
        code, _, err = batch(capsys, str(second), "--out", str(out), "--notebook", str(notebook))
        assert code == 2 and time.monotonic() - started < 5
        assert f"another simlib command is writing here (pid {holder.pid}" in err
        assert err.strip().count("\n") == 0
        assert (out / ".staging" / "theirs").is_dir()  # untouched

    code, _, err = batch(capsys, str(second), "--out", str(out), "--notebook", str(notebook))
    assert code == 0, err
    index = (out / "index.html").read_text()
    # this batch ran 'second'; 'first' is on disk, finished, and listed as such
    assert "href='first/seen.txt'" in index and "href='second/seen.txt'" in index
    assert index.count("class='status-ok'") == 2 and "FAILED" not in index
    assert not (out / ".staging").exists()  # a dead batch's staging removed by the next
