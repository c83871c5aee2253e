from __future__ import annotations

import pytest
from pydantic import ValidationError

from simlib import ScenarioError, load_scenario
from simlib.scenario.loading import parse_override
from tests.conftest import SCENARIOS


def messages(source, overrides=None) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(source, overrides=overrides)
    return info.value.messages


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_load(path):
    scenario = load_scenario(path)
    assert scenario.policies
    assert scenario.baseline in scenario.policies


def test_unknown_key_suggests_closest(tiny):
    tiny["organization"]["headcunt"] = 5
    (msg,) = messages(tiny)
    assert msg.startswith("organization.headcunt: unknown key; did you mean 'headcount'?")


def test_unknown_key_in_policy_and_top_level(tiny):
    tiny["policies"]["keep_all"]["ratng"] = {}
    tiny["experimnt"] = {}
    msgs = messages(tiny)
    assert any("policies.keep_all.ratng" in m and "'rating'" in m for m in msgs)
    assert any(m.startswith("experimnt: unknown key; did you mean 'experiment'?") for m in msgs)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("organization.headcount", 0, "organization.headcount: 0 is out of range; allowed 2 to"),
        ("hiring.selection_validity", 1.5, "allowed 0 to 1"),
        ("hiring.selection_ratio", 0, "allowed 0.0001 to 1"),
        ("behaviour.raters.reliability", -0.1, "behaviour.raters.reliability"),
        ("environment.years", 0, "environment.years: 0 is out of range; allowed 1 to 100"),
        ("experiment.reps", 0, "experiment.reps"),
        ("environment.weeks_per_cycle", 2, "allowed 4 to 104"),
    ],
)
def test_out_of_range_names_field_and_range(tiny, path, value, expected):
    (msg,) = messages(tiny, {path: value})
    assert expected in msg


def test_wrong_type_names_field(tiny):
    (msg,) = messages(tiny, {"organization.headcount": "many"})
    assert msg.startswith("organization.headcount:") and "'many'" in msg


def test_nan_and_infinity_refused(tiny):
    (msg,) = messages(tiny, {"hiring.selection_validity": float("nan")})
    assert "hiring.selection_validity" in msg and "finite" in msg


def test_forced_shares_must_sum_to_one(tiny):
    tiny["policies"]["fd"] = {
        "rating": {"scheme": "forced_distribution", "shares": {"S": 0.2, "A": 0.7}}
    }
    (msg,) = messages(tiny)
    assert "policies.fd.rating" in msg and "sum to 0.9" in msg and "must sum to 1" in msg


def test_department_and_group_shares_must_sum_to_one(tiny):
    tiny["organization"]["groups"] = {"a": 0.5, "b": 0.4}
    tiny["organization"]["departments"] = [{"name": "X", "share": 1.0}]
    (msg,) = messages(tiny)
    assert msg.startswith("organization.groups: shares sum to 0.9")


def test_absolute_thresholds_validated(tiny):
    tiny["policies"]["abs"] = {"rating": {"scheme": "absolute", "thresholds": [0.0, 1.0]}}
    (msg,) = messages(tiny)
    assert "thresholds need 4 values for 5 grades" in msg


def test_scheme_fields_do_not_mix(tiny):
    tiny["policies"]["abs"] = {"rating": {"scheme": "absolute", "bottom_cut": 0.1}}
    (msg,) = messages(tiny)
    assert "belong to scheme forced_distribution" in msg


def test_unknown_preset_suggests(tiny):
    tiny["policies"]["x"] = {"preset": "forced_distributon"}
    (msg,) = messages(tiny)
    assert "did you mean 'forced_distribution'" in msg


def test_preset_override_replaces_curve(tiny):
    tiny["policies"]["fd"] = {
        "preset": "forced_distribution",
        "rating": {"shares": {"top": 0.3, "rest": 0.7}, "ranking_unit": "organization"},
    }
    rating = load_scenario(tiny).policies["fd"].rating
    assert rating.grades == ["top", "rest"] and rating.ranking_unit == "organization"


def test_baseline_must_be_declared(tiny):
    (msg,) = messages(tiny, {"experiment.baseline": "nope"})
    assert "experiment.baseline: 'nope' is not a declared policy" in msg


def test_missing_policies(tiny):
    del tiny["policies"]
    (msg,) = messages(tiny)
    assert msg == "policies: required field is missing"


def test_departments_need_positions(tiny):
    tiny["organization"]["departments"] = [{"name": n, "share": 0.25} for n in "ABCD"]
    tiny["organization"]["headcount"] = 3
    (msg,) = messages(tiny)
    assert "4 departments need at least" in msg


def test_empty_and_non_mapping_files(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert messages(empty) == ["the scenario is empty"]
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n")
    assert "must be a mapping" in messages(listing)[0]


def test_yaml_syntax_error_gives_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("organization:\n  headcount: [1, 2\n")
    (msg,) = messages(bad)
    assert msg.startswith("YAML syntax error at line")


def test_non_utf8_and_missing_file(tmp_path):
    raw = tmp_path / "raw.yaml"
    raw.write_bytes(b"\xff\xfe\x00garbage")
    assert "not UTF-8" in messages(raw)[0]
    assert messages(tmp_path / "nope.yaml") == ["file not found"]


def test_alias_bomb_refused(tmp_path):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    (msg,) = messages(bomb)
    assert "alias bomb" in msg


def test_overrides_api_and_cli_parser_agree(tiny):
    path, value = parse_override("organization.headcount=20")
    assert (path, value) == ("organization.headcount", 20)
    a = load_scenario(tiny, overrides={"organization.headcount": 20})
    assert a.organization.headcount == 20
    assert parse_override("hiring.recruiters=null") == ("hiring.recruiters", None)
    with pytest.raises(ScenarioError):
        parse_override("no-equals-sign")


def test_override_of_unknown_key_is_refused_with_suggestion(tiny):
    (msg,) = messages(tiny, {"hiring.selection_ration": 0.2})
    assert "did you mean 'selection_ratio'" in msg


def test_hash_is_stable_and_sensitive(tiny):
    a = load_scenario(tiny)
    b = load_scenario(dict(tiny))
    assert a.hash == b.hash and len(a.hash) == 16
    c = load_scenario(tiny, overrides={"experiment.seed": 8})
    assert c.hash != a.hash


def test_scenario_is_frozen(tiny):
    scenario = load_scenario(tiny)
    with pytest.raises(ValidationError):
        scenario.organization.headcount = 3  # type: ignore[misc]


def test_presets_are_read_from_their_yaml_files_in_order():
    from importlib import resources

    from simlib.scenario.policy import PRESET_NAMES, PRESETS

    folder = resources.files("simlib.scenario").joinpath("presets")
    files = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    assert files == sorted(f"{name}.yaml" for name in PRESET_NAMES)
    assert list(PRESETS) == list(PRESET_NAMES)
    assert PRESETS["forced_distribution"]["rating"]["shares"]["D"] == 0.05
    assert PRESETS["pay_matrix"]["pay"]["matrix"]["S"] == [0.075, 0.06, 0.045]
    assert PRESETS["rank_and_yank"]["consequences"]["terminate_bottom_grade"] is True
    scenario = load_scenario({"policies": {n: {"preset": n} for n in PRESET_NAMES}})
    assert scenario.policies["okr"].goals.pay_coupling == 0.0
