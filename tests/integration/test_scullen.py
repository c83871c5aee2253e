"""Scullen, Bergey & Aiman-Smith (2005) by running the model, not by writing numbers down."""

from __future__ import annotations

import simlib


def gains(reps: int = 40, **overrides):
    r = simlib.compare("scenarios/scullen2005.yaml", reps=reps, seed=1, overrides=overrides)
    f = r.frame[r.frame.metric == "workforce_potential"]
    wide = f.pivot_table(index=["rep", "week"], columns="policy", values="value")
    w0 = wide.xs(0.0, level="week")
    by_year = {}
    for year in (1, 5, 10, 30):
        at = wide.xs(52.0 * year, level="week")
        by_year[year] = {p: float((at[p] - w0[p]).mean()) for p in wide.columns}
    return by_year


def test_forced_distribution_raises_potential_front_loaded_and_no_firing_is_flat():
    g = gains()
    fd = {y: g[y]["forced_distribution"] for y in g}
    nf = {y: g[y]["no_firing"] for y in g}
    assert fd[1] > 0.05 and fd[5] > fd[1] and fd[30] > fd[10]
    assert fd[5] / fd[30] > 0.5  # most of the gain comes in the first years
    for year in nf:
        assert abs(nf[year]) < 0.05  # the hiring system alone keeps potential steady


def test_more_firing_more_gain_more_turnover_less_gain():
    base = gains(reps=20)[10]["forced_distribution"]
    more_firing = gains(
        reps=20,
        **{
            "policies.forced_distribution.rating.bottom_cut": 0.2,
            "policies.no_firing.rating.bottom_cut": 0.2,
        },
    )[10]["forced_distribution"]
    more_turnover = gains(reps=20, **{"behaviour.voluntary_quit_rate": 0.25})[10][
        "forced_distribution"
    ]
    assert more_firing > base + 0.05
    assert more_turnover < base - 0.05
