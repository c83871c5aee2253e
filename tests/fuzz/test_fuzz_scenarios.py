"""Fuzzing scenario loading and the CLI: every case is refused cleanly or loads and runs.

200 cases in the default run, split over the tests below; ``make fuzz`` runs 1,000 or more
(``SIMLIB_FUZZ_CASES``). See :mod:`tests.fuzz.harness` for what each case must satisfy.
"""

from __future__ import annotations

import pytest
from hypothesis import given, note

from tests.fuzz import strategies as s
from tests.fuzz.harness import run_case
from tests.fuzz.settings import cases

# run_case asserts each outcome's contract itself and says which one it was.
OUTCOMES = ("refused", "ran")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@cases("mutated")
@given(case=s.mutated_documents())
def test_mutated_shipped_scenarios(workdir, case):
    content, labels = case
    note(f"mutations: {labels}")
    path = workdir / "mutated.yaml"
    path.write_bytes(content)
    assert run_case(path, "mutated") in OUTCOMES


@cases("bytes")
@given(content=s.broken_bytes())
def test_broken_files(workdir, content):
    path = workdir / "broken.yaml"
    path.write_bytes(content)
    assert run_case(path, "bytes") in OUTCOMES


@cases("overrides")
@given(case=s.override_pairs())
def test_hostile_overrides(case):
    name, args = case
    assert run_case(s.scenario_path(name), "overrides", extra=args) in OUTCOMES


@cases("schema_random")
@given(content=s.schema_documents())
def test_values_drawn_from_the_schema(workdir, content):
    path = workdir / "schema.yaml"
    path.write_bytes(content)
    assert run_case(path, "schema_random") in OUTCOMES


@cases("valid_random")
@given(content=s.valid_documents())
def test_random_valid_scenarios_load_and_run(workdir, content):
    path = workdir / "valid.yaml"
    path.write_bytes(content)
    assert run_case(path, "valid_random", must_load=True) == "ran"
