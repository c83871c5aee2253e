"""The strategist's loop in a real browser: an own scenario file, a share moved, saved, checked.

``simlib present --scenario FILE`` serves the explorer on a scenario file kept outside
``scenarios/`` (a copy of the baseline in a folder of its own). At 1,280 px wide, Chromium
moves the forced curve's S share with the keyboard: the other grades must rebalance so the
shares still sum to 100%, with no error on the page. "Save as scenario" writes the settings
to a new file, which ``simlib check`` must accept. No readout or lever name may be clipped,
and a screenshot is kept under ``reports/browser/``.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import OWN_SCENARIO
from explorer_page import ARTIFACTS, ROOT, ExplorerPage

WIDGETS_TIMEOUT = 120_000  # ms: kernel start plus the first run on a loaded 2-core machine
WIDTH = 1280  # px: a common laptop width


def test_own_scenario_share_rebalances_and_saves_a_file_simlib_check_accepts(
    voila_app, page, report, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    page.goto(voila_app.url)
    explorer = ExplorerPage(page)
    explorer.wait_until_ready(WIDGETS_TIMEOUT)
    chosen = page.locator(".widget-dropdown:has-text('Scenario') select").first
    assert chosen.evaluate("(s) => s.options[s.selectedIndex].text") == Path(OWN_SCENARIO).stem

    before = explorer.shares()
    assert list(before) == ["S", "A", "B", "C", "D"], before
    assert "100.0%" in explorer.shares_check()
    handle = explorer.share_handle("S")
    handle.focus()
    started = time.perf_counter()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.simlib-share-lock')].length > 0 &&
                 document.querySelector('.simlib-shares-check').innerText.includes('100.0%')""",
        timeout=30_000,
    )
    # The other grades follow the moved one (rescaled in the kernel, redrawn in the page).
    page.wait_for_function(
        """(b) => { const r = [...document.querySelectorAll(
                      '.widget-hbox:has(> .simlib-share-lock) .widget-readout')];
                    return r.length > 2 && r[2].innerText.trim() !== b; }""",
        arg=f"{before['B']:.3g}",
        timeout=30_000,
    )
    report(f"shares rebalanced {time.perf_counter() - started:.2f} s after the key press")
    after = explorer.shares()
    report(f"shares before {before}, after {after}")
    assert after["S"] > before["S"]
    assert all(after[g] < before[g] for g in ("A", "B", "C", "D"))
    assert math.isclose(math.fsum(after.values()), 1.0, abs_tol=0.003)  # readouts show 3 digits
    assert "✓ shares sum to 100.0%" in explorer.shares_check()
    assert explorer.errors() == [], f"error after the move:\n{voila_app.log_tail()}"

    saved = tmp_path / "tuned.yaml"
    note = explorer.save_as(saved)
    report(f"save as: {note}")
    assert "Saved" in note and saved.exists()
    assert "shares:" in saved.read_text() and "changed in the explorer" in saved.read_text()
    check = subprocess.run(
        [sys.executable, "-m", "simlib.cli.main", "check", str(saved)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    report(f"simlib check: {check.stdout.strip()[:100]}")

    bad = tmp_path / "broken.yaml"
    bad.write_text("policies: {x: {preset: nope}}\n")
    note = explorer.open_file(bad)
    assert "Cannot open" in note and "nope" in note
    assert explorer.shares() == after, "a bad file changed the page"

    assert explorer.clipped() == [], "clipped at 1,280 px"
    shot = tmp_path / "explorer-own-scenario-1280.png"
    explorer.screenshot(shot)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / shot.name)
    report(f"screenshot: {ARTIFACTS / shot.name}")
    assert page.log.page_errors == [], "the page raised script errors"
