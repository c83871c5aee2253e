"""The shipped synthetic HR export: an organization simulated with known true parameters,
written as a client's HR system would export it.

``write_example(out_dir, seed=..., shape="history")`` runs the model on a 1,000-person
organization under a status-quo policy (absolute ratings on the scale ``Exceeds, Fully
Meets, Partially Meets, PIP``) for four yearly review cycles, records it as an HR export
(:func:`simlib.hr.panel.record_panel`) and writes it with a client's own column names and
values, the ``mapping.yaml`` that reads it back, and ``truth.json``: the true parameter
values under their scenario field paths (what calibration should recover). Everything in it
is synthetic: no real person's data.

``shape="snapshot"`` writes the snapshot shape instead: department, MONTHLY salary, a
two-level rating, tenure in years and a yes/no attrition flag, no ids.

Run ``python -m simlib.hr.example DIR [--shape snapshot] [--seed N]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from simlib.hr.panel import record_panel, to_snapshot
from simlib.hr.tables import (
    CYCLE_END,
    DEPARTMENT,
    EMPLOYEE_ID,
    EXIT_DATE,
    EXIT_REASON,
    GROUP,
    HIRE_DATE,
    LEFT,
    MANAGER_ID,
    RATING,
    SALARY,
    TENURE_YEARS,
    VOLUNTARY,
    HrTables,
)
from simlib.scenario.loading import load_scenario
from simlib.storage.atomic import atomic_write_text

GRADES = ("Exceeds", "Fully Meets", "Partially Meets", "PIP")
SEED = 2024

# The true parameters of the example, under their scenario field paths. They are the
# schema's literature defaults where one exists (see each field's description), stated
# here so that the example does not move when a default does; the thresholds are chosen to
# give a typical lenient status quo (about a fifth Exceeds, a few percent on a PIP).
TRUTH: dict[str, Any] = {
    "behaviour.voluntary_quit_rate": 0.12,
    "behaviour.exits.u_curvature": 0.10,
    "behaviour.exits.pay_lag_sensitivity": 40.0,
    "behaviour.raters.leniency_sd": 0.45,
    "behaviour.raters.error_sd": 0.72,
    "policies.status_quo.rating.thresholds": [1.4, -0.15, -0.85],
}

# The client's own names: the export's columns and values, and the mapping that reads them.
EMPLOYEE_COLUMNS = {
    EMPLOYEE_ID: "EmpID",
    MANAGER_ID: "ManagerID",
    DEPARTMENT: "Dept",
    HIRE_DATE: "Start",
    EXIT_DATE: "End",
    EXIT_REASON: "Why",
    SALARY: "Pay",
    GROUP: "Sex",
}
REVIEW_COLUMNS = {EMPLOYEE_ID: "EmpID", CYCLE_END: "ReviewDate", RATING: "Score"}
REASONS = {"voluntary": ["Resigned", "Better offer"], "involuntary": ["Dismissed", "Restructuring"]}
GROUPS = {"female": "F", "male": "M"}
SNAPSHOT_COLUMNS = {
    DEPARTMENT: "Department",
    SALARY: "MonthlySalary",
    RATING: "Rating",
    TENURE_YEARS: "YearsOfService",
    LEFT: "Attrition",
}
SNAPSHOT_GRADES = ("Meets", "Below")  # Exceeds and Fully Meets: Meets; the rest: Below


def example_scenario(truth: dict[str, Any] | None = None) -> dict[str, Any]:
    """The example's scenario: its organization, four yearly cycles, the true parameters
    (:data:`TRUTH`, or ``truth`` in their stead: the coverage study draws its own)."""
    data: dict[str, Any] = {
        "name": "hr_example",
        "description": "Synthetic organization behind the shipped HR export example.",
        "organization": {
            "name": "Example Logistics Ltd.",
            "headcount": 1000,
            "span_of_control": 8,
            "departments": [
                {"name": "Operations", "share": 0.45},
                {"name": "Sales", "share": 0.25},
                {"name": "Technology", "share": 0.18},
                {"name": "Finance & HR", "share": 0.12},
            ],
            "groups": {"female": 0.45, "male": 0.55},
            "salary_bands": {
                "currency": "EUR",
                "individual_contributor": {"min": 38000, "max": 70000},
                "manager": {"min": 65000, "max": 110000},
            },
        },
        "environment": {"years": 4, "weeks_per_cycle": 52, "pay_drift": 0.03},
        "behaviour": {"exits": {}, "raters": {"model": "biased"}},
        "policies": {
            "status_quo": {"rating": {"scheme": "absolute", "grades": list(GRADES)}},
        },
        "experiment": {"seed": SEED},
    }
    for path, value in (TRUTH if truth is None else truth).items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return data


def write_example(
    out_dir: str | Path,
    seed: int = SEED,
    shape: Literal["history", "snapshot"] = "history",
    truth: dict[str, Any] | None = None,
) -> list[Path]:
    """Simulate the example organization and write its HR export to ``out_dir``.

    Returns the files written: ``employees.csv``, ``reviews.csv`` (history only),
    ``mapping.yaml`` and ``truth.json``; each written atomically. ``truth``: other true
    parameters (the same paths as :data:`TRUTH`) for a study of many exports.
    """
    out = Path(out_dir)
    truth = dict(TRUTH) if truth is None else {**TRUTH, **truth}
    scenario = load_scenario(example_scenario(truth))
    tables = record_panel(scenario, "status_quo", seed=seed)
    rng = np.random.default_rng([seed, 16])  # the export's own draws: ids and reasons
    if shape == "snapshot":
        files = _write_snapshot(out, to_snapshot(tables))
    else:
        files = _write_history(out, tables, rng)
    # The true parameters, under their scenario field paths (one flat mapping).
    files.append(atomic_write_text(out / "truth.json", json.dumps(truth, indent=2) + "\n"))
    return files


def _write_history(out: Path, tables: HrTables, rng: np.random.Generator) -> list[Path]:
    assert tables.reviews is not None
    emp = tables.employees
    # The department heads: employees too, managing the managers, reporting to no one here.
    heads = emp.loc[emp[MANAGER_ID].str.startswith("H"), [MANAGER_ID, DEPARTMENT]]
    heads = heads.drop_duplicates(MANAGER_ID)
    first_hire = emp[HIRE_DATE].min()
    head_rows = pd.DataFrame(
        {
            EMPLOYEE_ID: heads[MANAGER_ID].to_numpy(),
            MANAGER_ID: None,
            DEPARTMENT: heads[DEPARTMENT].to_numpy(),
            HIRE_DATE: first_hire - pd.to_timedelta(rng.integers(365, 3650, len(heads)), "D"),
            EXIT_DATE: pd.NaT,
            EXIT_REASON: None,
            SALARY: np.round(rng.uniform(120_000, 160_000, len(heads)), -3),
            GROUP: rng.choice(list(GROUPS), len(heads)),
        }
    )
    everyone = pd.concat([emp.astype(object), head_rows.astype(object)], ignore_index=True)
    # Ids as an HR system gives them: random numbers, not the order of the rows.
    numbers = rng.choice(np.arange(10_000, 100_000), size=len(everyone), replace=False)
    new_id = pd.Series(np.char.add("EMP-", numbers.astype(str)), index=everyone[EMPLOYEE_ID])
    reason = everyone[EXIT_REASON]
    second = rng.random(len(everyone)) < 0.3  # 'Better offer' / 'Restructuring'
    why = np.where(
        reason == VOLUNTARY,
        np.where(second, REASONS["voluntary"][1], REASONS["voluntary"][0]),
        np.where(second, REASONS["involuntary"][1], REASONS["involuntary"][0]),
    )
    export = pd.DataFrame(
        {
            "EmpID": everyone[EMPLOYEE_ID].map(new_id),
            "ManagerID": everyone[MANAGER_ID].map(new_id),
            "Dept": everyone[DEPARTMENT],
            "Start": pd.to_datetime(everyone[HIRE_DATE]).dt.strftime("%Y-%m-%d"),
            "End": pd.to_datetime(everyone[EXIT_DATE]).dt.strftime("%Y-%m-%d"),
            "Why": pd.Series(why, index=everyone.index).where(reason.notna()),
            "Pay": np.round(everyone[SALARY].astype(float), -2),
            "Sex": everyone[GROUP].map(GROUPS),
        }
    ).sort_values("EmpID", ignore_index=True)
    reviews = tables.reviews
    review_export = pd.DataFrame(
        {
            "EmpID": reviews[EMPLOYEE_ID].astype(object).map(new_id),
            "ReviewDate": reviews[CYCLE_END].dt.strftime("%Y-%m-%d"),
            "Score": reviews[RATING].astype(object),
        }
    ).sort_values(["ReviewDate", "EmpID"], ignore_index=True)
    mapping = {
        "employees": {
            "columns": dict(EMPLOYEE_COLUMNS),
            "values": {"exit_reason": REASONS},
            "salary_period": "year",
        },
        "reviews": {"columns": dict(REVIEW_COLUMNS)},
        "ratings": {"order": list(GRADES)},
    }
    return [
        atomic_write_text(out / "employees.csv", export.to_csv(index=False)),
        atomic_write_text(out / "reviews.csv", review_export.to_csv(index=False)),
        atomic_write_text(out / "mapping.yaml", _yaml(mapping)),
    ]


def _write_snapshot(out: Path, snapshot: HrTables) -> list[Path]:
    rows = snapshot.employees
    # Everyone of the snapshot: people not yet rated (or who left before their first
    # review) have a blank rating, as in an HR system.
    rating = rows[RATING].astype(object)
    two_level = np.where(
        rating.isin(GRADES[:2]).to_numpy(dtype=bool), SNAPSHOT_GRADES[0], SNAPSHOT_GRADES[1]
    ).astype(object)
    two_level[rating.isna().to_numpy()] = None
    export = pd.DataFrame(
        {
            "Department": rows[DEPARTMENT].astype(object).to_numpy(),
            "MonthlySalary": np.round(rows[SALARY].to_numpy(dtype=float) / 12.0, -1),
            "Rating": two_level,
            "YearsOfService": np.round(rows[TENURE_YEARS].to_numpy(dtype=float), 1),
            "Attrition": np.where(rows[LEFT].to_numpy(dtype=bool), "Yes", "No"),
        }
    )
    export = export.sample(frac=1.0, random_state=0, ignore_index=True)  # no order to read
    mapping = {
        "employees": {
            "columns": dict(SNAPSHOT_COLUMNS),
            "values": {"left": {"yes": ["Yes"], "no": ["No"]}},
            "salary_period": "month",
        },
        "ratings": {"order": list(SNAPSHOT_GRADES)},
    }
    return [
        atomic_write_text(out / "employees.csv", export.to_csv(index=False)),
        atomic_write_text(out / "mapping.yaml", _yaml(mapping)),
    ]


def _yaml(data: dict[str, Any]) -> str:
    header = "# Column names and values of the synthetic example export (simlib.hr.example).\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simlib.hr.example",
        description="Write the synthetic HR export example (all data synthetic).",
    )
    parser.add_argument("out_dir", help="directory to write the export to")
    parser.add_argument("--shape", choices=("history", "snapshot"), default="history")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for path in write_example(args.out_dir, seed=args.seed, shape=args.shape):
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
