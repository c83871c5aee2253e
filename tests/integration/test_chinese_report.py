"""The policy_showdown report in Chinese: every section a director reads speaks Chinese (names
and numbers aside), English is unchanged, and every chart draws its Chinese text with the CJK
font (no tofu boxes: a missing glyph fails the test)."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

import simlib
from simlib import i18n
from simlib.i18n.fonts import CJK_FAMILY, cjk_font_path
from simlib.present import briefing, plots, report, uncertainty

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"organization.headcount": 120, "environment.years": 2, "experiment.reps": 3}


@pytest.fixture(scope="module")
def showdown():
    scenario = simlib.load_scenario(ROOT / "scenarios" / "policy_showdown.yaml", overrides=SMALL)
    results = simlib.compare(scenario)
    snapshot = simlib.final_workforce(scenario, results.policies, seed=results.manifest["seed"])
    return scenario, results, snapshot


def sections(scenario, results) -> str:
    """The report's sections as the report notebook shows them (the ensemble not run)."""
    parts = [report.header_html(results)]
    for key, html in (
        ("answer", report.summary_html(results, scenario.report.metrics)),
        ("money", report.money_html(results)),
        ("fairness", report.fairness_html(results)),
        ("sanity", report.sanity_html(results)),
        ("uncertainty", uncertainty.uncertainty_html(scenario, results, None)),
        ("outcomes", briefing.executive_summary_html(results)),
        ("caveats", "".join(f"<li>{c}</li>" for c in briefing.caveats(results))),
    ):
        parts += [report.heading(key), html]
    return "".join(parts)


def english_left(page: str, scenario, results) -> list[str]:
    """Words of English left in the visible text once names are taken out: the scenario's
    own text (name, description, organization), policy and group names, codes, currency and
    the abbreviations Chinese HR writing keeps (SD, CI, OKR, KPI, PIP, CFR, Fisher)."""
    text = re.sub(r"<code>.*?</code>", " ", page)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace(" ".join(scenario.description.split()), " ")
    names = [scenario.name, scenario.organization.name, *results.policies, "EUR"]
    names += list(scenario.organization.groups)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    kept = {"SD", "CI", "OKR", "KPI", "PIP", "CFR", "Fisher", "vs"}
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text) if w not in kept]


def test_every_report_section_speaks_chinese(showdown):
    scenario, results, _ = showdown
    with i18n.use("zh"):
        page = sections(scenario, results)
    assert not english_left(page, scenario, results), english_left(page, scenario, results)
    for term in ("结论", "财务", "公平性", "净价值", "回收期", "五分之四", "主动离职率"):
        assert term in page, term


def test_english_is_unchanged(showdown):
    scenario, results, _ = showdown
    page = sections(scenario, results)
    assert not re.search(r"[\u4e00-\u9fff]", page)
    for words in ("<h2>The answer</h2>", "The question.", "Payback period", "Net value"):
        assert words in page
    assert len(english_left(page, scenario, results)) > 100  # the check above can fail


def _drawn(fig) -> tuple[bytes, list[str]]:
    """The figure as PNG, and every warning of a glyph missing from the fonts."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = plots.figure_png(fig, dpi=60)
    return png, [str(w.message) for w in caught if "missing from font" in str(w.message)]


def _figures(scenario, results, snapshot):
    return [
        plots.plot_over_time(results, ["net_value", "engagement"], ncols=2),
        plots.plot_paired_differences(results, ["net_value", "voluntary_attrition"], ncols=2),
        plots.plot_grade_distribution(snapshot, results),
        plots.plot_pay_distribution(snapshot, results),
        plots.plot_nine_box(snapshot, results),
    ]


@pytest.mark.skipif(cjk_font_path() is None, reason="the mplfonts package is not installed")
def test_charts_draw_chinese_with_the_cjk_font_and_no_missing_glyph(showdown, caplog):
    from matplotlib.font_manager import findfont

    scenario, results, snapshot = showdown
    with i18n.use("zh"), caplog.at_level(logging.WARNING, logger="matplotlib"):
        for fig in _figures(scenario, results, snapshot):
            png, missing = _drawn(fig)
            assert png.startswith(b"\x89PNG") and not missing, missing
            titles = [fig._suptitle] if fig._suptitle is not None else []
            titles += [ax.title for ax in fig.axes if ax.get_title()]
            chinese = [t for t in titles if re.search(r"[\u4e00-\u9fff]", t.get_text())]
            assert chinese, [t.get_text() for t in titles]
            with plots.style():
                for t in chinese:
                    assert Path(findfont(t.get_fontproperties())) == cjk_font_path()
    # No font fallback either (it would print "findfont: ..." into the report).
    assert not [r.getMessage() for r in caplog.records if "findfont" in r.getMessage()]


def test_the_missing_glyph_check_can_fail():
    """Chinese text drawn with the English fonts warns (the check above would catch it)."""
    fig = plots._figure(3, 2)
    fig.suptitle("绩效等级分布")
    _, missing = _drawn(fig)
    assert missing


@pytest.mark.skipif(cjk_font_path() is None, reason="the mplfonts package is not installed")
def test_the_chinese_pdf_embeds_the_cjk_font(tmp_path, showdown, caplog):
    pytest.importorskip("weasyprint")
    from simlib.present.report_document import document, write_pdf

    scenario, results, _ = showdown
    with i18n.use("zh"):
        page = document(report.header_html(results) + report.heading("money"), "比较")
    assert "lang='zh-Hans'" in page and CJK_FAMILY in page
    assert "file:" not in page  # no path of this machine in the page
    assert "data:font/otf;base64," in page  # the glyphs it uses travel with it
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = write_pdf(html, tmp_path / "report.pdf")
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]  # no tofu
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        embedded = [line for line in fonts.splitlines() if "Noto-Sans-CJK-SC" in line]
        assert embedded and " yes " in embedded[0], fonts


def test_the_tofu_check_can_fail(tmp_path, caplog):
    """Without the CJK font, WeasyPrint logs a .notdef glyph for Chinese text."""
    weasyprint = pytest.importorskip("weasyprint")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        weasyprint.HTML(string="<p style='font-family: NoSuchFont'>财务</p>").write_pdf()
    if not [r for r in caplog.records if ".notdef" in r.getMessage()]:
        pytest.skip("this machine has a system CJK font, so nothing is missing")
