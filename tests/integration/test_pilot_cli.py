"""``simlib pilot``: writes pilot.csv, and refuses bad designs with one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simlib.analysis.pilot import COLUMNS
from simlib.cli.main import main

SHOWDOWN = str(Path(__file__).resolve().parents[2] / "scenarios" / "policy_showdown.yaml")
QUICK = ["--set", "environment.years=2", "--reps", "3", "--assignments", "50"]


def test_pilot_writes_one_row_per_design_and_metric(tmp_path, capsys):
    out = tmp_path / "pilot"
    code = main(
        ["pilot", SHOWDOWN, "--policy", "okr", "--baseline", "absolute", "--arms", "apart"]
        + ["--cycles", "1,2"]
        + ["--sizes", "4,12", "--metrics", "engagement,grade_share:A", *QUICK, "--out", str(out)]
    )
    assert code == 0
    table = pd.read_csv(out / "pilot.csv")
    assert list(table.columns) == COLUMNS
    assert len(table) == 2 * 2 * 2
    assert set(table.metric) == {"engagement", "grade_share:A"}
    assert table.power.between(0, 1).all() and table.false_positive_rate.between(0, 1).all()
    printed = capsys.readouterr().out
    assert "80% power" in printed and "pilot.csv" in printed
    page = (out / "pilot.html").read_text()
    assert "Pilot of okr against absolute" in page and "<img src='pilot.png'" in page
    for line in printed.split("\n\n")[1].splitlines():  # the recommendations, in words
        assert line.split(": ", 1)[1].replace("'", "&#x27;") in page
    assert (out / "pilot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _refused(capsys, *extra: str) -> str:
    code = main(["pilot", SHOWDOWN, "--policy", "okr", *QUICK, *extra, "--out", "unused"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return err


def test_a_latent_metric_is_refused(capsys):
    err = _refused(capsys, "--metrics", "workforce_potential")
    assert "'workforce_potential' is latent" in err


def test_more_pilot_units_than_the_organization_has_is_refused(capsys):
    err = _refused(capsys, "--units", "department", "--sizes", "3,10")
    assert "--sizes: 10 pilot units is out of range; the organization has 4 departments" in err
    assert "--sizes: 3" in err  # 4 departments leave 1 to compare with: too few


def test_zero_cycles_is_refused(capsys):
    err = _refused(capsys, "--cycles", "0")
    assert "--cycles: 0 is out of range; allowed 1 to 2 reviews" in err


def test_arms_together_refuses_policies_differing_in_a_section_it_cannot_mix(capsys):
    code = main(["pilot", SHOWDOWN, "--policy", "pay_matrix", *QUICK, "--out", "unused"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "--arms together: policies 'pay_matrix' and 'absolute' differ in pay.promotion" in err
    assert "use --arms apart" in err
