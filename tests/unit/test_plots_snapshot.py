from __future__ import annotations

import numpy as np
import pytest

from simlib import compare, load_scenario
from simlib.metrics.catalogue import METRIC_UNITS
from simlib.present import plots
from simlib.present.snapshot import final_workforce, performance_boxes, potential_boxes


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    scenario = load_scenario(
        {
            "name": "small",
            "organization": {"headcount": 40, "span_of_control": 6},
            "environment": {"years": 2},
            "policies": {
                "absolute": {"preset": "absolute"},
                "curve": {"preset": "forced_distribution"},
                "yank": {"preset": "rank_and_yank"},
            },
            "experiment": {"reps": 3, "seed": 11, "baseline": "absolute"},
        }
    )
    results = compare(scenario)
    return scenario, results, final_workforce(scenario, results.policies, seed=11)


def test_snapshot_is_the_final_workforce(run):
    scenario, results, snap = run
    assert list(dict.fromkeys(snap["policy"])) == ["absolute", "curve", "yank"]
    again = final_workforce(scenario, ["curve"], seed=11)
    own = snap[snap["policy"] == "curve"].reset_index(drop=True)
    assert np.array_equal(again["potential"], own["potential"])  # reproducible
    horizon = results.at_horizon()
    heads = horizon[(horizon.metric == "headcount") & (horizon.rep == 0)].set_index("policy")
    for policy, rows in snap.groupby("policy"):
        # Exits decided at the horizon's instant may follow the last record by a person or two.
        assert abs(len(rows) - heads.loc[policy, "value"]) <= 2
    assert set(snap["grade"]) <= {"S", "A", "B", "C", "D", "retain", "cut", "unrated"}


def test_boxes():
    # By share of people: one person per grade, so each grade holds 20% of the rated.
    assert performance_boxes(np.array([0, 1, 2, 3, 4, -1]), 5).tolist() == [2, 1, 1, 1, 0, -1]
    assert performance_boxes(np.array([0, 1]), 2).tolist() == [2, 0]
    # 5/20/60/10/5: S is the top 5%, C and D the bottom 15%.
    curve = np.repeat(np.arange(5), [5, 20, 60, 10, 5])
    boxes = performance_boxes(curve, 5)
    assert [int((boxes == b).sum()) for b in (0, 1, 2)] == [15, 80, 5]
    # Everyone graded alike: nobody is at the top or the bottom.
    assert performance_boxes(np.full(10, 2), 5).tolist() == [1] * 10
    assert potential_boxes(np.array([-1.0, 0.0, 1.0])).tolist() == [0, 1, 2]


def test_policy_colours_are_stable_across_subsets(run):
    _, results, _ = run
    full = plots.policy_colors(results)
    assert len(set(full.values())) == 3
    subset = compare(load_scenario(results.manifest["parameters"]), policies=["yank"], reps=2)
    assert plots.policy_colors(subset)["yank"] == full["yank"]


def test_figures_have_units_and_render(run, tmp_path):
    _, results, snap = run
    fig = plots.plot_over_time(results, ["workforce_potential", "payroll"])
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_visible()]
    assert labels[0] == METRIC_UNITS["workforce_potential"]
    assert [ax.get_title() for ax in fig.axes[:2]] == ["Workforce potential", "Payroll"]
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3 and len({ln.get_color() for ln in lines}) == 3
    diff = plots.plot_paired_differences(results, fast=True)
    assert "more is better" in diff.axes[0].get_title()
    nine = plots.plot_nine_box(snap, results)
    texts = [t.get_text() for t in nine.axes[0].texts]
    assert len(texts) == 9 and all("%" in t for t in texts)
    for figure in (
        fig,
        diff,
        nine,
        plots.plot_grade_distribution(snap, results),
        plots.plot_pay_distribution(snap, results),
    ):
        assert plots.figure_png(figure, dpi=40).startswith(b"\x89PNG")
    path = plots.save_figure(fig, tmp_path / "f.png")
    assert path.read_bytes().startswith(b"\x89PNG") and list(tmp_path.iterdir()) == [path]
