"""docs/DESIGN.md is in the repository, the README links it, and its metric names are the
catalogue's (metric names are a contract)."""

from __future__ import annotations

import re

from simlib.metrics.catalogue import METRICS
from tests.conftest import ROOT

DESIGN = ROOT / "docs" / "DESIGN.md"
FAMILIES = ("grade_share", "selection_rate", "rated_in_group")


def test_the_readme_links_the_design_document_that_is_there():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+\.md)\)", readme)
    assert "docs/DESIGN.md" in links
    for link in links:
        assert (ROOT / link).is_file(), link


def test_every_section_the_code_cites_is_in_the_design_document():
    sections = set(re.findall(r"^## (\d+)\.", DESIGN.read_text(encoding="utf-8"), re.M))
    cited = set()
    for path in (ROOT / "simlib").rglob("*.py"):
        cited |= set(re.findall(r"DESIGN §(\d+)", path.read_text(encoding="utf-8")))
        cited |= set(re.findall(r"DESIGN §\d+ and §(\d+)", path.read_text(encoding="utf-8")))
    assert cited, "no citation found: the pattern no longer matches the code"
    assert cited <= sections, sorted(cited - sections)


def test_the_design_documents_metric_names_are_the_catalogues():
    text = DESIGN.read_text(encoding="utf-8")
    section = text[text.index("## 5.") : text.index("## 6.")]
    named = set(re.findall(r"`([a-z_]+)(?::<[^>]+>)?`", section))
    assert named - set(METRICS) - set(FAMILIES) == set()
    assert set(METRICS) - named == set()
