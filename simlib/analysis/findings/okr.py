"""OKR grades: stretch targets set so that the average grade lands in OKR practice's sweet spot.

Google's re:Work guide "Set goals with OKRs" (step "Grade OKRs"): "The sweet spot for OKRs
is somewhere in the 60-70% range. Scoring lower may mean the organization is not achieving
enough of what it could be. Scoring higher may mean the aspirational goals are not being
set high enough. With Google's 0.0 - 1.0 scale, the expectation is to get an average of
0.6 to 0.7 across all OKRs." Doerr (2018), *Measure What Matters*, gives Google's colours
for the same scale: "0.7 to 1.0 = green. (We delivered.) 0.4 to 0.6 = yellow. (We made
progress, but fell short of completion.) 0.0 to 0.3 = red."

The check is ``calibrated``: the okr preset's ``stretch_sd`` was set (0.25 SD) so that the
okr policy of ``scenarios/policy_showdown.yaml`` averages a grade of about 0.65, so agreement
shows the fit, not a prediction. The grade is the model's OKR grade: each person's progress
of what the KPIs count from their baseline to their target over the cycle, capped to 0-1
(:func:`simlib.mechanisms.goals.attainment`), averaged over the people rated in each review
(the ``kpi_attainment`` metric) and over the five years.

Only the band's lower edge binds in the model: as targets come closer to the baseline, the
managers' estimate error and the year's luck decide who meets them, and the grade tends to
about 0.71 (0.706 at a stretch of 0.05 SD), not to 1. Targets far too high fail the check
(0.30 at 2 SD), as do goals that draw no extra striving for their difficulty (0.51).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simlib.analysis.findings.base import Finding, Measurement, Run, shipped_scenario

SOURCE = "Google re:Work, 'Set goals with OKRs' (grading OKRs); Doerr (2018), Measure What Matters"
SCENARIO = "policy_showdown.yaml"
POLICY = "okr"
SWEET_SPOT = (0.6, 0.7)

# Replications: full run / quick run (at most run.reps); each is a 500-person, 5-year run.
OKR_REPS = (20, 10)


def mean_grades(run: Run, overrides: dict[str, Any] | None) -> tuple[np.ndarray, float]:
    """Per replication, the okr policy's mean OKR grade over the horizon; and its stretch."""
    from simlib.experiments.compare import compare
    from simlib.scenario.loading import load_scenario

    scenario = load_scenario(shipped_scenario(SCENARIO), overrides)
    reps = min(run.reps, OKR_REPS[1] if run.quick else OKR_REPS[0])
    key = ("okr_grades", reps, run.seed, scenario.hash)

    def compute() -> np.ndarray:
        f = compare(scenario, policies=[POLICY], reps=reps, seed=run.seed).frame
        rows = f[(f["metric"] == "kpi_attainment") & (f["week"] > 0)]
        return rows.groupby("rep")["value"].mean().sort_index().to_numpy()

    return run.memo(key, compute), scenario.policies[POLICY].goals.stretch


def _sweet_spot(run: Run, overrides: dict[str, Any] | None) -> Measurement:
    grades, stretch = mean_grades(run, overrides)
    return Measurement.of(
        grades,
        details={
            "scenario": SCENARIO,
            "policy": POLICY,
            "reps": len(grades),
            "stretch_sd": stretch,
            "overrides": dict(overrides or {}),
        },
    )


FINDINGS: list[Finding] = [
    Finding(
        id="okr_sweet_spot",
        kind="calibrated",
        source=SOURCE,
        claim="Stretch OKRs are graded 0-1 and should average 0.6-0.7: 'the expectation is "
        "to get an average of 0.6 to 0.7 across all OKRs'.",
        unit="mean OKR grade (0-1)",
        mechanism="Each cycle a target sits the policy's stretch above what the manager "
        "estimates the person would do anyway. A target that is accepted draws extra "
        "performance, a little for having a goal and more the harder it is, but less than "
        "the stretch itself, so the grade is the share of the stretch that striving, luck "
        "and the estimate's error cover. The okr preset's stretch (0.25 SD) was set so that "
        "the grade averages about 0.65.",
        measure=_sweet_spot,
        published=float(np.mean(SWEET_SPOT)),
        low=SWEET_SPOT[0],
        high=SWEET_SPOT[1],
    ),
]
