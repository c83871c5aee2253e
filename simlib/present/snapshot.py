"""The workforce at the horizon: one row per employee, per policy, for one replication.

Outcome metrics summarize; some views need the people themselves — the final grade and pay
distributions and the 9-box (latest grade x potential). :func:`final_workforce` runs the same
replication as :func:`simlib.compare` does (same seed, same streams) and returns the active
employees at the end, so the 9-box shows the organization whose metrics are reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.engine.simulation import Simulation
from simlib.present.nine_box import performance_boxes, potential_boxes
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario
from simlib.scenario.organization import WEEKS_PER_YEAR

SNAPSHOT_COLUMNS = [
    "policy",
    "rep",
    "position",
    "department",
    "team",
    "is_manager",
    "group",
    "potential",
    "skill",
    "grade",
    "grade_index",
    "performance_box",
    "potential_box",
    "salary",
    "compa_ratio",
    "tenure_years",
    "engagement",
    "fairness_belief",
]


def workforce_frame(sim: Simulation) -> pd.DataFrame:
    """The active employees of a (finished) simulation, one row each."""
    wf = sim.workforce
    rows = np.flatnonzero(wf.active)
    chart = wf.chart
    grades = sim.policy.rating.grades
    grade_index = wf.last_grade[rows]
    labels = np.array(list(grades) + ["unrated"], dtype=object)
    groups = list(sim.scenario.organization.groups)
    return pd.DataFrame(
        {
            "policy": sim.policy_name,
            "rep": sim.rep,
            "position": rows,
            "department": np.asarray(chart.department_names, dtype=object)[chart.department[rows]],
            "team": chart.team[rows],
            "is_manager": chart.is_manager[rows],
            "group": np.asarray(groups, dtype=object)[wf.group[rows]],
            "potential": wf.potential[rows],
            "skill": wf.skill[rows],
            "grade": labels[np.where(grade_index < 0, len(grades), grade_index)],
            "grade_index": grade_index,
            "performance_box": performance_boxes(grade_index, len(grades)),
            "potential_box": potential_boxes(wf.potential[rows]),
            "salary": wf.salary[rows],
            "compa_ratio": sim.pay.compa_ratio()[rows],
            "tenure_years": (sim.now - wf.hired_week[rows]) / WEEKS_PER_YEAR,
            "engagement": wf.engagement[rows],
            "fairness_belief": wf.fairness_belief[rows],
        },
        columns=SNAPSHOT_COLUMNS,
    )


def final_workforce(
    scenario: Scenario | str | dict,
    policies: list[str] | None = None,
    seed: int | None = None,
    rep: int = 0,
) -> pd.DataFrame:
    """The workforce at the horizon under each policy, for one replication.

    Parameters
    ----------
    scenario
        A Scenario, or a path or mapping to load one from.
    policies
        Policy names (default: the scenario's compared policies).
    seed
        Experiment seed (default: the scenario's); with ``rep`` it fixes every stream, so
        this is the organization replication ``rep`` of :func:`simlib.compare` ends with.
    rep
        Replication number.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SNAPSHOT_COLUMNS`; ``potential`` and ``skill`` in SD units, ``salary``
        in the scenario's currency per year, ``tenure_years`` in years.
    """
    scenario = load_scenario(scenario)
    seed = scenario.experiment.seed if seed is None else int(seed)
    frames = []
    for policy in policies or scenario.policy_names:
        sim = Simulation(scenario, policy, seed, rep)
        sim.run()
        frames.append(workforce_frame(sim))
    return pd.concat(frames, ignore_index=True)
