"""The explorer in Chinese, as a reader without Chinese fonts sees it.

``simlib present`` serves the explorer with ``SIMLIB_LANG=zh`` and Chromium opens it at
1,280 px (this machine has no CJK font installed). Every visible text node must be Chinese,
numbers or code (field paths, policy and scenario names), apart from a short allow-list of
terms Chinese HR practice writes in Latin letters (SD, CI, OKR, KPI, PIP…). The Chinese
glyphs must be drawn by the font the explorer embeds (Chromium reports which font drew each
node), and the fold-out of the behavioural assumptions must read in Chinese too. A
screenshot is saved under ``reports/browser/`` to be looked at.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from explorer_page import ARTIFACTS, ROOT, ExplorerPage

from simlib.i18n.fonts import CJK_FAMILY

WIDGETS_TIMEOUT = 120_000  # ms: kernel start plus the first run on a loaded 2-core machine
# Latin-letter terms a Chinese HR reader reads as they are.
ALLOWED = {"SD", "CI", "OKR", "KPI", "PIP", "SMART", "SBI", "HR", "simlib", "null", "true"}
ALLOWED |= {"false", "Language", "English"}  # the selector's own label names both languages
# Visible text nodes, the chosen option of each select, placeholders and button labels.
VISIBLE_TEXT = """() => {
  const shown = (e) => e && e.getClientRects().length > 0
      && getComputedStyle(e).visibility !== 'hidden';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || ['SCRIPT', 'STYLE', 'OPTION', 'TEXTAREA'].includes(p.tagName)) continue;
    if (n.textContent.trim() && shown(p)) out.push(n.textContent.trim());
  }
  for (const s of document.querySelectorAll('select')) {
    if (shown(s) && s.selectedIndex >= 0 && !s.multiple) out.push(s.options[s.selectedIndex].text);
  }
  for (const i of document.querySelectorAll('input[placeholder]')) {
    if (shown(i)) out.push(i.placeholder);
  }
  return out;
}"""


def _names() -> set[str]:
    """Names that are code: the shipped scenarios' file stems, policy names and grades."""
    names: set[str] = set()
    for path in (ROOT / "scenarios").glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        names.add(path.stem)
        names |= set((data.get("policies") or {}).keys())
        for policy in (data.get("policies") or {}).values():
            names.add(str((policy or {}).get("preset", "")))
    return names


def english_words(texts: list[str], names: set[str]) -> list[str]:
    """Texts holding an English word that is not a name, a path or an allowed term."""
    found = []
    for text in texts:
        rest = re.sub(r"[\w.:/-]*[_./][\w.:/-]*", " ", text)  # paths, files, snake_case names
        words = [w for w in re.findall(r"[A-Za-z]{2,}", rest) if w not in ALLOWED | names]
        if words:
            found.append(f"{text[:80]!r}: {words}")
    return found


def platform_fonts(page, selector: str) -> list[dict]:
    """The fonts Chromium drew the first text node under ``selector`` with (DevTools)."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def test_the_explorer_reads_fully_in_chinese_in_the_embedded_font(
    voila_chinese, page, report, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(voila_chinese.url)
    explorer = ExplorerPage(page)
    explorer.wait_until_ready(WIDGETS_TIMEOUT)
    assert explorer.code_on_page() == []
    assert explorer.errors() == [], voila_chinese.log_tail()
    assert page.locator(".simlib-run").inner_text().strip() == "运行"

    # Open the folded assumptions and one of its groups: their words are read too.
    page.get_by_text("假设：", exact=False).first.click()
    page.get_by_text("评价者", exact=True).first.click()
    page.wait_for_timeout(1000)
    names = _names()
    texts = page.evaluate(VISIBLE_TEXT)
    report(f"{len(texts)} visible texts checked")
    assert len(texts) > 100
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", t)) for t in texts) > 60
    assert english_words(texts, names) == []

    faces = page.evaluate(
        "() => [...document.fonts].map(f => [f.family.replace(/[\"']/g, ''), f.status])"
    )
    assert [CJK_FAMILY, "loaded"] in faces, faces
    family = page.evaluate(
        "() => getComputedStyle(document.querySelector('.simlib-run')).fontFamily"
    )
    assert family.replace('"', "").replace("'", "").startswith(CJK_FAMILY), family
    drawn = platform_fonts(page, ".simlib-run")
    report(f"Run button drawn with {drawn}")
    assert any(f["isCustomFont"] and CJK_FAMILY in f["familyName"] for f in drawn), drawn

    shot = tmp_path / "explorer-chinese-1280.png"
    explorer.screenshot(shot)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / shot.name)
    report(f"screenshot: {ARTIFACTS / shot.name}")
