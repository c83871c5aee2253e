"""Scenario messages: every problem at once, each path said once, suggestions in any case,
list-shaped shares answered with the mapping, and --explain's attribution to presets."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from simlib import ScenarioError, load_scenario
from simlib.present.briefing import assumptions_register
from simlib.scenario.schema import closest
from tests.conftest import ROOT


def messages(source, overrides=None) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(source, overrides=overrides)
    return info.value.messages


FIVE_MISTAKES = {
    "name": "five",
    "organization": {"headcount": 0, "span_of_controll": 8},
    "policies": {
        "abs": {"preset": "absolute", "rating": {"ranking_unit": "galaxy"}},
        "fd": {
            "preset": "forced_distribution",
            "rating": {"shares": {"S": 0.1, "A": 0.2, "B": 0.6, "C": 0.1, "D": 0.05}},
        },
    },
    "experiment": {"baseline": "absolute"},
}


def test_five_mistakes_are_five_lines_at_once():
    msgs = messages(FIVE_MISTAKES)
    assert len(msgs) == 5, msgs
    starts = [m.split(":")[0] for m in msgs]
    assert starts == [
        "organization.headcount",
        "organization.span_of_controll",
        "policies.abs.rating.ranking_unit",
        "policies.fd.rating.shares",
        "experiment.baseline",  # a scenario-wide check, reached only past the others
    ]


def test_a_scenario_wide_check_is_reported_beside_field_errors(tiny):
    tiny["organization"]["headcount"] = 0
    tiny["experiment"]["baseline"] = "nobody"
    msgs = messages(tiny)
    assert any(m.startswith("organization.headcount: 0 is out of range") for m in msgs)
    assert any(m.startswith("experiment.baseline: 'nobody' is not a declared") for m in msgs)


def test_a_value_set_aside_raises_no_false_problem(tiny):
    # A bad grade name is set aside with the rating it derives from: the shares that no
    # longer match default grades must not be reported as a second mistake.
    long = "D" * 30
    tiny["policies"]["keep_all"]["rating"] = {
        "scheme": "forced_distribution",
        "shares": {"A": 0.5, long: 0.5},
    }
    msgs = messages(tiny)
    assert len(msgs) == 1, msgs
    assert msgs[0].startswith("policies.keep_all.rating.grades[1]: string should have at most")


@pytest.mark.parametrize(
    ("path", "value", "start"),
    [
        ("policies.keep_all.rating.bottom_cut", None, "policies.keep_all.rating: "),
        ("organization.groups", {"a": 0.5, "b": 0.4}, "organization.groups: shares sum"),
    ],
)
def test_each_path_is_said_once(tiny, path, value, start):
    msgs = messages(tiny, overrides={path: value})
    assert msgs[0].startswith(start), msgs
    head, _, rest = msgs[0].partition(": ")
    assert head.split(".")[-1] not in rest.split()[0], msgs  # no "x.y: y ..." repetition


def test_shares_sum_is_said_at_the_shares():
    (msg,) = messages(
        {
            "policies": {
                "fd": {
                    "preset": "forced_distribution",
                    "rating": {"shares": {"S": 0.5, "A": 0.55}},
                }
            }
        }
    )
    assert msg == "policies.fd.rating.shares: sum to 1.05; they must sum to 1"


def test_unknown_preset_suggests_in_any_case():
    (msg,) = messages({"policies": {"a": {"preset": "OKR"}}})
    assert msg.startswith("policies.a.preset: unknown preset 'OKR'; did you mean 'okr'?")
    (msg,) = messages({"policies": {"a": {"preset": "Forced_Distributon"}}})
    assert "did you mean 'forced_distribution'?" in msg


def test_unknown_key_suggests_in_any_case(tiny):
    tiny["organization"]["HeadCount"] = 5
    (msg,) = messages(tiny)
    assert msg.startswith("organization.HeadCount: unknown key; did you mean 'headcount'?")


def test_closest_prefers_a_difference_of_case():
    assert closest("OKR", ["absolute", "okr"]) == "okr"
    assert closest("zzz", ["absolute", "okr"]) is None


def test_unknown_preset_does_not_hide_other_problems():
    msgs = messages(
        {
            "organization": {"headcount": -5},
            "policies": {"a": {"preset": "OKR", "checkins": {"cadence": "hourly"}}},
        }
    )
    assert msgs[0].startswith("policies.a.preset: unknown preset 'OKR'")
    assert any(m.startswith("organization.headcount: -5 is out of range") for m in msgs)
    # the rest of the policy is checked against the preset meant
    assert any(m.startswith("policies.a.checkins.cadence: 'hourly'") for m in msgs)


def test_unknown_preset_without_a_close_name_reports_nothing_invented():
    msgs = messages({"policies": {"a": {"preset": "xyzzy", "rating": {"shares": {"A": 1.0}}}}})
    assert len(msgs) == 1 and "unknown preset 'xyzzy'." in msgs[0], msgs


def test_shares_as_a_list_shows_the_mapping_with_the_presets_grades():
    (msg,) = messages(
        {
            "policies": {
                "fd": {"preset": "forced_distribution", "rating": {"shares": [0.1, 0.2, 0.6, 0.1]}}
            }
        }
    )
    assert msg.startswith("policies.fd.rating.shares: a list [0.1, 0.2, 0.6, 0.1] does not say")
    assert (
        "Preset forced_distribution has 5 grades: {S: 0.05, A: 0.2, B: 0.6, C: 0.1, D: 0.05}" in msg
    )
    assert "name your own 4 grades: {A: 0.1, B: 0.2, C: 0.6, D: 0.1}" in msg


def test_shares_as_a_list_of_the_right_length_gets_the_presets_grades():
    (msg,) = messages(
        {
            "policies": {
                "fd": {
                    "preset": "forced_distribution",
                    "rating": {"shares": [0.05, 0.2, 0.6, 0.1, 0.05]},
                }
            }
        }
    )
    assert msg.endswith(
        "with the grades of preset forced_distribution: {S: 0.05, A: 0.2, B: 0.6, C: 0.1, D: 0.05}"
    )


def test_shares_as_a_list_with_grades_stated_uses_them():
    rating = {"scheme": "forced_distribution", "grades": ["hi", "lo"], "shares": [0.9, 0.1]}
    (msg,) = messages({"policies": {"fd": {"rating": rating}}})
    assert msg.endswith("best grade first: {hi: 0.9, lo: 0.1}")


def test_explain_does_not_credit_the_preset_with_the_users_grades(tmp_path):
    path = tmp_path / "scale.yaml"
    path.write_text(
        textwrap.dedent(
            """
            policies:
              fd:
                preset: forced_distribution
                rating:
                  shares: {A: 0.2, B: 0.5, C: 0.2, D: 0.1}
            """
        )
    )
    register = assumptions_register(load_scenario(path), path).set_index("parameter")
    set_in = register["set_in"]
    assert set_in["policies.fd.rating.grades"] == "scenario"
    assert set_in["policies.fd.rating.shares.A"] == "scenario"
    assert set_in["policies.fd.rating.scheme"] == "preset forced_distribution"
    assert set_in["policies.fd.rating.ranking_unit"] == "preset forced_distribution"
    # the preset's curve was replaced whole: what it no longer gives is a default
    assert set_in["policies.fd.rating.bottom_cut"] == "default"
    assert set_in["policies.fd.rating.rounding.ties"] == "default"


def test_cli_reports_all_problems_exit_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        textwrap.dedent(
            """
            organization: {headcount: -5, span_of_controll: 8}
            environment: {years: 500}
            behaviour: {voluntary_quit_rate: 2}
            policies:
              a: {preset: OKR}
              fd: {preset: forced_distribution, rating: {shares: [0.1, 0.2, 0.6, 0.1]}}
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "simlib.cli.main", "check", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "6 problems" in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(lines) == 6
    paths = [line[4:].split(":")[0] for line in lines]
    assert len(set(paths)) == 6  # each problem once, its path once
    assert all(line.count(path) == 1 for line, path in zip(lines, paths, strict=True))


def test_override_path_suggestion_ignores_case(tiny):
    (msg,) = messages(tiny, overrides={"Organization.headcount": 5})
    assert msg.startswith("Organization: unknown key; did you mean 'organization'?"), msg


def test_a_pay_table_for_another_grade_scale_replaces_the_presets():
    scale = {"A": 0.2, "B": 0.6, "C": 0.2}
    matrix = {"A": [0.05, 0.04, 0.03], "B": [0.03, 0.02, 0.01], "C": [0.0, 0.0, 0.0]}
    policy = {
        "preset": "pay_matrix",
        "rating": {"scheme": "forced_distribution", "shares": scale},
        "pay": {"matrix": matrix, "bonus_multipliers": {"A": 1.5, "B": 1.0, "C": 0.0}},
    }
    loaded = load_scenario({"policies": {"pm": policy}}).policies["pm"]
    assert {k: list(v) for k, v in loaded.pay.matrix.items()} == matrix
    assert dict(loaded.pay.bonus_multipliers) == {"A": 1.5, "B": 1.0, "C": 0.0}


def test_one_row_of_the_presets_pay_matrix_can_still_be_changed():
    policy = {"preset": "pay_matrix", "pay": {"matrix": {"S": [0.09, 0.08, 0.07]}}}
    loaded = load_scenario({"policies": {"pm": policy}}).policies["pm"]
    assert list(loaded.pay.matrix) == ["S", "A", "B", "C", "D"]
    assert list(loaded.pay.matrix["S"]) == [0.09, 0.08, 0.07]
