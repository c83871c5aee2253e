"""The explorer's page as a person sees it: where its controls, chart and table are.

One place for the selectors, so the tests read as what a person does (move a lever, pick an
option, press Run) and a change in the explorer's layout is fixed here only. The explorer
marks its parts with CSS classes: ``simlib-run`` (the Run button), ``simlib-chart`` (each
chart image), ``simlib-summary`` (the summary table) and ``simlib-message`` (the line where
settings that cannot run are explained). Policy levers and behaviour assumptions sit in an
accordion on the right.
"""

from __future__ import annotations

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPLORER = ROOT / "notebooks" / "explore.ipynb"
ARTIFACTS = ROOT / "reports" / "browser"  # screenshots; ignored by git

RUN = ".simlib-run"
CHART_IMAGE = "img.simlib-chart"
SUMMARY = ".simlib-summary"
SUMMARY_TABLE = f"{SUMMARY} table"
MESSAGE = ".simlib-message"
SLIDER_HANDLE = ".widget-slider .noUi-handle"
DROPDOWN = ".widget-dropdown select"
LEVERS = ".widget-accordion"
SHARE_ROW = ".widget-hbox:has(> .simlib-share-lock)"  # a grade share's slider and its lock
LIVE_UPDATE = ".widget-checkbox:has-text('Live update') input[type='checkbox']"
# What an error looks like on a rendered notebook page: a traceback or stderr output ...
ERROR_OUTPUTS = (
    "[data-mime-type='application/vnd.jupyter.stderr'],"
    " [data-mime-type='application/vnd.jupyter.error'], .jp-OutputArea-output.jp-mod-error"
)
# ... or the explorer's own explanation of settings it could not run or draw.
ERROR_MESSAGES = ("Cannot run these settings", "drawing ", "Error", "Traceback")
CODE = ".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .jp-CodeMirrorEditor, .cm-editor"


class ExplorerPage:
    """The explorer in a browser tab (a Playwright ``Page``), in Voila or JupyterLab."""

    def __init__(self, page, scope: str = "body") -> None:
        self.page = page
        self.scope = page.locator(scope)

    def wait_until_ready(self, timeout_ms: float) -> None:
        """Wait for the levers, the Run button, the summary table and a loaded chart image."""
        for selector in (f"{LEVERS} {SLIDER_HANDLE}", RUN, SUMMARY_TABLE):
            visible = self.scope.locator(f"{selector}:visible").first
            visible.wait_for(state="visible", timeout=timeout_ms)
        self.page.wait_for_function(
            """(sel) => { const img = document.querySelector(sel);
                          return img && img.complete && img.naturalWidth > 0; }""",
            arg=CHART_IMAGE,
            timeout=timeout_ms,
        )

    def code_on_page(self) -> list[str]:
        """Text of any code cell visible on the page."""
        return self.scope.locator(CODE).all_inner_texts()

    def errors(self) -> list[str]:
        """Every error on the page: error or stderr outputs, and the explorer's error lines."""
        found = [t.strip()[:500] for t in self.scope.locator(ERROR_OUTPUTS).all_inner_texts()]
        for text in self.scope.locator(MESSAGE).all_inner_texts():
            if any(marker in text for marker in ERROR_MESSAGES):
                found.append(text.strip()[:500])
        return found

    def message(self) -> str:
        """The explorer's message line (notes such as warnings; empty when all is well)."""
        return " ".join(t.strip() for t in self.scope.locator(MESSAGE).all_inner_texts()).strip()

    def chart_pixels(self) -> bytes:
        """The first chart as rendered on screen (PNG bytes of its element)."""
        return self.scope.locator(CHART_IMAGE).first.screenshot()

    def chart_source(self) -> str:
        return self.scope.locator(CHART_IMAGE).first.get_attribute("src") or ""

    def summary_text(self) -> str:
        """The summary as read on screen: its header line and the table."""
        return self.scope.locator(SUMMARY).first.inner_text()

    def table_html(self) -> str:
        return self.scope.locator(SUMMARY_TABLE).first.inner_html()

    def switch_off_live_update(self) -> None:
        """Untick "Live update", so that changes wait for the Run button."""
        box = self.scope.locator(LIVE_UPDATE).first
        if box.is_checked():
            box.click()
        assert not box.is_checked(), "the Live update box did not untick"

    def press_right_on_lever_slider(self) -> tuple[str, str, str]:
        """Focus a policy lever's slider handle and press ArrowRight.

        The first visible, enabled lever slider that is not a grade share is used (moving one
        share alone would break the shares' sum of 100%, which the explorer rightly refuses).

        Returns
        -------
        (label, value before, value after)
        """
        sliders = self.scope.locator(f"{LEVERS} .widget-slider")
        for i in range(sliders.count()):
            slider = sliders.nth(i)
            if not slider.is_visible() or slider.locator(".noUi-target[disabled]").count():
                continue  # e.g. an optional lever that is switched off
            label = slider.locator(".widget-label").inner_text().strip()
            if "share" in label:
                continue
            handle = slider.locator(".noUi-handle")
            before = handle.get_attribute("aria-valuenow") or ""
            handle.focus()
            self.page.keyboard.press("ArrowRight")
            return label, before, handle.get_attribute("aria-valuenow") or ""
        raise AssertionError("no policy lever slider (other than grade shares) on the page")

    def choose_another_lever_option(self) -> tuple[str, str, str]:
        """Pick a different option in the first policy lever dropdown that can be used.

        Returns
        -------
        (label, option before, option after)
        """
        dropdown = self.scope.locator(f"{LEVERS} .widget-dropdown:visible:has(select:enabled)")
        dropdown = dropdown.first
        label = dropdown.locator(".widget-label").inner_text().strip()
        select = dropdown.locator("select")
        before = select.evaluate("(s) => s.options[s.selectedIndex].text")
        options = select.locator("option").all_inner_texts()
        other = next(option for option in options if option != before)
        select.select_option(label=other)
        return label, before, select.evaluate("(s) => s.options[s.selectedIndex].text")

    def click_run(self) -> None:
        self.scope.locator(RUN).first.click()

    def wait_for_redraw(
        self, chart_source: str, table_html: str, timeout_ms: float
    ) -> tuple[float, float]:
        """Wait until the table differs and the chart image was replaced and has loaded.

        ``chart_source`` and ``table_html`` are :meth:`chart_source` and :meth:`table_html`
        read before the change.

        Returns
        -------
        (seconds until the table changed, seconds until the new chart was shown)
        """
        started = time.perf_counter()
        self.page.wait_for_function(
            """([tableSel, html]) => {
                 const table = document.querySelector(tableSel);
                 return table && table.innerHTML !== html;
               }""",
            arg=[SUMMARY_TABLE, table_html],
            timeout=timeout_ms,
        )
        table_seconds = time.perf_counter() - started
        self.page.wait_for_function(
            """([imgSel, src]) => {
                 const img = document.querySelector(imgSel);
                 return img && img.src !== src && img.complete && img.naturalWidth > 0;
               }""",
            arg=[CHART_IMAGE, chart_source],
            timeout=timeout_ms,
        )
        return table_seconds, time.perf_counter() - started

    def clipped(self) -> list[str]:
        """Readouts and lever names (of sliders, boxes and switches) cut off on screen: text
        wider than the box showing it."""
        return self.scope.evaluate(
            """(root) => [...root.querySelectorAll(
                   '.widget-readout, .widget-label, .widget-checkbox label span')]
                 .filter((e) => e.offsetParent !== null && e.innerText.trim()
                         && e.scrollWidth > e.clientWidth + 1)
                 .map((e) => `${e.innerText.trim()} (${e.scrollWidth} > ${e.clientWidth} px)`)"""
        )

    def shares(self) -> dict[str, float]:
        """The grade shares of the policy being adjusted, as their readouts show them."""
        found = {}
        for row in self.scope.locator(f"{SHARE_ROW}:visible").all():
            label = row.locator(".widget-label").first.inner_text().strip()
            found[label.split("·")[-1].strip()] = float(
                row.locator(".widget-readout").first.inner_text()
            )
        return found

    def share_handle(self, grade: str):
        row = self.scope.locator(f"{SHARE_ROW}:visible").filter(
            has=self.page.locator(".widget-label", has_text=f"shares · {grade}")
        )
        return row.locator(".noUi-handle").first

    def shares_check(self) -> str:
        return self.scope.locator(".simlib-shares-check:visible").first.inner_text()

    def save_as(self, path: Path) -> str:
        """Type a file name into "Save as", press the button, and return the page's note."""
        self.scope.locator(".simlib-save-path input").first.fill(str(path))
        self.scope.locator(".simlib-save").first.click()
        note = self.scope.locator(".simlib-file-message")
        note.filter(has_text=str(path.name)).first.wait_for(timeout=30_000)
        return note.first.inner_text()

    def open_file(self, path: Path | str) -> str:
        """Type a path into the file field, press Open, and return the page's note."""
        self.scope.locator(".simlib-file input").first.fill(str(path))
        self.scope.locator(".simlib-open").first.click()
        note = self.scope.locator(".simlib-file-message")
        note.filter(has_text=str(Path(path).name)).first.wait_for(timeout=60_000)
        return note.first.inner_text()

    def screenshot(self, path: Path) -> None:
        """The whole explorer: a tall viewport, since the page scrolls inside its own panel."""
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": size["width"], "height": 3800})
        self.page.evaluate(
            """() => { window.scrollTo(0, 0);
                       for (const e of document.querySelectorAll('*')) {
                         if (e.scrollTop) e.scrollTop = 0; } }"""
        )
        self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size(size)
