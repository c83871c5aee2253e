"""The strategist's loop in the explorer: own scenario files, shares that rebalance, save as
scenario, levers in order of importance with a search box."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from simlib import load_scenario
from simlib.cli.main import main as simlib_main
from simlib.present.explorer_save import CHANGED, save_scenario
from simlib.present.levers import SHARE_DECIMALS, is_assumption, levers, matching, rebalance

pytest.importorskip("ipywidgets")

from simlib.present.explorer import SCENARIO_ENV, Explorer  # noqa: E402

SMALL = """\
# my own organisation, kept outside the shipped scenarios
name: mine
organization: {headcount: 40, span_of_control: 6}
environment: {years: 1}
policies:
  absolute: {preset: absolute}
  curve: {preset: forced_distribution}
experiment: {reps: 2, seed: 5, baseline: absolute}
"""
GRADES = ("S", "A", "B", "C", "D")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "mine.yaml"
    path.parent.mkdir()
    path.write_text(SMALL)
    return path


def _share_rows(explorer: Explorer) -> dict[str, tuple]:
    """Grade -> (slider, lock) of the policy being adjusted."""
    rating = explorer.levers_box.children[0].children[0]
    rows = []
    for child in rating.children:
        kids = getattr(child, "children", ())
        if len(kids) == 2 and "simlib-share-lock" in kids[1]._dom_classes:
            rows.append(kids)
    return {slider.description.split(" · ")[-1]: (slider, lock) for slider, lock in rows}


def _check(explorer: Explorer) -> str:
    rating = explorer.levers_box.children[0].children[0]
    return next(c for c in rating.children if "simlib-shares-check" in c._dom_classes).value


# --- rebalancing ---------------------------------------------------------------------------

shares_st = st.lists(st.floats(0, 1), min_size=5, max_size=5).filter(lambda v: sum(v) > 0.01)


@settings(max_examples=300, deadline=None)
@given(
    raw=shares_st,
    moved=st.sampled_from(GRADES),
    value=st.floats(-0.5, 1.5),
    locked=st.sets(st.sampled_from(GRADES), max_size=4),
)
def test_any_nudge_keeps_the_total_at_100_and_locked_grades_unchanged(raw, moved, value, locked):
    total = math.fsum(raw)
    shares = {g: round(v / total, SHARE_DECIMALS) for g, v in zip(GRADES, raw, strict=True)}
    shares[max(shares, key=shares.get)] += 1 - math.fsum(shares.values())
    locked = frozenset(locked - {moved})
    out = rebalance(shares, moved, value, locked)
    assert abs(math.fsum(out.values()) - 1.0) < 1e-6  # what the schema's check allows
    assert all(0.0 <= v <= 1.0 for v in out.values())
    assert all(out[g] == shares[g] for g in locked)
    room = 1.0 - math.fsum(shares[g] for g in locked)
    free = [g for g in GRADES if g != moved and g not in locked]
    if free and 0 <= value <= room:
        assert out[moved] == pytest.approx(value, abs=10**-SHARE_DECIMALS)


def test_rebalance_rescales_the_others_in_proportion():
    out = rebalance({"S": 0.05, "A": 0.2, "B": 0.6, "C": 0.1, "D": 0.05}, "S", 0.15)
    assert out["S"] == 0.15
    # The other four held 95% and now hold 85%: each keeps its part of them.
    for grade, before in {"A": 0.2, "B": 0.6, "C": 0.1, "D": 0.05}.items():
        assert out[grade] == pytest.approx(0.85 * before / 0.95, abs=1e-3)
    held = rebalance({"S": 0.05, "A": 0.2, "B": 0.6, "C": 0.1, "D": 0.05}, "S", 0.15, {"B"})
    assert held["B"] == 0.6 and held["A"] == pytest.approx(0.25 * 0.2 / 0.35, abs=1e-3)
    # With every other grade locked the moved grade keeps what they leave.
    fixed = rebalance(
        {"S": 0.05, "A": 0.2, "B": 0.6, "C": 0.1, "D": 0.05}, "S", 0.3, {"A", "B", "C", "D"}
    )
    assert fixed["S"] == pytest.approx(0.05)


def test_moving_a_share_in_the_page_rebalances_once_with_no_error(small):
    explorer = Explorer(scenario=small, years=1, reps=2, live=True)
    runs: list[str] = []
    checks_when_run: list[str] = []
    real_run = explorer.run

    def counted():
        runs.append("run")
        checks_when_run.append(_check(explorer))
        return real_run()

    explorer.run = counted
    rows = _share_rows(explorer)
    assert list(rows) == list(GRADES)
    rows["B"][1].value = True  # lock B
    rows["S"][0].value = 0.15
    values = {g: s.value for g, (s, _) in rows.items()}
    assert abs(math.fsum(values.values()) - 1.0) < 1e-6
    assert values["S"] == 0.15 and values["B"] == 0.6
    assert values["A"] == pytest.approx(0.25 * 0.2 / 0.35, abs=1e-3)
    assert runs == ["run"]  # one run for the whole move, not one per rescaled grade
    assert "✓ shares sum to 100.0%" in checks_when_run[0]  # the check was drawn first
    assert "Cannot run" not in explorer.status.value
    assert explorer.outcome.scenario.policies["curve"].rating.shares["S"] == 0.15
    rows["S"][0].value = 0.05  # back: the file's values, to within the shares' rounding
    assert {g: s.value for g, (s, _) in rows.items()} == pytest.approx(
        {"S": 0.05, "A": 0.2, "B": 0.6, "C": 0.1, "D": 0.05}, abs=2 * 10**-SHARE_DECIMALS
    )


# --- opening and saving ----------------------------------------------------------------------


def test_a_scenario_file_from_anywhere_opens_and_a_bad_one_loses_nothing(small, tmp_path):
    explorer = Explorer(years=1, reps=2, live=False)
    shown = explorer.scenario_box.value
    levers_before = explorer.levers_box.children
    bad = tmp_path / "bad.yaml"
    bad.write_text("organization: {headcount: -4}\n")
    assert not explorer.open_file(bad)
    assert "Cannot open" in explorer.file_note.value and "headcount" in explorer.file_note.value
    assert explorer.scenario_box.value == shown and explorer.levers_box.children == levers_before
    assert not explorer.open_file(tmp_path / "missing.yaml")
    assert explorer.open_file(small)
    assert explorer.scenario_box.value == "mine" and explorer.inputs()["source"] == small
    assert explorer.edit_box.value == "curve"


def test_simlib_present_scenario_reaches_the_explorer(small, monkeypatch):
    monkeypatch.setenv(SCENARIO_ENV, str(small))
    explorer = Explorer(years=1, reps=2, live=False)
    assert explorer.scenario_box.value == "mine"
    from simlib.errors import ScenarioError
    from simlib.present.voila import resolve_scenario

    assert resolve_scenario(small) == small.resolve()
    with pytest.raises(ScenarioError, match="does not exist"):
        resolve_scenario(small.parent / "nope.yaml")


def test_save_as_writes_only_the_changes_and_loads_to_the_same_settings(small, tmp_path, capsys):
    explorer = Explorer(scenario=small, years=1, reps=2, live=False)
    rows = _share_rows(explorer)
    rows["S"][0].value = 0.1
    explorer.reps_box.value = 3
    target = tmp_path / "tuned.yaml"
    assert explorer.save(target) == target.resolve()
    text = target.read_text()
    assert "Saved" in explorer.file_note.value
    # Only what changed, each with its comment; the presets stay presets.
    assert text.count(CHANGED.split("{")[0]) == 2
    assert "reps: 3  # changed in the explorer; was 2" in text
    assert "preset: forced_distribution" in text and "behaviour" not in text
    saved = yaml.safe_load(text)["policies"]["curve"]["rating"]["shares"]
    assert list(saved) == list(GRADES) and math.isclose(math.fsum(saved.values()), 1.0)
    # Loads to the same settings the explorer runs (the same policies, all of the file's, are
    # compared), and simlib check accepts it.
    inputs = explorer.inputs()
    reloaded = load_scenario(target, overrides={"experiment.policies": inputs["policies"]})
    assert reloaded.hash == explorer.session.scenario(**inputs).hash
    assert load_scenario(target).policy_names == inputs["policies"]
    assert simlib_main(["check", str(target)]) == 0
    assert "OK" in capsys.readouterr().out
    # No temporary file is left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "tuned.yaml"]


def test_save_as_refuses_a_bad_target_and_writes_nothing(small, tmp_path):
    explorer = Explorer(scenario=small, years=1, reps=2, live=False)
    assert explorer.save(tmp_path / "no-such-folder" / "x.yaml") is None
    assert (
        "Cannot save" in explorer.file_note.value and "does not exist" in explorer.file_note.value
    )
    assert explorer.save(tmp_path / "x.txt") is None
    assert not (tmp_path / "x.txt").exists()


def test_save_scenario_writes_whole_curves_and_unchanged_files_round_trip(small, tmp_path):
    same = save_scenario(small, {}, tmp_path / "same.yaml")
    assert load_scenario(same).hash == load_scenario(small).hash
    moved = save_scenario(small, {"policies.curve.rating.shares.S": 0.05}, tmp_path / "s.yaml")
    assert "changed" not in moved.read_text().split("\n", 2)[2]  # equal to before: no change


# --- order and search ----------------------------------------------------------------------


def test_levers_come_in_order_of_importance(small):
    scenario = load_scenario(
        {"policies": {"okr": {"preset": "okr"}, "curve": {"preset": "forced_distribution"}}}
    )
    found = levers(scenario, "okr")
    own = set(scenario.policies["okr"].model_fields_set) - {"description"}
    sections = [lv.path.split(".")[2] for lv in found if not is_assumption(lv)]
    first_other = next(i for i, s in enumerate(sections) if s not in own)
    assert set(sections[:first_other]) == own  # the policy's own sections first
    assert all(s not in own for s in sections[first_other:])
    kinds = [is_assumption(lv) for lv in found]
    assert kinds == sorted(kinds)  # every assumption after every policy lever
    quit_rate = next(lv for lv in found if lv.path == "behaviour.voluntary_quit_rate")
    assert quit_rate.unit == "share" and "Definition:" in quit_rate.tooltip
    noise = next(lv for lv in found if lv.path == "behaviour.performance_noise_sd")
    assert noise.unit == "SD units per week" and "Unit: SD units per week" in noise.tooltip
    assert noise.source.startswith("Assumption, plausible range")


def test_search_filters_levers_by_name(small):
    found = levers(load_scenario(small), "curve")
    assert [lv.path for lv in matching(found, "Quit RATE")] == ["behaviour.voluntary_quit_rate"]
    assert matching(found, "no such lever") == []
    assert len(matching(found, "")) == len(found)
    explorer = Explorer(scenario=small, years=1, reps=2, live=False)
    panels = explorer.levers_box.children
    assert [p.get_title(0) for p in panels][1].startswith("Assumptions")
    assert panels[1].selected_index is None  # the assumptions are folded
    explorer.search_box.value = "voluntary quit"
    (result,) = explorer.levers_box.children
    note, *rows = result.children
    assert "1 lever(s) match" in note.value and len(rows) == 1
    assert rows[0].description == "voluntary quit rate"
    explorer.search_box.value = ""
    assert explorer.levers_box.children == panels
