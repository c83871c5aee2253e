"""``simlib import``: both export shapes, CSV and .xlsx, into a scenario ``simlib check``
accepts and the observed moments of the canonical tables; personal data stays in."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from simlib.cli.main import main
from simlib.hr.history import read_export
from simlib.hr.mapping import read_mapping
from simlib.hr.moments import observed_moments
from simlib.hr.validate import manager_loops
from simlib.scenario.loading import load_scenario

GRADES = ["Exceeds", "Fully Meets", "Partially Meets", "PIP"]
MAPPING = """\
employees:
  columns: {employee_id: EmpID, manager_id: ManagerID, department: Dept, hire_date: Start,
            exit_date: End, exit_reason: Why, salary: Pay, group: Sex}
  values:
    exit_reason: {voluntary: [Resigned, Better offer], involuntary: [Dismissed]}
  salary_period: month
reviews:
  columns: {employee_id: EmpID, cycle_end: ReviewDate, rating: Score}
ratings:
  order: [Exceeds, Fully Meets, Partially Meets, PIP]
"""
PLANTED_ID = "ZZQ-91731"
PLANTED_NAME = "Zelda Quorkington"
PLANTED_SALARY = 123457


def history_frames(
    people: int = 60, cycles: int = 3, constant: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small history export in the user's own column names: 4 managers, the rest in their
    teams; some leave (for better offers or dismissed), ratings every year-end."""
    rng = np.random.default_rng(7)
    ids = [f"ZZQ-{91000 + i}" for i in range(people)]
    ids[5] = PLANTED_ID
    managers = [""] * 4 + [ids[i % 4] for i in range(4, people)]
    hire = pd.Timestamp("2019-01-07") + pd.to_timedelta(rng.integers(0, 700, people), "D")
    leaves = rng.random(people) < 0.25
    leaves[:4] = False
    exit_ = [
        (h + pd.Timedelta(days=int(d))).date().isoformat() if left else ""
        for h, d, left in zip(hire, rng.integers(500, 1400, people), leaves, strict=True)
    ]
    why = ["Resigned" if r < 0.7 else "Dismissed" for r in rng.random(people)]
    employees = pd.DataFrame(
        {
            "EmpID": ids,
            "FullName": [PLANTED_NAME] + [f"Person {i}" for i in range(1, people)],
            "ManagerID": managers,
            "Dept": ["Sales" if i % 3 else "Engineering" for i in range(people)],
            "Start": [h.date().isoformat() for h in hire],
            "End": exit_,
            "Why": [w if e else "" for w, e in zip(why, exit_, strict=True)],
            "Pay": [PLANTED_SALARY] + list(rng.integers(3000, 7000, people - 1)),
            "Sex": ["F" if i % 2 else "M" for i in range(people)],
        }
    )
    rows = []
    for k in range(cycles):
        end = pd.Timestamp(f"{2021 + k}-12-31")
        employed = [
            i
            for i in range(people)
            if hire[i] <= end and (not exit_[i] or pd.Timestamp(exit_[i]) > end)
        ]
        for j, i in enumerate(employed):
            grade = GRADES[j % 4] if constant else GRADES[int(rng.integers(0, 4))]
            rows.append({"EmpID": ids[i], "ReviewDate": end.date().isoformat(), "Score": grade})
    if constant:  # exactly a quarter per grade each cycle
        reviews = pd.DataFrame(rows)
        reviews = reviews.groupby("ReviewDate").head(
            reviews.groupby("ReviewDate").size().min() // 4 * 4
        )
    else:
        reviews = pd.DataFrame(rows)
    return employees, reviews


def write_history(folder: Path, **kwargs) -> tuple[Path, Path, Path]:
    employees, reviews = history_frames(**kwargs)
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "employees.csv", folder / "reviews.csv", folder / "mapping.yaml"
    employees.to_csv(paths[0], index=False)
    reviews.to_csv(paths[1], index=False)
    paths[2].write_text(MAPPING)
    return paths


def test_a_history_export_becomes_a_scenario_and_the_moments_of_its_tables(tmp_path, capsys):
    employees, reviews, mapping = write_history(tmp_path / "in")
    out = tmp_path / "out"
    assert (
        main(["import", str(employees), str(reviews), "--mapping", str(mapping), "--out", str(out)])
        == 0
    )
    tables, _warnings = read_export(employees, reviews, read_mapping(mapping))
    expected = observed_moments(tables)
    observed = pd.read_csv(out / "observed.csv")
    assert list(observed["moment"]) == list(expected["moment"])
    np.testing.assert_allclose(observed["value"], expected["value"].astype(float))
    assert list(observed["n"]) == list(expected["n"])
    assert observed["cycle"].fillna(0).tolist() == expected["cycle"].fillna(0).tolist()

    scenario = load_scenario(out / "organization.yaml")
    raw = pd.read_csv(employees)
    employed = raw["End"].isna()
    managers = set(raw.loc[employed, "ManagerID"].dropna())
    counted = raw[employed & ~raw["EmpID"].isin(managers)]
    # Managers with rows of their own are people of the organization, as in the model.
    assert scenario.organization.include_managers
    assert scenario.organization.headcount == int(employed.sum())
    shares = counted["Dept"].value_counts(normalize=True)
    got = {d.name: d.share for d in scenario.organization.departments}
    assert got == pytest.approx(shares.to_dict(), abs=1e-4)
    assert scenario.environment.years == 3 and scenario.environment.weeks_per_cycle == 52
    quits = expected[(expected["moment"] == "voluntary_attrition") & expected["cycle"].isna()]
    assert scenario.behaviour.voluntary_quit_rate == pytest.approx(quits["value"].iloc[0], abs=1e-4)
    rating = scenario.policies["status_quo"].rating
    assert rating.grades == GRADES and rating.scheme == "absolute"  # shares move by cycle
    assert scenario.baseline == "status_quo"
    assert (out / "organization.yaml").read_text().startswith("# Imported from an HR export")
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["inputs"]) == {"employees", "reviews", "mapping"}
    assert len(manifest["inputs"]["employees"]["sha256"]) == 64
    assert main(["check", str(out / "organization.yaml")]) == 0
    assert "OK" in capsys.readouterr().out


def test_grade_shares_the_same_every_cycle_read_as_a_forced_distribution(tmp_path):
    employees, reviews, mapping = write_history(tmp_path / "in", constant=True)
    out = tmp_path / "out"
    assert (
        main(["import", str(employees), str(reviews), "--mapping", str(mapping), "--out", str(out)])
        == 0
    )
    rating = load_scenario(out / "organization.yaml").policies["status_quo"].rating
    assert rating.scheme == "forced_distribution"
    assert rating.shares == pytest.approx(dict.fromkeys(GRADES, 0.25))
    assert "forced distribution" in (out / "organization.yaml").read_text()


def test_an_xlsx_export_imports_as_its_csv_twin(tmp_path):
    from openpyxl import Workbook

    employees, reviews = history_frames()
    csv_paths = write_history(tmp_path / "csv")
    book = Workbook()
    for sheet, frame in (("People", employees), ("Reviews", reviews)):
        page = book.create_sheet(sheet)
        page.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            page.append(
                [None if v == "" else (int(v) if isinstance(v, np.integer) else v) for v in row]
            )
    del book["Sheet"]
    xlsx = tmp_path / "export.xlsx"
    book.save(xlsx)
    mapping = tmp_path / "mapping.yaml"
    text = MAPPING.replace("  salary_period: month\n", "  salary_period: month\n  sheet: People\n")
    mapping.write_text(text.replace("reviews:\n", "reviews:\n  sheet: Reviews\n"))
    out_x, out_c = tmp_path / "out_x", tmp_path / "out_c"
    assert (
        main(["import", str(xlsx), str(xlsx), "--mapping", str(mapping), "--out", str(out_x)]) == 0
    )
    assert (
        main(
            [
                "import",
                str(csv_paths[0]),
                str(csv_paths[1]),
                "--mapping",
                str(csv_paths[2]),
                "--out",
                str(out_c),
            ]
        )
        == 0
    )
    assert (out_x / "observed.csv").read_text() == (out_c / "observed.csv").read_text()
    org_x = load_scenario(out_x / "organization.yaml")
    org_c = load_scenario(out_c / "organization.yaml")
    assert org_x.hash == org_c.hash


def snapshot_frame(people: int = 80) -> pd.DataFrame:
    """A snapshot export: department, monthly salary, a two-level rating, tenure, a yes/no
    attrition flag; no ids."""
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "Department": rng.choice(["R&D", "Sales", "HR"], people),
            "MonthlyIncome": rng.integers(2000, 9000, people),
            "Performance": rng.choice(["High", "Low"], people, p=[0.3, 0.7]),
            "YearsAtCompany": rng.integers(0, 20, people),
            "Attrition": rng.choice(["Yes", "No"], people, p=[0.16, 0.84]),
        }
    )


SNAPSHOT_MAPPING = """\
employees:
  columns: {department: Department, salary: MonthlyIncome, rating: Performance,
            tenure_years: YearsAtCompany, left: Attrition}
  values:
    left: {yes: [Yes], no: [No]}
  salary_period: month
ratings:
  order: [High, Low]
as_of: 2024-06-30
"""


def test_a_snapshot_without_ids_imports_with_monthly_pay_made_yearly(tmp_path):
    frame = snapshot_frame()
    path, mapping = tmp_path / "snapshot.csv", tmp_path / "mapping.yaml"
    frame.to_csv(path, index=False)
    mapping.write_text(SNAPSHOT_MAPPING)
    out = tmp_path / "out"
    assert main(["import", str(path), "--mapping", str(mapping), "--out", str(out)]) == 0
    scenario = load_scenario(out / "organization.yaml")
    stayed = frame[frame["Attrition"] == "No"]
    assert scenario.organization.headcount == len(stayed)
    assert scenario.organization.span_of_control == 8  # no manager ids: the mapping's default
    yearly = stayed["MonthlyIncome"] * 12
    low, high = np.percentile(yearly, [10, 90])
    band = scenario.organization.salary_bands.individual_contributor
    assert (band.min, band.max) == (round(low / 1000) * 1000, round(high / 1000) * 1000)
    assert scenario.behaviour.voluntary_quit_rate == pytest.approx(
        (frame["Attrition"] == "Yes").mean(), abs=1e-4
    )
    rating = scenario.policies["status_quo"].rating
    assert rating.scheme == "absolute" and rating.grades == ["High", "Low"]
    high = (frame["Performance"] == "High").mean()
    assert rating.thresholds == pytest.approx([norm.ppf(1 - high)], abs=1e-3)
    observed = pd.read_csv(out / "observed.csv")
    share = observed[(observed["moment"] == "grade_share:High") & (observed["cycle"] == 1)]
    assert share["value"].iloc[0] == pytest.approx((frame["Performance"] == "High").mean())


def test_personal_data_reaches_no_output_and_no_message(tmp_path, capsys):
    employees, reviews, mapping = write_history(tmp_path / "in")
    out = tmp_path / "out"
    assert (
        main(["import", str(employees), str(reviews), "--mapping", str(mapping), "--out", str(out)])
        == 0
    )
    said = capsys.readouterr()
    planted = [PLANTED_ID, PLANTED_NAME, str(PLANTED_SALARY), str(PLANTED_SALARY * 12), "ZZQ-"]
    texts = [p.read_text() for p in out.iterdir()] + [said.out, said.err]
    for text in texts:
        for value in planted:
            assert value not in text


def test_manager_loops_are_found_and_chains_that_end_are_not():
    ids = pd.Series(["a", "b", "c", "d", "e", "f", "g"])
    managers = pd.Series([None, "a", "d", "c", "e", "b", "gone"])
    assert manager_loops(ids, managers).tolist() == [2, 3, 4]


def test_an_unknown_key_in_the_mapping_is_named_with_a_suggestion(tmp_path, capsys):
    employees, reviews, mapping = write_history(tmp_path / "in")
    mapping.write_text(MAPPING.replace("salary_period", "salary_perod"))
    assert (
        main(
            [
                "import",
                str(employees),
                str(reviews),
                "--mapping",
                str(mapping),
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "salary_perod: unknown key" in err and "salary_period" in err
    assert not (tmp_path / "o").exists()


def test_yes_and_no_written_without_quotes_keep_their_meaning(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("employees:\n  values:\n    left: {yes: [Yes, Y], no: [No]}\n")
    left = read_mapping(mapping).employees.values.left
    assert left.yes == ["yes", "Y"] and left.no == ["no"]
