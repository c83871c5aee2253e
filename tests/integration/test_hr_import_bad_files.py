"""A bad HR export exits 2 naming the file, the spreadsheet row and the user's column, with
no traceback, no personal value in the message and no output folder written. Each case runs
the real command line in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAPPING = """\
employees:
  columns: {employee_id: EmpID, manager_id: Boss, department: Dept, hire_date: Start,
            exit_date: End, exit_reason: Why, salary: Pay}
  values:
    exit_reason: {voluntary: [Resigned], involuntary: [Dismissed]}
reviews:
  columns: {employee_id: EmpID, cycle_end: ReviewDate, rating: Score}
ratings:
  order: [Top, Middle, Low]
"""
HEADER = "EmpID,Boss,Dept,Start,End,Why,Pay"
GOOD = [
    "ZZQ-91731,,Ops,2020-01-06,,,123457",
    "ZZQ-91732,ZZQ-91731,Ops,2020-02-03,2022-06-30,Resigned,50000",
    "ZZQ-91733,ZZQ-91731,Ops,2021-03-01,,,52000",
]
REVIEWS = [
    "EmpID,ReviewDate,Score",
    "ZZQ-91731,2021-12-31,Top",
    "ZZQ-91732,2021-12-31,Middle",
    "ZZQ-91733,2021-12-31,Low",
]
PERSONAL = ("ZZQ-9173", "123457", "Quorkington")


def run_import(
    tmp_path: Path, people: list[str], reviews: list[str] = REVIEWS, header: str = HEADER
):
    employees = tmp_path / "people.csv"
    employees.write_text("\n".join([header, *people]) + "\n")
    review_file = tmp_path / "reviews.csv"
    review_file.write_text("\n".join(reviews) + "\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SIMLIB_LANG": "en"}
    command = [sys.executable, "-m", "simlib.cli.main", "import", str(employees)]
    command += [str(review_file), "--mapping", str(mapping), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    return done, out


def with_row(index: int, line: str) -> list[str]:
    rows = list(GOOD)
    rows[index] = line
    return rows


CASES = {
    "missing column": (
        None,
        "people.csv, row 1, column Dept: missing column",
    ),
    "duplicate id": (
        with_row(2, "ZZQ-91732,ZZQ-91731,Ops,2021-03-01,,,52000"),
        "people.csv, row 4, column EmpID: the same id appears on more than one row",
    ),
    "unparseable date": (
        with_row(2, "ZZQ-91733,ZZQ-91731,Ops,2021-02-30,,,52000"),
        "people.csv, row 4, column Start: not a date",
    ),
    "exit before hire": (
        with_row(1, "ZZQ-91732,ZZQ-91731,Ops,2020-02-03,2019-06-30,Resigned,50000"),
        "people.csv, row 3, column End: the exit date is before the hire date",
    ),
    "salary not above 0": (
        with_row(2, "ZZQ-91733,ZZQ-91731,Ops,2021-03-01,,,0"),
        "people.csv, row 4, column Pay: the salary is not a number above 0",
    ),
    "unknown exit reason": (
        with_row(1, "ZZQ-91732,ZZQ-91731,Ops,2020-02-03,2022-06-30,Retired,50000"),
        "people.csv, row 3, column Why: the exit reason 'Retired' is not one of Resigned",
    ),
    "manager loop": (
        [
            "ZZQ-91731,ZZQ-91733,Ops,2020-01-06,,,123457",
            "ZZQ-91732,ZZQ-91731,Ops,2020-02-03,2022-06-30,Resigned,50000",
            "ZZQ-91733,ZZQ-91731,Ops,2021-03-01,,,52000",
        ],
        "people.csv, column Boss: managers form a loop on rows 2, 4",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_employees_table_is_refused_with_file_row_and_column(tmp_path, case):
    people, expected = CASES[case]
    if people is None:  # the Dept column is gone
        header = HEADER.replace(",Dept", "")
        people = [line.replace(",Ops", "") for line in GOOD]
        done, out = run_import(tmp_path, people, header=header)
    else:
        done, out = run_import(tmp_path, people)
    assert done.returncode == 2, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
    for value in PERSONAL:
        assert value not in done.stderr + done.stdout


def test_a_rating_off_the_scale_names_the_reviews_file(tmp_path):
    reviews = [*REVIEWS[:3], "ZZQ-91733,2021-12-31,Superb"]
    done, out = run_import(tmp_path, GOOD, reviews)
    assert done.returncode == 2
    expected = (
        "reviews.csv, row 4, column Score: the rating 'Superb' is not one of Top, Middle, Low"
    )
    assert expected in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


def test_many_problems_are_listed_ten_at_a_time_with_a_count_of_the_rest(tmp_path):
    people = [f"ZZQ-9{i:04d},,Ops,2020-13-{i:02d},,,-1" for i in range(1, 9)]
    done, out = run_import(tmp_path, people, ["EmpID,ReviewDate,Score"])
    assert done.returncode == 2
    assert "16 problems" in done.stderr and "and 6 more" in done.stderr
    assert done.stderr.count("  - ") == 11
    assert "Traceback" not in done.stderr and not out.exists()


def test_a_manager_who_left_before_the_export_is_a_warning_not_an_error(tmp_path):
    people = with_row(2, "ZZQ-91733,ZZQ-99999,Ops,2021-03-01,,,52000")
    done, out = run_import(tmp_path, people)
    assert done.returncode == 0, done.stderr
    assert "people.csv, column Boss: rows 4 name a manager who is no one's id" in done.stderr
    assert (out / "organization.yaml").is_file()
    for value in PERSONAL:
        assert value not in done.stderr + done.stdout
