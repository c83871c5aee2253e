"""Ratings against objective measures: how far a supervisor's rating follows the KPIs.

Bommer, Johnson, Rich, Podsakoff & MacKenzie (1995), Personnel Psychology 48, 587-605, a
meta-analysis of studies holding both a supervisor's rating and an objective measure
(counts of output, sales) of the same employees: "A meta-analysis of studies containing
both objective and subjective ratings of employee performance resulted in a corrected mean
correlation of .389. This value, although significantly greater than zero, indicates that
objective and subjective performance measures should not be used interchangeably.
Moreover, in no moderator subgroup examined did the correlation suggest convergent
validity." (abstract). An earlier meta-analysis of the same relation, Heneman (1986),
Personnel Psychology 39, is reported by Bommer et al. as "a corrected mean correlation of
only .27" between "subjective supervisory ratings and objective result-oriented measures".
Both are corrected for measurement error; the uncorrected mean and an interval of Bommer et
al.'s estimate are not quoted here because we could not read them from the paper.

The check is held out: nothing in the model was written or tuned for it, and its band was
written here, from the sources, before the model was run on it. The model misses it (see
``known_miss``): its ratings follow the KPIs more closely than real ratings follow objective
measures.

Design, mirroring the studies: the same people in the same review cycle, their supervisor's
rating score (the score the review grades) against the objective measure the company holds
for that cycle, the output per week the KPIs count (real output, the cycle's luck included,
plus what gaming adds to it; :func:`simlib.mechanisms.goals.kpi_output`), not the latent
true performance. Measured under the status quo of ``scenarios/policy_showdown.yaml``
(absolute ratings, KPI goals, a merit grid, no promotions) in every annual review of its
five years; the correlation of each review is averaged per replication, as a meta-analysis
averages studies.

Correction, like with like: the sources' correlations are corrected for measurement
error, chiefly the unreliability of supervisory ratings. We divide the model's observed
correlation by the square root of the inter-rater reliability of supervisory ratings, .52
(Viswesvaran, Ones & Schmidt 1996, the meta-analytic value such corrections use and the
model's raters are built to reproduce), as the Bycio et al. check does. We make no
correction for the unreliability of the objective measure: the model's KPI is the cycle's
whole record, with the same luck the supervisor sees, so its measurement error is small;
correcting for it as well could only raise the model's value. No range-restriction
correction either (the model's ratings are of everyone employed).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simlib.analysis.findings.base import Finding, Measurement, Run, shipped_scenario
from simlib.state.simulation_state import Review, SimState

BOMMER = (
    "Bommer, Johnson, Rich, Podsakoff & MacKenzie (1995), Personnel Psychology 48; "
    "Heneman (1986), Personnel Psychology 39"
)
SCENARIO = "policy_showdown.yaml"
POLICY = "absolute"

# --- written from the sources before the model was run ------------------------------------
# Bommer et al.'s corrected mean correlation, .389. The band runs from Heneman's corrected
# .27, the other meta-analytic estimate of the same relation, to as far above .389 as .27
# lies below it (.508): the spread between the two meta-analyses, on both sides. This
# construction of the band is ours; the sources give point estimates.
BOMMER_RHO = 0.389
HENEMAN_RHO = 0.27
BAND = (HENEMAN_RHO, BOMMER_RHO + (BOMMER_RHO - HENEMAN_RHO))
SUPERVISOR_RELIABILITY = 0.52  # Viswesvaran, Ones & Schmidt (1996)

# Replications: full run / quick run (at most run.reps); each is a 500-person, 5-year run.
OBJECTIVE_REPS = (40, 12)


def rating_kpi_pairs(sim: SimState, review: Review) -> tuple[np.ndarray, np.ndarray]:
    """Each rated person's rating score and KPI output per week over the cycle reviewed."""
    from simlib.mechanisms.goals import cycle_luck, kpi_output

    rows = review.rated
    kpi, weeks = kpi_output(sim, rows, cycle_luck(sim, review))
    ok = (weeks > 0) & np.isfinite(kpi)
    return review.scores[rows][ok], kpi[ok]


def review_correlations(scenario: Any, seed: int, rep: int) -> np.ndarray:
    """The correlation of rating score and KPI output in each review of one replication."""
    from simlib.engine.simulation import Simulation
    from simlib.engine.turnover_anchor import anchor_quit_rate
    from simlib.mechanisms.base import Mechanism, Step
    from simlib.mechanisms.registry import MECHANISMS

    # The quit intercept of the scenario as shipped, solved without the recorder (the solve
    # simulates the status quo with the mechanisms it is given: the recorder would see those
    # runs' reviews too).
    intercept = anchor_quit_rate(scenario, MECHANISMS, Simulation)
    out: list[float] = []

    def observe(sim: SimState, review: Review) -> None:
        scores, kpi = rating_kpi_pairs(sim, review)
        if len(scores) > 2 and scores.std() > 0 and kpi.std() > 0:
            out.append(float(np.corrcoef(scores, kpi)[0, 1]))

    recorder = Mechanism("rating_kpi_study", steps=(Step("review", observe),), observer=True)
    Simulation(
        scenario,
        POLICY,
        seed,
        rep,
        mechanisms=(*MECHANISMS, recorder),
        neutral_quit_rate=intercept,
    ).run()
    return np.asarray(out)


def observed_correlations(run: Run, overrides: dict[str, Any] | None) -> np.ndarray:
    """Per replication, the mean over reviews of the observed rating-KPI correlation."""
    from simlib.scenario.loading import load_scenario

    scenario = load_scenario(shipped_scenario(SCENARIO), overrides)
    reps = min(run.reps, OBJECTIVE_REPS[1] if run.quick else OBJECTIVE_REPS[0])
    key = ("rating_kpi_r", reps, run.seed, scenario.hash)

    def compute() -> np.ndarray:
        return np.array(
            [review_correlations(scenario, run.seed, rep).mean() for rep in range(reps)]
        )

    return run.memo(key, compute)


def _rating_objective(run: Run, overrides: dict[str, Any] | None) -> Measurement:
    observed = observed_correlations(run, overrides)
    corrected = observed / np.sqrt(SUPERVISOR_RELIABILITY)
    return Measurement.of(
        corrected,
        details={
            "scenario": SCENARIO,
            "policy": POLICY,
            "reps": len(observed),
            "observed_r": float(observed.mean()),
            "rating_reliability": SUPERVISOR_RELIABILITY,
            "overrides": dict(overrides or {}),
        },
    )


FINDINGS: list[Finding] = [
    Finding(
        id="bommer1995_rating_objective_r",
        kind="held_out",
        source=BOMMER,
        claim="Supervisors' ratings and objective measures of the same employees' "
        "performance correlate only about .39 (corrected; .27 in an earlier meta-analysis): "
        "they are not interchangeable.",
        unit="correlation (corrected for rating unreliability)",
        mechanism="The KPIs count a person's output over the cycle (their luck included) "
        "plus what gaming adds. The supervisor reads the same cycle's performance through "
        "noisy records and adds leniency, an idiosyncratic impression, errors in each "
        "rated dimension, compression and the halo of last year's rating. The check "
        "correlates the rating score with the KPI output of the same people in the same "
        "cycle and corrects for the unreliability of supervisory ratings (.52).",
        measure=_rating_objective,
        published=BOMMER_RHO,
        low=BAND[0],
        high=BAND[1],
        known_miss=(
            "The model's KPI counts the same cycle performance the supervisor rates (only "
            "gaming sets them apart), so ratings follow the KPIs as closely as they follow "
            "true performance (.48 observed, .66 corrected); real objective measures catch "
            "only part of what ratings judge and carry influences outside the employee's "
            "control."
        ),
    ),
]
