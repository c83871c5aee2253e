"""Fairness by group: the rates at which each demographic group meets a decision, and
adverse impact by the four-fifths rule.

The US Uniform Guidelines on Employee Selection Procedures treat a group's selection rate
below four-fifths of the highest group's as evidence of adverse impact (29 CFR 1607.4(D)),
for promotion, retention and other employment decisions as well as hiring (1607.2(B)).
Four decisions are audited at each review, among the people it rated:

* ``top_grades``: given one of the top grades (the best grades that together hold at most
  20% of the rated, or the best alone; :func:`simlib.mechanisms.grading.top_grades`);
* ``promotions``: promoted;
* ``pips``: put on a performance improvement plan by the policy's exit rule;
* ``exits``: made to leave by the policy's exit rule, at once or after failing a PIP.

For the favourable decisions (top grades, promotions) the impact ratio of a group is its
rate over the highest group's rate. For the adverse ones (PIPs, exits) it is the lowest
group's rate of the adverse decision over the group's own, the form used to audit
dismissals (the Guidelines' text speaks of selection rates). Either way the worst ratio is
the lowest rate over the highest, and a ratio below 0.8 is flagged.

:func:`adverse_impact_table` pools the counts of every review and replication of a
comparison, adds Fisher's exact test of each group against the reference group (the most
favoured) and the shortfall: how many more people of the group would have been selected
(or spared) at the reference group's rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact

FOUR_FIFTHS = 0.8  # 29 CFR 1607.4(D)
OUTCOMES: dict[str, bool] = {  # decision -> favourable
    "top_grades": True,
    "promotions": True,
    "pips": False,
    "exits": False,
}
RATE_PREFIX = "selection_rate"  # metric family: selection_rate:<outcome>/<group>
RATED_PREFIX = "rated_in_group"  # metric family: rated_in_group:<group>


def impact_ratio(rates: np.ndarray, favourable: bool) -> np.ndarray | None:
    """Each group's impact ratio (1 = the most favoured group), or None if nobody was
    selected in any group (nothing to compare)."""
    top = float(np.max(rates)) if len(rates) else 0.0
    if top <= 0:
        return None
    if favourable:
        return rates / top
    low = float(np.min(rates))
    with np.errstate(divide="ignore"):
        return np.where(rates > 0, low / np.where(rates > 0, rates, 1.0), 1.0)


def worst_ratio(rates: np.ndarray) -> float | None:
    """The lowest impact ratio among groups: lowest rate over highest (None if all 0)."""
    if len(rates) < 2:
        return None
    top = float(np.max(rates))
    return None if top <= 0 else float(np.min(rates)) / top


def member(outcome: str, group: str) -> str:
    return f"{outcome}/{group}"


def adverse_impact_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Adverse impact by policy, decision and group, pooled over reviews and replications.

    Parameters
    ----------
    frame
        Tidy records ``policy, rep, week, metric, value`` (a Results frame) holding the
        ``selection_rate:<outcome>/<group>`` and ``rated_in_group:<group>`` families.

    Returns
    -------
    One row per policy, decision and group: ``rated`` (people-reviews), ``selected``,
    ``rate``, ``impact_ratio``, ``four_fifths_flag`` (ratio below 0.8), ``p_value``
    (Fisher's exact test, two-sided, of the group against the reference group; NaN for the
    reference itself) and ``shortfall`` (people the group lacks, or has in excess for an
    adverse decision, against the reference group's rate; 0 for the reference).
    """
    columns = [
        "policy",
        "outcome",
        "group",
        "rated",
        "selected",
        "rate",
        "impact_ratio",
        "four_fifths_flag",
        "p_value",
        "shortfall",
    ]
    rated = frame[frame["metric"].str.startswith(RATED_PREFIX + ":")]
    rates = frame[frame["metric"].str.startswith(RATE_PREFIX + ":")]
    if rated.empty or rates.empty:
        return pd.DataFrame(columns=columns)
    rated = rated.assign(group=rated["metric"].str.partition(":")[2])
    member_names = rates["metric"].str.partition(":")[2].str.partition("/")
    rates = rates.assign(outcome=member_names[0], group=member_names[2])
    keys = ["policy", "rep", "week", "group"]
    joined = rates.merge(rated[[*keys, "value"]], on=keys, suffixes=("", "_rated"))
    joined["selected"] = np.rint(joined["value"] * joined["value_rated"])
    pooled = joined.groupby(["policy", "outcome", "group"], sort=False)[
        ["value_rated", "selected"]
    ].sum()
    rows = []
    for (policy, outcome), table in pooled.groupby(level=["policy", "outcome"], sort=False):
        groups = table.index.get_level_values("group").tolist()
        n = table["value_rated"].to_numpy(dtype=float)
        k = table["selected"].to_numpy(dtype=float)
        rate = np.divide(k, n, out=np.zeros_like(k), where=n > 0)
        favourable = OUTCOMES.get(outcome, True)
        ratios = impact_ratio(rate, favourable)
        ref = int(np.argmax(rate) if favourable else np.argmin(rate))
        for i, group in enumerate(groups):
            if i == ref or ratios is None:
                p_value = np.nan
            else:
                table_2x2 = [[k[i], n[i] - k[i]], [k[ref], n[ref] - k[ref]]]
                p_value = float(fisher_exact(table_2x2)[1])
            gap = rate[ref] * n[i] - k[i]
            rows.append(
                {
                    "policy": policy,
                    "outcome": outcome,
                    "group": group,
                    "rated": int(n[i]),
                    "selected": int(k[i]),
                    "rate": float(rate[i]),
                    "impact_ratio": np.nan if ratios is None else float(ratios[i]),
                    "four_fifths_flag": bool(ratios is not None and ratios[i] < FOUR_FIFTHS),
                    "p_value": p_value,
                    "shortfall": float(gap if favourable else -gap),
                }
            )
    return pd.DataFrame(rows, columns=columns)
