"""Sanity checks of a comparison: results a reader should not take at face value.

* **Understaffed**: a policy's headcount, averaged over replications, falls below 95% of
  the organization's positions at some review. Hiring cannot keep up (too few recruiters
  for the exits the policy makes), and every total it reports is partly an artefact.
* **Advantage from empty positions**: a policy beats the baseline on a total (payroll,
  net value) while it employs fewer people and is no better per person employed.
* **Ranking units too small**: a forced distribution ranks within units in which a grade's
  share is less than one person (a 5% grade in a team of 9), so the rounding, not the
  shares, decides who gets it.

:func:`sanity_warnings` runs them all on a :class:`~simlib.analysis.results.Results`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simlib.analysis.results import Results, mean_ci
from simlib.i18n import _
from simlib.scenario.organization import Organization
from simlib.state.workforce import OrgChart

STAFFED_SHARE = 0.95  # headcount below this share of positions is understaffed
# Totals a policy may look better on only because it leaves positions empty, and whether
# lower is better.
TOTALS: dict[str, bool] = {"payroll": True, "payroll_with_bonuses": True, "net_value": False}


@dataclass(frozen=True)
class SanityWarning:
    """One thing a reader should know before trusting a comparison."""

    check: str  # understaffed | empty_positions | small_ranking_units
    policy: str
    message: str


def understaffed(results: Results, positions: int) -> list[SanityWarning]:
    """Policies whose mean headcount falls below 95% of ``positions`` at some review."""
    f = results.frame[results.frame["metric"] == "headcount"]
    if f.empty or positions <= 0:
        return []
    mean = f.groupby(["policy", "week"])["value"].mean()
    out = []
    for policy in results.policies:
        if policy not in mean.index.get_level_values("policy"):
            continue
        series = mean.loc[policy]
        week = float(series.idxmin())
        share = float(series.min()) / positions
        if share < STAFFED_SHARE:
            out.append(
                SanityWarning(
                    "understaffed",
                    policy,
                    _(
                        "{policy}: headcount falls to {share} of the {positions} positions "
                        "(year {year}); hiring does not keep up, so its totals are partly "
                        "empty positions (more recruiters: hiring.recruiters)"
                    ).format(
                        policy=policy,
                        share=f"{share:.0%}",
                        positions=f"{positions:,}",
                        year=f"{week / 52:g}",
                    ),
                )
            )
    return out


def _paired(wide: pd.DataFrame, policy: str, baseline: str) -> tuple[float, float, float]:
    diff = (wide[policy] - wide[baseline]).dropna().to_numpy(dtype=float)
    return mean_ci(diff)


def empty_position_advantages(results: Results) -> list[SanityWarning]:
    """Policies better than the baseline on a total only because fewer people are employed:
    headcount lower (its 95% interval below zero), the total better (its interval on the
    better side of zero), and the total per person employed not clearly better (its
    interval not wholly on the better side of zero)."""
    h = results.at_horizon()
    wide = h.pivot_table(index="rep", columns=["metric", "policy"], values="value")
    baseline = results.baseline
    if "headcount" not in wide.columns.get_level_values("metric"):
        return []
    heads = wide["headcount"]
    out = []
    for policy in results.policies:
        if policy == baseline or policy not in heads or baseline not in heads:
            continue
        _mean, _low, heads_high = _paired(heads, policy, baseline)
        if not heads_high < 0:
            continue
        for name, lower_better in TOTALS.items():
            if name not in wide.columns.get_level_values("metric"):
                continue
            total = wide[name]
            if policy not in total or baseline not in total:
                continue
            sign = -1.0 if lower_better else 1.0
            _mean, low, high = _paired(sign * total, policy, baseline)
            if not low > 0:
                continue
            per_head = sign * total / heads.replace(0, np.nan)
            _mean, per_head_low, _high = _paired(per_head, policy, baseline)
            if not per_head_low > 0:
                out.append(
                    SanityWarning(
                        "empty_positions",
                        policy,
                        _(
                            "{policy}: its better {name} than {baseline} comes from empty "
                            "positions (fewer people employed, no better per person)"
                        ).format(policy=policy, name=name, baseline=baseline),
                    )
                )
    return out


def small_ranking_units(parameters: dict[str, Any], policies: list[str]) -> list[SanityWarning]:
    """Forced distributions whose typical ranking unit holds less than one person of some
    grade (unit size x the smallest non-zero share below 1).

    ``parameters`` are a scenario's resolved parameters (:meth:`Scenario.to_dict`, or a
    saved comparison's manifest).
    """
    chart = OrgChart.build(Organization.model_validate(parameters["organization"]))
    units = {
        "team": np.bincount(chart.team),
        "department": np.bincount(chart.team_department[chart.team]),
        "organization": np.array([len(chart.team)]),
    }
    out = []
    for policy in policies:
        rating = parameters["policies"][policy]["rating"]
        if rating["scheme"] != "forced_distribution":
            continue
        if rating.get("shares"):
            shares = [float(x) for x in rating["shares"].values() if x > 0]
        else:
            cut = float(rating["bottom_cut"])
            shares = [cut, 1.0 - cut]
        sizes = units[rating["ranking_unit"]]
        typical = float(np.median(sizes[sizes > 0]))
        smallest = min(shares)
        if typical * smallest < 1.0:
            out.append(
                SanityWarning(
                    "small_ranking_units",
                    policy,
                    _(
                        "{policy}: ranks within {unit}s of about {typical} people, where a "
                        "{smallest} grade is {fraction} of a person; the rounding, not the "
                        "shares, decides who gets it (rank within a larger unit: "
                        "rating.ranking_unit)"
                    ).format(
                        policy=policy,
                        unit=rating["ranking_unit"],
                        typical=f"{typical:.0f}",
                        smallest=f"{smallest:.0%}",
                        fraction=f"{typical * smallest:.1f}",
                    ),
                )
            )
    return out


def sanity_warnings(results: Results) -> list[SanityWarning]:
    """Every sanity check of a comparison, from its frame and its manifest's parameters."""
    parameters = results.manifest["parameters"]
    positions = int(parameters["organization"]["headcount"])
    policies = [p for p in results.policies if p in parameters["policies"]]
    return [
        *understaffed(results, positions),
        *empty_position_advantages(results),
        *small_ranking_units(parameters, policies),
    ]
