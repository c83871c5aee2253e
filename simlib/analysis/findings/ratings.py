"""How ratings are made: variance structure, rater agreement, self-ratings, pay leniency.

The checks run the model's own raters (:mod:`simlib.mechanisms.raters`) with the default rater
parameters (``behaviour.raters``):

- the Scullen, Mount & Goff (2000) design (each ratee rated by two supervisors, two peers,
  two subordinates and themself on three dimensions) through
  :func:`simlib.analysis.validation.rating_variance`, replicated over independent samples of ratees
  so that every figure has a confidence interval;
- the Jawahar & Williams (1997) comparison by rating the same workforce, with the same
  raters and the same noise, once for a pay decision and once for development, through
  the engine's review rating (:func:`simlib.mechanisms.raters.rate_employees`).

Published values are the centres of what the sources report; bands are those of the rater
model's issue (which the defaults were sized to), each a little wider than the published
range to leave room for the spread of meta-analytic estimates across studies.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

from simlib.analysis.findings.base import Finding, Measurement, Run
from simlib.scenario.loading import load_scenario
from simlib.scenario.rater_behaviour import RaterBehaviour

SMG = "Scullen, Mount & Goff (2000), J. Applied Psychology 85"
VOS = "Viswesvaran, Ones & Schmidt (1996), J. Applied Psychology 81"
SELF = "Harris & Schaubroeck (1988), Personnel Psychology 41; Heidemeier & Moser (2009)"
JW = "Jawahar & Williams (1997), Personnel Psychology 50"

# Independent samples of ratees for the Scullen, Mount & Goff design, and their size. The
# CI of each figure is taken across samples (about 1.5 s for all of them).
DESIGN_SAMPLES = 20
RATEES_PER_SAMPLE = 5_000

# A default organization with one absolute-rating policy per rating purpose.
_BASE: dict[str, Any] = {
    "name": "validation_raters",
    "organization": {"headcount": 1000},
    "policies": {
        "developmental": {"rating": {"scheme": "absolute", "purpose": "developmental"}},
        "administrative": {"rating": {"scheme": "absolute", "purpose": "administrative"}},
    },
}


def rater_behaviour(overrides: dict[str, Any] | None = None) -> RaterBehaviour:
    """The default rater parameters with dotted-path ``overrides`` applied and validated."""
    return load_scenario(_BASE, overrides).behaviour.raters


def _seed(run: Run, sample: int, what: str) -> int:
    seq = np.random.SeedSequence(run.seed, spawn_key=(sample, zlib.crc32(what.encode())))
    return int(seq.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def design_samples(run: Run, overrides: dict[str, Any] | None) -> list[dict[str, Any]]:
    """``rating_variance`` of the Scullen, Mount & Goff design on independent ratee samples."""
    from simlib.analysis.validation import rating_variance

    key = ("rating_variance", run.seed, tuple(sorted((overrides or {}).items(), key=str)))

    def compute() -> list[dict[str, Any]]:
        beh = rater_behaviour(overrides)
        return [
            rating_variance(beh, seed=_seed(run, k, "smg2000"), ratees=RATEES_PER_SAMPLE)
            for k in range(DESIGN_SAMPLES)
        ]

    return run.memo(key, compute)


def _from_design(key: str) -> Callable[[Run, dict[str, Any] | None], Measurement]:
    def measure(run: Run, overrides: dict[str, Any] | None) -> Measurement:
        values = np.array([s[key] for s in design_samples(run, overrides)])
        return Measurement.of(
            values,
            details={
                "design": "2 supervisors, 2 peers, 2 subordinates, self; 3 dimensions",
                "samples": DESIGN_SAMPLES,
                "ratees_per_sample": RATEES_PER_SAMPLE,
                "overrides": dict(overrides or {}),
            },
        )

    return measure


def _admin_leniency(run: Run, overrides: dict[str, Any] | None) -> Measurement:
    """d of pay-decision over developmental ratings of the same people by the same raters."""
    from simlib.engine.simulation import Simulation
    from simlib.mechanisms.raters import rate_employees

    scenario = load_scenario(_BASE, overrides)
    reps = min(run.reps, 40)
    d = np.empty(reps)
    for rep in range(reps):
        final = {}
        for purpose in ("developmental", "administrative"):
            # Same seed and replication: the same workforce, raters and rating noise.
            sim = Simulation(scenario, purpose, seed=run.seed, rep=rep)
            sim.populate()
            wf = sim.workforce
            n = wf.size
            ratings = rate_employees(sim, wf.potential.copy(), np.full(n, 52.0), np.zeros(n))
            final[purpose] = ratings.final[wf.active]
        a, b = final["administrative"], final["developmental"]
        pooled = np.sqrt(0.5 * (a.var(ddof=1) + b.var(ddof=1)))
        d[rep] = (a.mean() - b.mean()) / pooled
    return Measurement.of(
        d,
        details={"reps": reps, "headcount": 1000, "scenario_hash": scenario.hash},
    )


_RATER = (
    "In the model a supervisor's rating is the ratee's true performance seen through "
    "performance records with measurement noise, plus the rater's general leniency, an "
    "idiosyncratic impression of this ratee, and a random error per rated dimension, "
    "compressed toward the middle of the scale."
)

FINDINGS: list[Finding] = [
    Finding(
        id="smg2000_ratee_share",
        kind="calibrated",
        source=SMG,
        claim="True performance of the ratee explains only about 21–25% of rating variance.",
        unit="share of rating variance",
        mechanism=_RATER
        + " The rater's own contributions (leniency and idiosyncratic impressions) are "
        "about twice as large as what the ratee's performance contributes, so the ratee "
        "share is small.",
        measure=_from_design("ratee"),
        published=0.23,  # midpoint of the 21–25% reported across 360 sources
        low=0.15,
        high=0.35,
    ),
    Finding(
        id="smg2000_idiosyncratic_share",
        kind="calibrated",
        source=SMG,
        claim="Idiosyncratic rater effects explain about 53–62% of rating variance, the "
        "largest part.",
        unit="share of rating variance",
        mechanism=_RATER
        + " Leniency and the rater-by-ratee impression carry across all dimensions one "
        "rater rates, which is what the design identifies as idiosyncratic variance.",
        measure=_from_design("idiosyncratic"),
        published=0.575,  # midpoint of 53–62%
        low=0.45,
        high=0.65,
    ),
    Finding(
        id="vos1996_supervisor_interrater_r",
        kind="calibrated",
        source=VOS,
        claim="Two supervisors' overall ratings of the same person correlate about .52.",
        unit="correlation",
        mechanism="Two supervisors read the same performance records, whose measurement "
        "noise they share, but each adds leniency, an idiosyncratic impression and random "
        "error of their own; agreement is moderate, and higher than either supervisor's "
        "agreement with the truth would suggest.",
        measure=_from_design("supervisor_interrater_r"),
        published=0.52,
        low=0.45,
        high=0.60,
    ),
    Finding(
        id="vos1996_peer_interrater_r",
        kind="calibrated",
        source=VOS,
        claim="Two peers' overall ratings of the same person correlate about .42.",
        unit="correlation",
        mechanism="Peers see no performance records but share a view of the ratee that "
        "supervisors do not have; each peer's idiosyncratic impression and leniency keep "
        "their agreement below that of supervisors.",
        measure=_from_design("peer_interrater_r"),
        published=0.42,
        low=0.32,
        high=0.52,
    ),
    Finding(
        id="self_supervisor_r",
        kind="calibrated",
        source=SELF,
        claim="Self-ratings correlate only about .22–.35 with supervisors' ratings.",
        unit="correlation",
        mechanism="People see their own performance through a self-view distortion (what "
        "they value in their work, what they remember) on top of the random error of any "
        "rating, so self and supervisor agree weakly.",
        measure=_from_design("self_supervisor_r"),
        published=0.285,  # midpoint of the .22–.35 range
        low=0.15,
        high=0.40,
    ),
    Finding(
        id="self_leniency_d",
        kind="calibrated",
        source=SELF,
        claim="Self-ratings run about .3–.5 SD higher than supervisors' ratings.",
        unit="SD (Cohen's d)",
        mechanism="Self-ratings carry a lenient mean shift: people rate themselves above "
        "how their supervisor rates them, which also feeds disappointment and appeals "
        "when the official rating comes in below the self-assessment.",
        measure=_from_design("self_leniency_d"),
        published=0.40,  # midpoint of .3–.5
        low=0.25,
        high=0.55,
    ),
    Finding(
        id="jw1997_admin_leniency_d",
        kind="calibrated",
        source=JW,
        claim="Ratings that decide pay run about 1/3 SD higher than ratings made for "
        "research or development.",
        unit="SD (Cohen's d)",
        mechanism="When a rating decides pay or promotion, raters shift it up (to avoid "
        "conflict, to protect their people's pay); the model applies that purpose "
        "leniency to every rating made under an administrative rating policy, on top of "
        "each rater's own leniency.",
        measure=_admin_leniency,
        published=0.33,
        # "About a third of an SD": we accept .23–.43, +/- .10 around it.
        low=0.23,
        high=0.43,
    ),
]
