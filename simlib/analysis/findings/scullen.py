"""Scullen, Bergey & Aiman-Smith (2005): forced distribution and workforce potential.

The paper simulated 100 organizations of 10 groups of 10 for 30 years: potential ~ N(0, 1);
each year 10% voluntary turnover unrelated to potential, the bottom 10% of each group by a
rating of reliability .70 fired, and every leaver replaced at once by the best of 10
applicants on a selection score of validity .30. Its abstract states the findings in words:
potential improves noticeably, most of the improvement comes in the first several years, and
it is larger with more firing and smaller with more voluntary turnover.

What the paper reported, and what is checked here
-------------------------------------------------
The paper gives its gains by year in tables and figures that were not available to us while
writing this check, and we do not quote numbers we could not verify. Its *design*, however,
is published exactly (its Table 1 pseudocode; ``scenarios/scullen2005.yaml``), and any
faithful implementation of it reproduces the paper's gains up to Monte Carlo error. So the
"published" gain at years 5 and 10 is that of the published design, recomputed on every run
by :func:`published_design_gains`, a deliberately plain numpy loop over the paper's steps
with the paper's parameters (independent of the engine, and of any scenario override). The
engine's gain, simulated from ``scenarios/scullen2005.yaml``, must match it within a band.
The three qualitative findings are checked as directions with a minimum size.

A known difference: in the engine, people hired at the review instant to replace that
year's quitters have worked no weeks of the cycle and are not rated (``min_weeks_rated``),
so they cannot be fired in their first review, while the paper rates and may fire them at
once. Rerunning the published design with that exemption lowers its 5- and 10-year gains
by about .02 and .03 SD, which is most of the 7-9% by which the engine's gains fall below
the published design's. The band below allows for it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simlib.analysis.findings.base import Finding, Measurement, Run, ratio_ci, shipped_scenario
from simlib.analysis.results import mean_ci
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.state.streams import stream

SOURCE = "Scullen, Bergey & Aiman-Smith (2005), Personnel Psychology 58"
SCENARIO = "scullen2005.yaml"
FD_POLICY = "forced_distribution"

# The published design (Scullen et al. 2005, Table 1 and their baseline condition).
PAPER_DESIGN: dict[str, float] = {
    "fire_share": 0.10,
    "reliability": 0.70,
    "selection_validity": 0.30,
    "applicants_per_hire": 10,
    "voluntary_turnover": 0.10,
    "group_size": 10,
    "groups": 10,
    "years": 30,
}
# Organizations the published-design reference simulates. The paper ran 100; we run more so
# that the reference's own Monte Carlo error (SD of a 100-person organization's 5-year gain
# ~.10 SD, so ~.004 SD over 800) is negligible beside the band. It costs well under a second.
REFERENCE_ORGS = 800

# Band around the published design's gain at years 5 and 10: +/-15% of it (about .05 SD at
# year 5, .07 at year 10). Why that wide: the paper's own Monte Carlo error over 100
# organizations is about +/-.02 SD (95%), and details the paper leaves to the implementer
# (turnover as a Poisson schedule or as independent 10% draws; whether someone hired at the
# review instant can be rated and fired at once) move the 5-year gain by about .03 SD. A model
# that misses the published design by more than that is not reproducing it.
GAIN_TOLERANCE = 0.15

# The qualitative findings are directions; we accept them when the effect is at least
# .05 SD of potential (a tenth of the 10-year gain: smaller would not be "greater
# improvement" in any practical sense) and its 95% CI excludes zero.
MIN_EFFECT_SD = 0.05

# Comparison conditions for the qualitative findings (the paper varied both factors over
# several levels; we take one step up from the baseline for each).
MORE_FIRING = 0.20
MORE_TURNOVER = 0.20
COMPARE_YEARS = 10


def published_design_gains(
    seed: int,
    orgs: int = REFERENCE_ORGS,
    design: dict[str, float] | None = None,
) -> np.ndarray:
    """Mean potential gain since year 0 per organization and year under the published design.

    A plain implementation of the paper's steps, vectorized over organizations: each year
    (1) voluntary leavers are replaced by new hires, (2) everyone is rated
    ``sqrt(rel) P + sqrt(1 - rel) e``, (3) the lowest-rated ``fire_share`` of each group is
    fired and (4) replaced by the best of ``applicants_per_hire`` applicants on
    ``val P + sqrt(1 - val^2) e``. The initial staff came through the same hiring system.

    Returns
    -------
    numpy.ndarray
        Shape ``(orgs, years + 1)``: gain in mean potential (SD units) at the end of each
        year, column 0 being the start (all zeros).
    """
    d = {**PAPER_DESIGN, **(design or {})}
    rng = stream(seed, 0, "scullen2005_published_design")
    groups, size = int(d["groups"]), int(d["group_size"])
    applicants, val, rel = int(d["applicants_per_hire"]), d["selection_validity"], d["reliability"]
    fired_per_group = round(d["fire_share"] * size)

    def hires(shape: tuple[int, ...]) -> np.ndarray:
        p = rng.standard_normal((*shape, applicants))
        score = val * p + math.sqrt(1 - val**2) * rng.standard_normal(p.shape)
        return np.take_along_axis(p, score.argmax(axis=-1)[..., None], axis=-1)[..., 0]

    potential = hires((orgs, groups, size))
    start = potential.mean(axis=(1, 2))
    gains = [np.zeros(orgs)]
    for _ in range(int(d["years"])):
        quits = rng.random(potential.shape) < d["voluntary_turnover"]
        potential = np.where(quits, hires(potential.shape), potential)
        rating = math.sqrt(rel) * potential + math.sqrt(1 - rel) * rng.standard_normal(
            potential.shape
        )
        worst = np.argsort(rating, axis=-1)[..., :fired_per_group]
        replacement = hires(worst.shape)
        np.put_along_axis(potential, worst, replacement, axis=-1)
        gains.append(potential.mean(axis=(1, 2)) - start)
    return np.stack(gains, axis=1)


def engine_gains(
    run: Run, overrides: dict[str, Any] | None, years: int, extra: dict[str, Any] | None = None
) -> np.ndarray:
    """Gain in mean potential since week 0 per replication and year, simulated by the engine.

    Runs the forced-distribution policy of ``scenarios/scullen2005.yaml`` (with
    ``overrides`` and then ``extra`` applied) for ``years`` years and ``run.reps``
    replications. Returns shape ``(reps, years + 1)``.
    """
    from simlib.experiments.compare import compare

    merged = {**(overrides or {}), **(extra or {}), "environment.years": years}
    key = ("scullen_engine", run.reps, run.seed, tuple(sorted(merged.items(), key=str)))

    def compute() -> np.ndarray:
        results = compare(
            shipped_scenario(SCENARIO),
            policies=[FD_POLICY],
            reps=run.reps,
            seed=run.seed,
            overrides=merged,
        )
        f = results.frame
        f = f[f["metric"] == "workforce_potential"]
        wide = f.pivot_table(index="rep", columns="week", values="value")
        weeks = [float(WEEKS_PER_YEAR * y) for y in range(years + 1)]
        values = wide[weeks].to_numpy()
        return values - values[:, [0]]

    return run.memo(key, compute)


def scenario_hash(run: Run, overrides: dict[str, Any] | None) -> str:
    """Hash of the resolved Scullen scenario the engine ran (for the manifest)."""
    from simlib.scenario.loading import load_scenario

    key = ("scullen_hash", tuple(sorted((overrides or {}).items(), key=str)))
    return run.memo(key, lambda: load_scenario(shipped_scenario(SCENARIO), overrides).hash)


def _reference(run: Run) -> np.ndarray:
    return run.memo(("scullen_reference", run.seed), lambda: published_design_gains(run.seed))


def _gain_at(year: int):
    def measure(run: Run, overrides: dict[str, Any] | None) -> Measurement:
        engine = engine_gains(run, overrides, years=30)[:, year]
        published = float(_reference(run)[:, year].mean())
        return Measurement.of(
            engine,
            published=published,
            low=published * (1 - GAIN_TOLERANCE),
            high=published * (1 + GAIN_TOLERANCE),
            details={
                "reps": run.reps,
                "reference_orgs": REFERENCE_ORGS,
                "scenario": SCENARIO,
                "scenario_hash": scenario_hash(run, overrides),
                "overrides": dict(overrides or {}),
            },
        )

    return measure


def _more_firing(run: Run, overrides: dict[str, Any] | None) -> Measurement:
    base = engine_gains(run, overrides, COMPARE_YEARS)[:, -1]
    more = engine_gains(
        run,
        overrides,
        COMPARE_YEARS,
        {f"policies.{FD_POLICY}.rating.bottom_cut": MORE_FIRING},
    )[:, -1]
    mean, low, high = mean_ci(more - base)  # paired: same replications, same applicants
    return Measurement(
        simulated=mean,
        ci_low=low,
        ci_high=high,
        condition=bool(low > 0),
        condition_text="95% CI above zero",
        details={"fire_share": [0.10, MORE_FIRING], "years": COMPARE_YEARS},
    )


def _more_turnover(run: Run, overrides: dict[str, Any] | None) -> Measurement:
    base = engine_gains(run, overrides, COMPARE_YEARS)[:, -1]
    more = engine_gains(
        run, overrides, COMPARE_YEARS, {"behaviour.voluntary_quit_rate": MORE_TURNOVER}
    )[:, -1]
    mean, low, high = mean_ci(more - base)
    return Measurement(
        simulated=mean,
        ci_low=low,
        ci_high=high,
        condition=bool(high < 0),
        condition_text="95% CI below zero",
        details={"voluntary_turnover": [0.10, MORE_TURNOVER], "years": COMPARE_YEARS},
    )


def _front_loaded(run: Run, overrides: dict[str, Any] | None) -> Measurement:
    gains = engine_gains(run, overrides, years=30)
    share, low, high = ratio_ci(
        gains[:, 5], gains[:, 30], stream(run.seed, 0, "findings_bootstrap_front_loaded")
    )
    _, g30_low, _ = mean_ci(gains[:, 30])
    return Measurement(
        simulated=share,
        ci_low=low,
        ci_high=high,
        condition=bool(g30_low > MIN_EFFECT_SD),
        condition_text=f"30-year gain clearly positive (95% CI above {MIN_EFFECT_SD} SD)",
        details={"gain_y5": float(gains[:, 5].mean()), "gain_y30": float(gains[:, 30].mean())},
    )


_SELECTION = (
    "Workforce potential rises because the people who leave by firing are, on average, "
    "below the workforce mean (the rating correlates sqrt(.70) = .84 with potential), while "
    "their replacements are the best of ten applicants on a selection score of validity .30, "
    "about .46 SD above the applicant mean."
)

FINDINGS: list[Finding] = [
    Finding(
        id="scullen2005_fd_gain_y5",
        kind="structural",
        source=SOURCE,
        claim="Firing the bottom 10% of each group yearly raises mean workforce potential; "
        "gain after 5 years as in the published design.",
        unit="SD of potential",
        mechanism=_SELECTION
        + " Each year about a tenth of the workforce is swapped from the bottom of the "
        "rating distribution to fresh hires, so the mean climbs quickly at first.",
        measure=_gain_at(5),
    ),
    Finding(
        id="scullen2005_fd_gain_y10",
        kind="structural",
        source=SOURCE,
        claim="Gain in mean workforce potential after 10 years as in the published design.",
        unit="SD of potential",
        mechanism=_SELECTION
        + " By year 10 the gain approaches its ceiling: those fired are now closer to the "
        "hires, so each year's swap adds less.",
        measure=_gain_at(10),
    ),
    Finding(
        id="scullen2005_more_firing_more_gain",
        kind="structural",
        source=SOURCE,
        claim="Greater improvement is associated with firing more (20% vs 10% a year, gain "
        "after 10 years).",
        unit="SD of potential (difference)",
        mechanism="Firing more each year swaps more low-rated people for hires, and the "
        "bar for being kept rises. The gain depends on the ratings carrying information: "
        "with uninformative ratings, firing more only replaces average people by average "
        "hires.",
        measure=_more_firing,
        low=MIN_EFFECT_SD,
    ),
    Finding(
        id="scullen2005_more_turnover_less_gain",
        kind="structural",
        source=SOURCE,
        claim="Higher voluntary turnover is associated with less improvement (20% vs 10% a "
        "year, gain after 10 years).",
        unit="SD of potential (difference)",
        mechanism="Voluntary turnover is unrelated to potential: it removes people the "
        "firing has already selected, above-average by now, and replaces them with hires "
        "whose mean is the ceiling of the process. More of it drags the workforce back "
        "toward the hires' mean and dilutes the selection by firing.",
        measure=_more_turnover,
        high=-MIN_EFFECT_SD,
    ),
    Finding(
        id="scullen2005_front_loaded",
        kind="structural",
        source=SOURCE,
        claim="Most of the improvement comes in the first several years: share of the "
        "30-year gain reached by year 5.",
        unit="share of 30-year gain",
        mechanism="The gain saturates: as firing removes the lower tail, the people rated "
        "lowest are less and less far below the hires who replace them, so each year's "
        "improvement is smaller than the last. The workforce settles where the selection "
        "by firing balances the dilution by turnover.",
        measure=_front_loaded,
        # "Most of the improvement ... over the first several years": more than half of the
        # 30-year gain by year 5 (our reading of "most"), yet clearly not all of it (the
        # paper's curves keep rising after year 5), so at most 90%.
        low=0.5,
        high=0.9,
    ),
]
