"""Calibrating a scenario to observed moments: the best fit, the posterior, the backtest.

Phase 1 searches the box of the identified assumptions with optuna's TPE sampler, seeded
(same seed, same trials), in batches of :data:`BATCH` trials whatever the number of
workers, so the result does not depend on ``--jobs``. Phase 2 is
:mod:`simlib.calibration.posterior`. Every simulation uses the seeds ``(seed, rep)``,
``rep = 0..reps-1``: common random numbers across trials and draws.

Grade shares are not fitted to: the status quo's thresholds are set to give them
(:mod:`simlib.calibration.grades`), before the search and again at the best fit. The fit
uses the moments pooled over all cycles: the cycles of one organization are not
independent samples (the same people, managers and teams), so per-cycle moments side by
side would count the same information several times. With ``holdout="last"`` (the pooled
moments include cycle K) it uses the per-cycle moments of cycles 1..K-1 instead, and the
posterior's simulations predict cycle K's (:func:`backtest`).

Phase 1 measures distance with the observed moments' formula variances, the moments taken
as independent (:func:`simlib.calibration.distance.distances`). Phase 2 weighs its draws by
a Gaussian synthetic likelihood with the moments' covariance (Wood 2010,
:func:`simlib.calibration.distance.mahalanobis`): ``Sigma_sim``, the covariance of one
organization's moments, is estimated from :data:`COVARIANCE_REPS` replications at the
search's best fit with Ledoit & Wolf (2004) shrinkage of its correlations; the observed
organization has the simulated one's size, so its moments' sampling covariance is about
``Sigma_sim``, and a draw's mean over ``R`` replications adds ``Sigma_sim / R``:
``Sigma_total = Sigma_sim (1 + 1/R)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simlib.calibration import posterior as post
from simlib.calibration import simulated
from simlib.calibration.assumptions import INTERCEPT, Assumption, split_identified
from simlib.calibration.distance import distances, mahalanobis, moment_covariance
from simlib.calibration.grades import status_quo_grades
from simlib.calibration.observed import key, reported_only, sampling_variance
from simlib.calibration.simulated import MomentsFunction, simulate_moments
from simlib.errors import ScenarioError
from simlib.i18n import _
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario

BATCH = 4
DEFAULT_TRIALS = 60
DEFAULT_PARTICLES = 360
DEFAULT_REPS = 8
COVARIANCE_REPS = 40
"""Replications at the best fit from which the moments' covariance is estimated."""


@dataclass
class Calibration:
    """What a calibration found (read by the outputs and the report)."""

    scenario: Scenario  # calibrated: posterior medians, status quo grade shares, realised quit rate
    identified: list[Assumption]
    unidentified: list[Assumption]
    observed: pd.DataFrame  # moment, cycle, value, n, key, variance, used
    keys: list[str]  # columns of the simulated arrays
    best: dict[str, float]  # the calibrated values: the posterior's weighted medians
    best_distance: float  # of the search's best trial
    trials: pd.DataFrame  # one row per phase-1 trial: paths + distance
    best_sims: np.ndarray  # (reps, keys) at the calibrated values
    particles: pd.DataFrame  # paths + neutral_quit_rate + distance + weight
    particle_sims: np.ndarray  # (particles, reps, keys)
    ess: float
    covariance: np.ndarray  # Sigma_sim of the used moments (one organization's)
    shrinkage: float  # Ledoit-Wolf intensity applied to its correlations
    bandwidth: float  # of the posterior's kernel (1: the synthetic likelihood itself)
    realised_quit_rate: float
    seed: int
    reps: int
    holdout: str | None = None
    search_best: dict[str, float] = field(default_factory=dict)  # phase 1's best trial
    notes: list[str] = field(default_factory=list)

    def point(self, path: str) -> float:
        """The calibrated value of an assumption as the scenario states it (the quit rate the status
        quo realises, not the hazard's intercept)."""
        return self.realised_quit_rate if path == INTERCEPT else self.best[path]

    def interval(self, path: str, level: float = 0.90) -> tuple[float, float]:
        """The posterior interval of an assumption (weighted quantiles)."""
        tail = (1.0 - level) / 2.0
        low, high = post.weighted_quantile(
            self.particles[path].to_numpy(float),
            self.particles["weight"].to_numpy(float),
            [tail, 1.0 - tail],
        )
        return float(low), float(high)


def prepare_observed(observed: pd.DataFrame, holdout: str | None) -> pd.DataFrame:
    """Key, sampling variance and whether each observed moment enters the distance."""
    frame = observed.copy()
    frame["key"] = [key(m, c) for m, c in zip(frame["moment"], frame["cycle"], strict=True)]
    frame["variance"] = [
        sampling_variance(m, v, n)
        for m, v, n in zip(frame["moment"], frame["value"], frame["n"], strict=True)
    ]
    # raises carry no spread in observed.csv: their interval is the replications' alone
    frame.loc[reported_only(frame["moment"]), "variance"] = 0.0
    per_cycle = frame["cycle"].notna()
    usable = (
        ~reported_only(frame["moment"])
        & ~frame["moment"].str.startswith("grade_share:")
        & (frame["n"] >= 2)
    )
    if holdout == "last":
        cycles = frame.loc[per_cycle, "cycle"]
        if cycles.empty or int(cycles.max()) < 2:
            raise ScenarioError(_("--holdout last needs observed moments of at least two cycles"))
        last = int(cycles.max())
        frame["used"] = usable & per_cycle & (frame["cycle"] < last)
    elif (~per_cycle & usable).any():
        frame["used"] = usable & ~per_cycle
    else:
        frame["used"] = usable
    if not frame["used"].any():
        raise ScenarioError(_("the observed moments leave nothing to fit"))
    return frame.reset_index(drop=True)


def calibrate(
    scenario: Scenario,
    observed: pd.DataFrame,
    *,
    trials: int = DEFAULT_TRIALS,
    particles: int = DEFAULT_PARTICLES,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    holdout: str | None = None,
    executor: Executor | None = None,
    moments: MomentsFunction | None = None,
    progress: Callable[[int], Any] | None = None,
) -> Calibration:
    """Fit the identified assumptions of ``scenario``'s status quo to ``observed``.

    Parameters
    ----------
    scenario
        The imported organization (its baseline policy is the status quo).
    observed
        Observed moments (columns moment, value, n, cycle), as
        :func:`simlib.calibration.observed.read_observed` returns them.
    trials, particles, reps
        Phase-1 trials, phase-2 draws, and replications per trial or draw.
    seed
        Seeds the search, the draws and the simulations.
    holdout
        ``"last"``: fit without the last cycle (see :func:`backtest`).
    moments
        The model's moments at given values (default: the status quo recorded as an HR
        export, in the snapshot shape when ``observed`` came from one; looked up when
        called); tests pass a cheap stand-in.
    progress
        Called with the number of simulations just finished.
    """
    if trials < 1 or particles < 1 or reps < 1:
        raise ScenarioError(_("--trials, particles and --reps must be at least 1"))
    import optuna

    if moments is None:
        snapshot = observed.attrs.get("shape") == "snapshot"
        moments = simulated.snapshot_moments if snapshot else simulated.panel_moments
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    frame = prepare_observed(observed, holdout)
    scenario, _runs = status_quo_grades(scenario, frame, moments, seed, reps, executor)
    if progress is not None and _runs:
        progress(_runs)
    used = frame[frame["used"]]
    identified, unidentified = split_identified(scenario, used["moment"])
    if not identified:
        raise ScenarioError(_("the observed moments identify no assumption to fit"))
    keys = list(frame["key"])
    pooled_quits = "voluntary_attrition"
    if pooled_quits not in keys:
        keys.append(pooled_quits)
    cols = np.array([keys.index(k) for k in used["key"]])
    obs = used["value"].to_numpy(float)
    var = used["variance"].to_numpy(float)
    tick = (lambda: progress(1)) if progress is not None else None

    def run(thetas: list[dict[str, float]]) -> np.ndarray:
        return simulate_moments(
            scenario, thetas, keys, seed, reps, moments=moments, executor=executor, on_done=tick
        )

    from optuna.distributions import BaseDistribution, FloatDistribution

    space: dict[str, BaseDistribution] = {
        a.path: FloatDistribution(a.low, a.high) for a in identified
    }
    sampler = optuna.samplers.TPESampler(
        seed=seed, multivariate=True, n_startup_trials=max(BATCH, min(12, trials // 3))
    )
    study = optuna.create_study(direction="minimize", sampler=sampler)
    rows: list[dict[str, float]] = []
    while len(rows) < trials:
        asked = [study.ask(space) for _i in range(min(BATCH, trials - len(rows)))]
        thetas = [{p: float(t.params[p]) for p in space} for t in asked]
        sims = run(thetas)
        found = distances(sims[:, :, cols], obs, var)
        for t, theta, d in zip(asked, thetas, found, strict=True):
            study.tell(t, float(d))
            rows.append({**theta, "distance": float(d)})
    table = pd.DataFrame(rows)
    at = int(table["distance"].idxmin())
    best = {a.path: float(table.at[at, a.path]) for a in identified}

    scenario, runs = status_quo_grades(scenario, frame, moments, seed, reps, executor, values=best)
    if progress is not None and runs:
        progress(runs)
    # The moments' covariance, from many replications at the best fit (Wood 2010).
    cov_sims = simulate_moments(
        scenario,
        [best],
        keys,
        seed,
        max(reps, COVARIANCE_REPS),
        moments=moments,
        executor=executor,
        on_done=tick,
    )[0]
    sigma, shrinkage = moment_covariance(cov_sims[:, cols], var)
    proposal = post.proposal(identified, best, table)
    rng = np.random.default_rng([seed, 2])
    stages = max(1, min(post.STAGES, particles // post.MIN_STAGE_DRAWS))
    counts = [particles // stages + (1 if s < particles % stages else 0) for s in range(stages)]
    proposals: list[post.Proposal] = []
    points = np.empty((0, len(identified)))
    psims = np.empty((0, reps, len(keys)))
    pdist = np.empty(0)
    for stage, count in enumerate(counts):
        proposals.append(proposal)
        more = proposal.draw(count, rng)
        more_sims = run(_thetas(identified, more))
        points = np.vstack([points, more])
        psims = np.concatenate([psims, more_sims])
        pdist = np.concatenate([pdist, mahalanobis(more_sims[:, :, cols], obs, sigma)])
        log_q = post.mixture_log_density(proposals, counts[: stage + 1], points)
        h = post.bandwidth(pdist, log_q)
        weights = post.weights(pdist, log_q, h)
        proposal = post.refined(proposals[0], points, weights)
    quit_col = keys.index(pooled_quits)
    with np.errstate(invalid="ignore"):
        realised = np.nanmean(psims[:, :, quit_col], axis=1)
    particle_frame = pd.DataFrame(points, columns=[a.path for a in identified])
    if INTERCEPT in particle_frame:
        particle_frame.insert(0, "neutral_quit_rate", particle_frame[INTERCEPT])
        particle_frame[INTERCEPT] = realised
    particle_frame["distance"] = pdist
    particle_frame["weight"] = weights

    # The calibrated values: the posterior's weighted medians (the search's minimum is one
    # noisy draw and may lie outside the posterior's interval); simulated once more there.
    search_best = best
    best = {
        a.path: float(post.weighted_quantile(points[:, j], weights, [0.5])[0])
        for j, a in enumerate(identified)
    }
    best_sims = run([best])[0]
    realised_best = float(np.nanmean(best_sims[:, quit_col]))
    calibrated = best_scenario(scenario, best, realised_best)
    return Calibration(
        scenario=calibrated,
        identified=identified,
        unidentified=unidentified,
        observed=frame,
        keys=keys,
        best=best,
        search_best=search_best,
        best_distance=float(table.at[at, "distance"]),
        trials=table,
        best_sims=best_sims,
        particles=particle_frame,
        particle_sims=psims,
        ess=post.effective_sample_size(weights),
        covariance=sigma,
        shrinkage=shrinkage,
        bandwidth=h,
        realised_quit_rate=realised_best,
        seed=seed,
        reps=reps,
        holdout=holdout,
    )


def _thetas(assumptions: list[Assumption], points: np.ndarray) -> list[dict[str, float]]:
    return [{a.path: float(row[j]) for j, a in enumerate(assumptions)} for row in points]


def best_scenario(scenario: Scenario, best: dict[str, float], realised: float) -> Scenario:
    """The scenario at the calibrated values; the quit rate is the one the status quo realised there
    (the engine's anchor solves the intercept back from it)."""
    overrides: dict[str, Any] = {p: round(v, 4) for p, v in best.items() if p != INTERCEPT}
    if INTERCEPT in best and math.isfinite(realised):
        overrides[INTERCEPT] = round(realised, 4)
    return load_scenario(scenario, overrides=overrides)


def fit_table(cal: Calibration) -> pd.DataFrame:
    """``moment, cycle, observed, simulated, lower, upper, within, used``: the simulated
    moment at the calibrated values, its 95% interval over replications (mean +- 1.96 SD of single
    replications, each a stand-in for one organization's data)."""
    obs = cal.observed
    idx = [cal.keys.index(k) for k in obs["key"]]
    sims = cal.best_sims[:, idx]
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(sims, axis=0)
        sd = np.nanstd(sims, axis=0, ddof=1) if sims.shape[0] > 1 else np.zeros(len(idx))
    spread = 1.96 * np.sqrt(np.nan_to_num(sd) ** 2 + obs["variance"].to_numpy(float))
    lower, upper = mean - spread, mean + spread
    value = obs["value"].to_numpy(float)
    return pd.DataFrame(
        {
            "moment": obs["moment"],
            "cycle": obs["cycle"],
            "observed": value,
            "simulated": mean,
            "lower": lower,
            "upper": upper,
            "within": (value >= lower) & (value <= upper),
            "used": obs["used"],
        }
    )


def backtest(cal: Calibration) -> pd.DataFrame:
    """Cycle K's moments predicted by the posterior (fit on cycles < K).

    ``predicted`` is the posterior-weighted mean of the simulated moment, ``lower``/``upper``
    its 90% predictive interval (weighted quantiles over draws and replications, so both
    the assumptions' uncertainty and one organization's luck are in it); ``naive`` carries
    cycle K-1's observed value forward.
    """
    obs = cal.observed
    per = obs[obs["cycle"].notna()]
    last = int(per["cycle"].max())
    target = per[per["cycle"] == last]
    before = {
        m: v
        for m, v in zip(
            per.loc[per["cycle"] == last - 1, "moment"],
            per.loc[per["cycle"] == last - 1, "value"],
            strict=True,
        )
    }
    w = cal.particles["weight"].to_numpy(float)
    rows = []
    for m, v, k in zip(target["moment"], target["value"], target["key"], strict=True):
        values = cal.particle_sims[:, :, cal.keys.index(k)]
        ok = ~np.isnan(values)
        if not ok.any():
            continue
        flat_w = np.repeat(w[:, None], values.shape[1], axis=1)[ok]
        flat = values[ok]
        predicted = float(np.sum(flat * flat_w) / flat_w.sum())
        lower, upper = post.weighted_quantile(flat, flat_w, [0.05, 0.95])
        rows.append(
            {
                "moment": m,
                "observed": float(v),
                "predicted": predicted,
                "lower": float(lower),
                "upper": float(upper),
                "naive": before.get(m, np.nan),
                "within": bool(lower <= v <= upper),
            }
        )
    return pd.DataFrame(
        rows, columns=["moment", "observed", "predicted", "lower", "upper", "naive", "within"]
    )
