"""``simlib validate``: the model reproduces the published findings (quick run), and bad
input is refused with exit code 2 and no traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from simlib.analysis.findings import CSV_COLUMNS, FINDINGS, KNOWN_MISSES, check_findings
from tests.conftest import ROOT

# Every finding the issue lists: each must be registered (and checked by simulating).
ISSUE_IDS = {
    "scullen2005_fd_gain_y5",
    "scullen2005_fd_gain_y10",
    "scullen2005_more_firing_more_gain",
    "scullen2005_more_turnover_less_gain",
    "scullen2005_front_loaded",
    "smg2000_ratee_share",
    "smg2000_idiosyncratic_share",
    "smg2000_error_share",
    "vos1996_supervisor_interrater_r",
    "vos1996_peer_interrater_r",
    "self_supervisor_r",
    "self_leniency_d",
    "jw1997_admin_leniency_d",
    "sturman2005_one_year_stability",
    "sturman2005_one_year_rating_correlation",
    "tgb1997_turnover_u_shape",
    "tgb1997_low_raise_top_quits",
    "bhs2013_fd_with_sabotage",
    "gk2014_individual_incentive_g",
    "goal_difficulty_d",
    "goal_too_hard",
    "gaming_kpi_up_value_down",
    "merit_budget_share",
    "status_quo_attrition",
    "tgb1997_promotion_turnover",
    "bycio1990_rating_voluntary",
    "okr_sweet_spot",
    "parkshaw2013_unit_voluntary_turnover",
    "deadrick1990_stability_decay",
    "parkshaw2013_unit_layoffs",
    "wl1994_contingent_rewards_turnover",
    # held out, and missed today (KNOWN_MISSES)
    "bycio1990_rating_involuntary",
    "bhs2013_bonus_only_fd_gain",
    "kd1996_feedback_mean_d",
    "kd1996_feedback_harmful_share",
    "kva2011_group_goal_d",
    "bommer1995_rating_objective_r",
    "judge2001_satisfaction_performance",
}


def validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simlib.cli.main", "validate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("validation")
    return validate("--quick", "--quiet", "--out", str(out)), out


def test_quick_validation_holds_but_for_the_held_out_misses(quick_run):
    """Every finding holds except the held-out ones the model is known to miss; the
    command names them with their reasons and exits 0."""
    result, out = quick_run
    table = pd.read_csv(out / "validation.csv")
    assert list(table.columns) == CSV_COLUMNS
    assert list(table["finding"]) == list(FINDINGS)
    missed = set(table.loc[~table["holds"], "finding"])
    assert missed == set(KNOWN_MISSES), table[~table["holds"]].to_string()
    assert set(table.loc[table["finding"].isin(missed), "kind"]) <= {"held_out"}
    # holds means: the simulated value lies in the accepted band (and a finding's condition
    # is met: a value inside the band can still miss, e.g. a harmful share of feedback
    # studies when feedback barely helps on average)
    inside = (table["low"] <= table["simulated"]) & (table["simulated"] <= table["high"])
    assert (inside | ~table["holds"]).all()
    assert set(table.loc[inside & ~table["holds"], "finding"]) <= set(KNOWN_MISSES)
    # known misses are predictions that failed, reported, not a failing run
    assert result.returncode == 0, result.stdout + result.stderr
    if missed:
        assert f"{len(missed)} of {len(FINDINGS)} findings do not hold" in result.stdout
        assert "Each is a known miss of a held-out prediction" in result.stdout
        for finding_id in missed:
            assert f"known miss, {finding_id}: " in result.stdout
    else:
        assert f"All {len(FINDINGS)} findings hold." in result.stdout
    for finding_id in FINDINGS:
        assert finding_id in result.stdout  # the printed table


def test_every_finding_of_the_issue_is_registered():
    assert set(FINDINGS) == ISSUE_IDS


def test_quick_validation_writes_a_manifest_and_no_temporary_files(quick_run):
    _, out = quick_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["all_hold"] is (not KNOWN_MISSES)
    assert manifest["quick"] is True and manifest["reps"] >= 2
    assert set(manifest["findings"]) == set(FINDINGS)
    assert manifest["simlib_version"]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "validation.csv"]


def test_same_seed_same_numbers():
    ids = ["scullen2005_more_firing_more_gain", "scullen2005_front_loaded"]
    a = [r.row() for r in check_findings(ids, reps=8, seed=5)]
    b = [r.row() for r in check_findings(ids, reps=8, seed=5)]
    c = [r.row() for r in check_findings(ids, reps=8, seed=6)]
    assert a == b
    assert a != c


def test_a_finding_that_does_not_hold_exits_1_and_still_writes_the_table(
    tmp_path, monkeypatch, capsys
):
    import dataclasses

    import simlib.analysis.findings as findings
    from simlib.cli.main import main

    fid = "scullen2005_more_firing_more_gain"
    impossible = dataclasses.replace(findings.FINDINGS[fid], low=5.0)  # 5 SD: cannot be met
    monkeypatch.setitem(findings.FINDINGS, fid, impossible)
    out = tmp_path / "v"
    code = main(["validate", "--reps", "10", "--quiet", "--out", str(out), "--findings", fid])
    assert code == 1
    table = pd.read_csv(out / "validation.csv")
    assert list(table["finding"]) == [fid] and not table["holds"].any()
    printed = capsys.readouterr().out
    assert "1 of 1 findings do not hold" in printed
    assert f"Not known misses: {fid}" in printed


def main_exit_code(args: list[str]) -> int:
    """Run the CLI in this process; argparse errors raise SystemExit(2)."""
    from simlib.cli.main import main

    try:
        return main(args)
    except SystemExit as exc:
        return int(exc.code)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reps", "0"], "out of range"),
        (["--reps", "1"], "reps: 1 is out of range; allowed at least 2"),
        (["--seed", "-3"], "out of range"),
        (["--reps", "many"], "not a whole number"),
        (["--findings", "scullen2005_fd_gain_y50"], "did you mean 'scullen2005_fd_gain_y5'"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "o"
    assert main_exit_code(["validate", *args, "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not out.exists()


def test_out_that_is_a_file_exits_2(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    assert main_exit_code(["validate", "--reps", "2", "--out", str(target)]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert target.read_text() == "not a folder"


def test_missing_out_exits_2_without_traceback():
    result = validate("--reps", "2")
    assert result.returncode == 2
    assert "--out" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_validation_notebook_runs_with_parameters_and_draws_a_chart_per_finding(tmp_path):
    papermill = pytest.importorskip("papermill")
    ids = ["scullen2005_more_firing_more_gain", "scullen2005_front_loaded"]
    out = tmp_path / "nb"
    executed = tmp_path / "validation.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "validation.ipynb"),
        str(executed),
        parameters={"reps": 20, "seed": 3, "findings": ",".join(ids), "out_dir": str(out)},
        cwd=str(tmp_path),
        progress_bar=False,
        kernel_name="python3",
    )
    table = pd.read_csv(out / "validation.csv")
    assert list(table["finding"]) == ids
    nb = json.loads(executed.read_text())
    images = [
        o
        for cell in nb["cells"]
        for o in cell.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert len(images) == len(ids)
    text = json.dumps(nb)
    assert "Mechanism." in text and ids[0] in text
