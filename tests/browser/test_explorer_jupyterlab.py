"""The explorer as an analyst opens it: JupyterLab in a real browser, Run → Run All Cells.

JupyterLab serves the notebooks folder on loopback without a token; Chromium opens
``explore.ipynb``, waits for the kernel, runs every cell through the menu and checks that
each code cell ran, that no cell shows an error and that the widgets (sliders, dropdowns,
the Run button, the chart and the summary table) render. Autosave is off in the test's
settings and the notebook file is checked unchanged: running it must not write into the
source tree.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from explorer_page import ARTIFACTS, DROPDOWN, EXPLORER, RUN, SLIDER_HANDLE, ExplorerPage
from playwright.sync_api import TimeoutError as PlaywrightTimeout

KERNEL_TIMEOUT = 90_000  # ms: JupyterLab's first page load and kernel start
RUN_ALL_TIMEOUT = 90_000  # ms
IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
KERNEL_IDLE = re.compile(r"\|\s*Idle\b")


PROMPTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt"


def run_all_cells(page, notebook, attempts: int = 3) -> None:
    """Run → Run All Cells through the menu, as a person would, until the cells start.

    Right after the kernel reports idle, JupyterLab may not yet treat the notebook as the
    current document and the menu command then does nothing; a click into the notebook
    makes it current, and the menu is used again if no cell started within 10 s.
    """
    for _ in range(attempts):
        notebook.locator(".jp-Cell").first.click()
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        item = page.locator(".lm-Menu-item[data-command='runmenu:run-all']")
        item.wait_for(state="visible")
        item.click()
        try:
            page.wait_for_function(
                f"() => [...document.querySelectorAll({PROMPTS!r})].some((p) => "
                "/\\[(\\*|\\d+)\\]/.test(p.textContent))",
                timeout=10_000,
            )
            return
        except PlaywrightTimeout:
            dialogs = page.locator(".jp-Dialog").all_inner_texts()
            assert not dialogs, f"JupyterLab shows a dialog: {dialogs}"
            page.keyboard.press("Escape")
    raise AssertionError(f"Run All Cells did not start any cell in {attempts} attempts")


def test_explorer_runs_all_cells_in_jupyterlab(jupyterlab, page, report, tmp_path: Path) -> None:
    source_before = EXPLORER.read_bytes()
    t_open = time.perf_counter()
    page.goto(f"{jupyterlab.url}lab/tree/{EXPLORER.name}")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    notebook.locator(".jp-CodeCell").first.wait_for(timeout=KERNEL_TIMEOUT)
    # The toolbar's indicator can read "idle" while the kernel is still starting; the
    # status bar says "Python 3 (ipykernel) | Idle" only once it is ready.
    page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).wait_for(timeout=KERNEL_TIMEOUT)
    page.locator(IDLE).wait_for(timeout=KERNEL_TIMEOUT)
    report(f"JupyterLab notebook open, kernel idle, in {time.perf_counter() - t_open:.1f} s")

    t_run = time.perf_counter()
    run_all_cells(page, notebook)
    # Every code cell has run when each input prompt shows an execution count, "[3]:".
    page.wait_for_function(
        f"() => [...document.querySelectorAll({PROMPTS!r})].every((p) => /\\[\\d+\\]/.test("
        "p.textContent))",
        timeout=RUN_ALL_TIMEOUT,
    )
    page.locator(IDLE).wait_for(timeout=RUN_ALL_TIMEOUT)
    explorer = ExplorerPage(page, scope=".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    explorer.wait_until_ready(RUN_ALL_TIMEOUT)
    report(f"Run All Cells: widgets rendered in {time.perf_counter() - t_run:.1f} s")

    assert explorer.errors() == [], f"error output in JupyterLab: {jupyterlab.log_tail()}"
    assert notebook.locator(SLIDER_HANDLE).count() >= 1
    assert notebook.locator(DROPDOWN).count() >= 1
    assert notebook.locator(RUN).first.is_visible()
    assert page.log.page_errors == [], "JupyterLab raised script errors"

    # At a common laptop width no readout or lever name is cut off.
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.wait_for_timeout(500)  # JupyterLab lays the panel out again
    assert explorer.clipped() == [], "clipped at 1,280 px in JupyterLab"

    shot = tmp_path / "explorer-jupyterlab.png"
    page.screenshot(path=str(shot))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / shot.name)
    assert EXPLORER.read_bytes() == source_before, "running in JupyterLab changed the notebook"
