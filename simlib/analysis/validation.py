"""Checks of the model's raters against published rating research, by running them.

:func:`rating_variance` rebuilds the design of Scullen, Mount & Goff (2000): every ratee is
rated by two supervisors, two peers, two subordinates and themself on three performance
dimensions. The ratings are produced by the model's own rater functions
(:mod:`simlib.mechanisms.raters`) with the scenario's rater parameters, and the variance of the
ratings is then split by moments, as a random-effects analysis of that design would:

- ``ratee``: covariance of ratings of the same ratee by raters of different perspectives
  (the part every rater sees: true performance);
- ``perspective``: the extra covariance of two raters of the same perspective;
- ``idiosyncratic``: the extra covariance of one rater's ratings of the same ratee across
  dimensions (the rater's own general impression and leniency);
- ``error``: what is left, specific to one rating of one dimension.

Published values: ratee 21–25%, idiosyncratic 53–62%, error 11–18% of rating variance
(Scullen, Mount & Goff 2000); inter-rater reliability of one supervisor's overall rating
≈ .52 and of one peer's ≈ .42 (Viswesvaran, Ones & Schmidt 1996); self-ratings correlate
≈ .22–.35 with supervisors' and run about .3–.5 SD higher (Harris & Schaubroeck 1988).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simlib.mechanisms.rater_judgement import impression_scale, judge
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario
from simlib.scenario.rater_behaviour import RaterBehaviour
from simlib.state.streams import stream

SOURCES = ("supervisor", "supervisor", "peer", "peer", "subordinate", "subordinate", "self")
DIMENSIONS = 3


def _rater_behaviour(
    scenario: Scenario | RaterBehaviour | str | Path | dict | None,
) -> RaterBehaviour:
    if scenario is None:
        return RaterBehaviour()
    if isinstance(scenario, RaterBehaviour):
        return scenario
    return load_scenario(scenario).behaviour.raters


def simulate_design(
    beh: RaterBehaviour, ratees: int, rng: np.random.Generator, data_capture: str = "self_reported"
) -> np.ndarray:
    """Ratings ``x[ratee, rater, dimension]`` of the Scullen, Mount & Goff (2000) design.

    Raters are the model's: a supervisor sees performance records with the measurement
    noise of ``data_capture`` (shared by both supervisors, who read the same records), peers
    and subordinates share a view of their own perspective, the self is lenient and
    self-distorted. Everyone adds leniency, an idiosyncratic impression of the ratee that
    holds across dimensions, compression, and a random error per dimension. The ratings are
    collected for research, so no pay-decision leniency; true performance is steady over
    the period, so recency has nothing to act on; one rating occasion, so no halo; one
    demographic group, so no similar-to-me bias.
    """
    n = ratees
    true = rng.standard_normal(n)
    x = np.empty((n, len(SOURCES), DIMENSIONS))
    m_sd = beh.measurement_noise_sd(data_capture)
    records = m_sd * rng.standard_normal(n)
    views = {
        "peer": beh.peer_perspective_sd * rng.standard_normal(n),
        "subordinate": beh.subordinate_perspective_sd * rng.standard_normal(n),
    }
    for j, source in enumerate(SOURCES):
        errors = beh.error_sd * rng.standard_normal((n, DIMENSIONS))
        if source == "self":
            distortion = beh.self_distortion_sd * rng.standard_normal(n)
            scale = float(
                np.sqrt(1.0 + beh.self_distortion_sd**2 + beh.error_sd**2 / beh.dimensions)
            )
            impression = (true + distortion)[:, None] + errors
            x[:, j, :] = judge(impression, scale, beh.self_leniency, beh.compression)
            continue
        leniency = beh.leniency_sd * rng.standard_normal(n)
        own = beh.idiosyncratic_sd * rng.standard_normal(n)
        if source == "supervisor":
            shared, scale = records, impression_scale(beh, m_sd)
        else:
            sd = beh.peer_perspective_sd if source == "peer" else beh.subordinate_perspective_sd
            shared, scale = views[source], impression_scale(beh, 0.0, sd)
        impression = (true + shared + own)[:, None] + errors
        x[:, j, :] = judge(impression, scale, leniency[:, None], beh.compression)
    return x


def _cov(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean((a - a.mean()) * (b - b.mean())))


def variance_components(x: np.ndarray) -> dict[str, float]:
    """Split rating variance of the design into ratee, perspective, idiosyncratic, error.

    Moment estimates from ``x[ratee, rater, dimension]`` with raters labelled by
    :data:`SOURCES`; shares of the total variance of single ratings, pooled over raters.
    """
    n_raters, n_dims = x.shape[1], x.shape[2]
    sources = np.array(SOURCES)
    dims = range(n_dims)
    cross = [
        _cov(x[:, a, d], x[:, b, e])
        for a in range(n_raters)
        for b in range(n_raters)
        if sources[a] != sources[b]
        for d in dims
        for e in dims
    ]
    ratee = float(np.mean(cross))
    totals = {"ratee": 0.0, "perspective": 0.0, "idiosyncratic": 0.0, "error": 0.0}
    total_var = 0.0
    for a in range(n_raters):
        var = float(np.mean([np.var(x[:, a, d]) for d in dims]))
        same_rater = float(
            np.mean([_cov(x[:, a, d], x[:, a, e]) for d in dims for e in dims if d != e])
        )
        peers = [b for b in range(n_raters) if b != a and sources[b] == sources[a]]
        if peers:
            same_view = float(
                np.mean([_cov(x[:, a, d], x[:, b, e]) for b in peers for d in dims for e in dims])
            )
        else:
            same_view = ratee
        total_var += var
        totals["ratee"] += ratee
        totals["perspective"] += same_view - ratee
        totals["idiosyncratic"] += same_rater - same_view
        totals["error"] += var - same_rater
    return {k: v / total_var for k, v in totals.items()}


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def rating_variance(
    scenario: Scenario | RaterBehaviour | str | Path | dict | None = None,
    seed: int = 0,
    ratees: int = 20_000,
) -> dict[str, Any]:
    """Simulate the Scullen, Mount & Goff (2000) design with the model's raters.

    Parameters
    ----------
    scenario
        A scenario (object, YAML path or mapping) whose ``behaviour.raters`` to use, or
        those rater settings themselves; default: the rater defaults.
    seed
        Seed of the design's random stream.
    ratees
        Ratees simulated (each rated by seven raters on three dimensions).

    Returns
    -------
    dict
        ``ratee``, ``idiosyncratic``, ``perspective``, ``error``: shares of rating variance
        (sum 1); ``supervisor_interrater_r`` and ``peer_interrater_r``: correlation of two
        raters' overall ratings (mean over dimensions) of the same ratee;
        ``self_supervisor_r``: correlation of self and supervisor overall ratings;
        ``self_leniency_d``: mean self minus mean supervisor rating over their pooled SD.
    """
    beh = _rater_behaviour(scenario)
    x = simulate_design(beh, ratees, stream(seed, 0, "rating_variance"))
    out: dict[str, Any] = variance_components(x)
    overall = x.mean(axis=2)
    sup, peer, own = overall[:, 0:2], overall[:, 2:4], overall[:, 6]
    out["supervisor_interrater_r"] = _corr(sup[:, 0], sup[:, 1])
    out["peer_interrater_r"] = _corr(peer[:, 0], peer[:, 1])
    out["self_supervisor_r"] = float(np.mean([_corr(own, sup[:, k]) for k in range(2)]))
    pooled = np.sqrt(0.5 * (own.var(ddof=1) + sup.ravel().var(ddof=1)))
    out["self_leniency_d"] = float((own.mean() - sup.mean()) / pooled)
    return out
