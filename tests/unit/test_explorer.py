from __future__ import annotations

from pathlib import Path

import pytest

from simlib import ScenarioError, load_scenario
from simlib.present.explorer import Explorer
from simlib.present.explorer_session import ExplorerSession
from simlib.present.levers import levers, shares_check
from tests.conftest import SCENARIOS

pytest.importorskip("ipywidgets")

SMALL = """\
name: small
organization: {headcount: 40, span_of_control: 6}
environment: {years: 1}
policies:
  absolute: {preset: absolute}
  curve: {preset: forced_distribution}
experiment: {reps: 2, seed: 5, baseline: absolute}
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


def test_levers_are_read_off_the_schema(small):
    scenario = load_scenario(small)
    found = {lv.path: lv for lv in levers(scenario, "curve")}
    share = found["policies.curve.rating.shares.S"]
    assert (share.kind, share.value, share.low, share.high) == ("float", 0.05, 0.0, 1.0)
    unit = found["policies.curve.rating.ranking_unit"]
    assert unit.kind == "choice" and set(unit.options) == {"team", "department", "organization"}
    assert found["behaviour.voluntary_quit_rate"].group.startswith("assumptions")
    assert not any(p.endswith((".description", ".scheme")) for p in found)
    # Every lever names a real field: setting it to its own value changes nothing ...
    same = {path: lv.value for path, lv in found.items()}
    assert load_scenario(small, overrides=same).hash == scenario.hash
    # ... and moving one changes the scenario.
    moved = load_scenario(small, overrides={"policies.curve.rating.ranking_unit": "team"})
    assert moved.hash != scenario.hash


def test_shares_check():
    assert shares_check({"S": 0.05, "A": 0.2, "B": 0.6, "C": 0.1, "D": 0.05})[0]
    ok, text = shares_check({"S": 0.3, "A": 0.2, "B": 0.6, "C": 0.1, "D": 0.05})
    assert not ok and "125.0%" in text


def test_session_caches_by_inputs_and_explains_bad_input(small):
    session = ExplorerSession()
    inputs = {
        "source": small,
        "overrides": {},
        "policies": ["absolute", "curve"],
        "years": 1,
        "reps": 2,
        "seed": 5,
    }
    first = session.run(session.scenario(**inputs))
    again = session.run(session.scenario(**inputs))
    assert not first.cached and again.cached and again.results is first.results
    more = session.run(session.scenario(**{**inputs, "reps": 3}))
    assert not more.cached and more.results.manifest["reps"] == 3
    assert set(first.snapshot["policy"]) == {"absolute", "curve"}
    assert again.snapshot is first.snapshot  # simulated once, on demand, shared by the cache
    with pytest.raises(ScenarioError) as bad:
        session.scenario(**{**inputs, "overrides": {"policies.curve.rating.shares.S": 0.3}})
    assert "sum to 1.25; they must sum to 1" in str(bad.value)
    with pytest.raises(ScenarioError, match="at least one policy"):
        session.scenario(**{**inputs, "policies": []})


def test_explorer_runs_redraws_and_shows_errors_inline(small):
    explorer = Explorer(scenario=small, years=1, reps=2, live=False)
    assert "simlib-run" in explorer.run_button._dom_classes
    assert explorer.edit_box.value == "curve"  # the policy that is not the baseline
    outcome = explorer.run()
    assert outcome is not None and not outcome.cached
    assert "simlib-executive-summary" in explorer.summary.value
    images = explorer.tabs.children[0].children
    assert images and bytes(images[0].value).startswith(b"\x89PNG")
    assert "simlib-chart" in images[0]._dom_classes
    # Unchanged inputs answer from the cache.
    assert explorer.run().cached

    # Settings that cannot run are explained in the page instead of raising.
    explorer.policies_box.value = ()
    assert explorer.run() is None
    assert "at least one policy" in explorer.status.value
    assert "Traceback" not in explorer.status.value
    explorer.policies_box.value = ("absolute", "curve")
    assert explorer.run().cached  # back to the inputs already run


def test_live_update_reruns_small_runs(small):
    explorer = Explorer(scenario=small, years=1, reps=2, live=True)
    explorer.run()
    explorer.years_box.value = 2
    assert explorer.outcome.results.manifest["parameters"]["environment"]["years"] == 2


@pytest.mark.parametrize("source", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_lever_of_every_shipped_policy_maps_to_a_field(source):
    session = ExplorerSession()
    base = session.base(source)
    args = (list(base.policy_names), 1, 2, base.experiment.seed)
    reference = session.scenario(source, {}, *args)
    for policy in base.policies:
        found = levers(base, policy)
        assert found, policy
        same = {lv.path: lv.value for lv in found}
        assert session.scenario(source, same, *args).hash == reference.hash, policy


def test_pay_matrix_cells_are_levers():
    from simlib.scenario.policy import PRESETS

    if "pay_matrix" not in PRESETS:
        pytest.skip("this schema has no pay matrix yet")
    scenario = load_scenario({"policies": {"merit": {"preset": "pay_matrix"}}})
    cells = [lv for lv in levers(scenario, "merit") if ".pay.matrix." in lv.path]
    assert cells and all(lv.kind == "float" and (lv.low, lv.high) == (0, 1) for lv in cells)
    path = cells[0].path
    moved = load_scenario(scenario.to_dict(), overrides={path: 0.09})
    grade, band = path.split(".")[-2:]
    assert moved.policies["merit"].pay.matrix[grade][int(band)] == 0.09


def test_optional_levers_switch_on_and_off(small):
    explorer = Explorer(scenario=small, years=1, reps=2, live=False)
    explorer.edit_box.value = "absolute"
    found = {lv.path: lv for lv in levers(load_scenario(small), "absolute")}
    rule = found["policies.absolute.consequences.consecutive_bottom_to_exit"]
    assert rule.optional and rule.value is None and (rule.low, rule.high) == (1, 10)
    accordion = explorer.levers_box.children[0]
    titles = [accordion.get_title(i) for i in range(len(accordion.children))]
    group = accordion.children[titles.index("absolute: consequences")]
    switch, slider = next(b.children for b in group.children if type(b).__name__ == "HBox")
    assert switch.description == "consecutive bottom to exit"
    assert slider.disabled and slider.layout.display == "none"
    switch.value = True
    assert explorer.overrides == {rule.path: 1}
    assert not slider.disabled and slider.layout.display is None
    outcome = explorer.run()
    assert outcome.scenario.policies["absolute"].consequences.consecutive_bottom_to_exit == 1
    switch.value = False
    assert explorer.overrides == {}
