"""The report a consultant sends: a small scenario through the batch, read back as HTML and PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simlib.present.batch import run_batch
from simlib.present.report_document import ReportError, write_pdf

pytest.importorskip("papermill")
weasyprint = pytest.importorskip("weasyprint")

SMALL = """\
name: Small pilot
description: >
  Sixty people in one department. Does a forced curve beat absolute ratings on value for
  money, and at what cost in engagement?
organization:
  name: Pilot Co.
  headcount: 60
  span_of_control: 6
  groups: {group_a: 0.5, group_b: 0.5}
environment: {years: 2}
policies:
  absolute: {preset: absolute}
  forced_distribution: {preset: forced_distribution}
report: {metrics: [net_value, engagement, voluntary_attrition]}
experiment: {reps: 3, seed: 5, baseline: absolute}
"""
VARIED = ["behaviour.raters.halo", "behaviour.engagement.ranking_stress"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    scenario = tmp / "small.yaml"
    scenario.write_text(SMALL)
    (run,) = run_batch([scenario], tmp / "out", parameters={"ensemble_assumptions": VARIED})
    assert run.status == "ok", run.error
    return tmp / "out" / run.name


def visible_text(page: str) -> str:
    body = page.split("<body>", 1)[1]
    body = re.sub(r"<style.*?</style>|<script.*?</script>", " ", body, flags=re.S)
    body = re.sub(r"<img[^>]*>", " ", body)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_report_opens_with_the_answer_and_has_every_section(folder):
    page = (folder / "report.html").read_text()
    assert "<title>Small pilot</title>" in page
    text = visible_text(page)
    order = [
        "Small pilot",
        "The answer",
        "The question.",
        "Money",
        "Fairness",
        "Checks before quoting a number",
        "What we don't know",
        "Charts",
        "Appendix",
        "Assumptions register",
    ]
    positions = [text.find(heading) for heading in order]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "Net value" in text and "Payback period" in text
    assert "four-fifths" in text
    assert "2 of the" in text and "behavioural assumptions" in text  # the ensemble ran
    # No developer text and no leaks.
    for leak in (r"\bNone\b", r"\bNaN\b", r"\bnan\b", r"\\n", "simlib batch", "Traceback"):
        assert not re.search(leak, text), leak


def test_the_pdf_is_a4_with_page_numbers(folder):
    pdf = folder / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo") and shutil.which("pdftotext"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "(A4)" in info
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        first = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True
        ).stdout
        assert f"Page 1 of {pages}" in first
    else:  # the pages WeasyPrint lays out for the same HTML: A4 in CSS pixels, footers
        document = weasyprint.HTML(filename=str(folder / "report.html")).render()
        page = document.pages[0]
        assert abs(page.width - 793.7) < 1 and abs(page.height - 1122.5) < 1
        texts = [b.text for b in page._page_box.descendants() if getattr(b, "text", "")]
        assert f"Page 1 of {len(document.pages)}" in texts


def test_a_pdf_that_cannot_be_made_says_why_in_one_line(tmp_path):
    with pytest.raises(ReportError, match="report.pdf could not be made"):
        write_pdf(tmp_path / "missing.html", tmp_path / "report.pdf")
    assert not (tmp_path / "report.pdf").exists()
