"""Every behavioural size says where it comes from and how sure we are.

The register (:mod:`simlib.scenario.sources`) reads the ``size`` markers of the schema
(:mod:`simlib.scenario.sizes`); these tests fail when a numeric behaviour field has no
marker, an assumption has no range, a default lies outside its stated range, or the
README's table differs from the register.
"""

import re
from pathlib import Path

import pytest
from pydantic import Field

from simlib.scenario import sources
from simlib.scenario.behaviour import Behaviour, ExitBehaviour
from simlib.scenario.fields import walk
from simlib.scenario.schema import Section
from simlib.scenario.sizes import (
    EFFORT,
    KIND_MEANINGS,
    RESPONSES,
    Size,
    assumption,
    definition,
    sourced,
)

ROOT = Path(__file__).resolve().parents[2]
YEAR = re.compile(r"\b(19|20)\d\d\b")


def test_every_numeric_behaviour_field_says_where_its_size_comes_from():
    numeric = [r for r in walk(Behaviour, "behaviour") if r.numeric]
    assert len(numeric) > 60  # the walk reaches every sub-section
    missing = [r.dotted for r in numeric if sources.size_of(r) is None]
    assert missing == []
    registered = {e.path for e in sources.register()}
    assert {r.dotted for r in numeric} <= registered


def test_every_size_has_a_known_kind_response_and_basis():
    for e in sources.register():
        assert e.size.kind in KIND_MEANINGS, e.path
        assert e.size.response in RESPONSES, e.path
        assert e.size.basis.strip(), e.path


def test_every_assumption_states_a_range_and_every_default_lies_inside_its_range():
    for e in sources.register():
        if e.size.kind == "assumption":
            assert e.size.has_range, f"{e.path} is an assumption without a range"
        if e.size.has_range:
            assert e.size.low <= e.default <= e.size.high, (
                f"{e.path} = {e.default} lies outside its stated range {e.size.range_text()}"
            )


def test_sourced_and_calibrated_sizes_name_a_published_year():
    for e in sources.register():
        if e.size.kind in ("sourced", "calibrated"):
            assert YEAR.search(e.size.basis), f"{e.path}: no author-year in {e.size.basis!r}"


def test_descriptions_are_written_from_the_markers():
    """The description a user reads (``simlib check --explain``, the explorer) says it too."""
    for e in sources.register():
        assert e.size.sentence() in e.description, e.path
    text = ExitBehaviour.model_fields["pay_lag_sensitivity"].description or ""
    assert text.startswith("log hazard per unit of yearly pay growth short of")
    assert "Assumption, plausible range 10–60: the direction is Trevor" in text


def test_the_register_covers_the_response_sizes_that_sit_with_policy_levers():
    paths = {e.path for e in sources.register()}
    assert "policies.<policy>.rating.appeals.evidence_reliability" in paths
    assert "policies.<policy>.consequences.pip.improvement_sd" in paths
    # Levers the policy sets are not behavioural sizes and carry no marker.
    assert "policies.<policy>.rating.appeals.panels" not in paths


def test_the_register_refuses_a_behaviour_field_without_a_size(monkeypatch):
    class Toy(Section):
        marked: float = Field(0.5, ge=0, le=1, **assumption(EFFORT, "x", (0.2, 0.8), "none"))
        unmarked: float = Field(0.5, ge=0, le=1, description="no size said")

    monkeypatch.setattr(sources, "ROOTS", (("behaviour", Toy),))
    with pytest.raises(ValueError, match="behaviour.unmarked says nowhere"):
        sources.register()


def test_the_helpers_refuse_sizes_that_say_nothing_or_run_backwards():
    with pytest.raises(ValueError, match="say where the size comes from"):
        assumption(EFFORT, "x", (0.1, 0.2), "")
    with pytest.raises(ValueError, match="runs backwards"):
        sourced(EFFORT, "x", "Someone 2000", (0.5, 0.1))
    with pytest.raises(ValueError, match="unknown response"):
        definition("mood", "x", "a scale")


def test_a_size_reads_back_from_the_schema_as_written():
    text = assumption(EFFORT, "weight of news", (0.2, 0.8), "no study")
    assert text["description"] == "weight of news. Assumption, plausible range 0.2–0.8: no study"
    size = Size.from_json(text["json_schema_extra"])
    assert size == Size(EFFORT, "assumption", "no study", 0.2, 0.8)
    assert Size.from_json({}) is None
    schema = ExitBehaviour.model_json_schema()["properties"]["engagement_sensitivity"]
    assert schema["size"]["kind"] == "sourced" and schema["size"]["low"] == 1.5


def test_the_table_groups_rows_by_response_in_order():
    responses = [e.size.response for e in sources.register()]
    order = [RESPONSES.index(r) for r in responses]
    assert order == sorted(order)
    table = sources.markdown_table()
    for response in set(responses):
        assert table.count(f"**{response}**") == 1
    assert table.count("\n") == len(responses) + 1  # header, rule, one row per size


def test_the_readme_table_of_sizes_is_the_register():
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- sizes:start -->", "<!-- sizes:end -->"
    assert start in readme and end in readme
    block = readme.split(start)[1].split(end)[0].strip()
    assert block == f"{sources.markdown_table()}\n\n{sources.kinds_line()}."


def test_kind_counts_add_up():
    counts = sources.kind_counts()
    assert list(counts) == list(KIND_MEANINGS)
    assert sum(counts.values()) == len(sources.register())
    assert counts["assumption"] > 0 and counts["sourced"] > 0
