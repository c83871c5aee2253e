"""The decision-grade report's sections, as HTML a director reads: the answer in words, the
money, fairness by group, the sanity warnings.

Each section reads :class:`~simlib.analysis.results.Results` and the metric catalogue (the
client's names and units) and nothing else. Differences are paired by replication against
the baseline; a difference is called one only when its 95% interval excludes zero, and is
stated with that interval in plain units (:mod:`simlib.present.wording`).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simlib.analysis.results import Results
from simlib.analysis.sanity import TOTALS, sanity_warnings
from simlib.i18n import N_, _
from simlib.metrics import fairness
from simlib.metrics.catalogue import METRIC_DIRECTION
from simlib.metrics.money import NET_VALUE_PARTS, net_value_components, payback_years
from simlib.present import wording

# What a director weighs when the scenario names no metrics (``report.metrics``): value for
# money first, then the workforce, the people's side and the cost in managers' time.
DEFAULT_OBJECTIVES = (
    "net_value",
    "business_value",
    "workforce_potential",
    "voluntary_attrition",
    "regretted_attrition",
    "engagement",
    "perceived_fairness",
    "group_rating_gap",
    "manager_hours",
)
DECISIONS = {
    "top_grades": N_("top grades"),
    "promotions": N_("promotions"),
    "pips": N_("PIPs"),
    "exits": N_("exits by the policy's rule"),
}
# The report's section headings, in the order the report notebook shows them.
SECTIONS = {
    "answer": N_("The answer"),
    "money": N_("Money"),
    "fairness": N_("Fairness"),
    "sanity": N_("Checks before quoting a number"),
    "uncertainty": N_("What we don't know"),
    "charts": N_("Charts"),
    "nine_box": N_("9-box"),
    "appendix": N_("Appendix"),
    "outcomes": N_("A. Every outcome at the horizon"),
    "register": N_("B. Assumptions register"),
    "caveats": N_("C. Caveats"),
    "files": N_("D. Files"),
}
SECTION_NOTES = {
    "nine_box": N_(
        "Performance (latest grade) against potential for the workforce at the horizon of "
        "replication 0. Potential boxes use the same cut points for every policy."
    ),
    "outcomes": N_(
        "Mean over replications [95% confidence interval]. ★ marks a policy only where it "
        "is better than every other policy with a 95% interval of the paired difference "
        "that excludes zero."
    ),
    "register": N_(
        "Every parameter of the scenario as simulated, where its value was set, and what it "
        "means; for each size of how people respond, how sure we are of it (kind: sourced, "
        "calibrated, an assumption with its plausible range, or a definition)."
    ),
}

esc = html.escape


def heading(section: str) -> str:
    """A section's heading (and its note, if any) as HTML, in the language in force; the
    appendix starts a new printed page."""
    level = "h3" if section in ("nine_box", "outcomes", "register", "caveats", "files") else "h2"
    attrs = " class='appendix' id='appendix'" if section == "appendix" else ""
    note = SECTION_NOTES.get(section)
    text = f"<{level}{attrs}>{esc(_(SECTIONS[section]))}</{level}>"
    return text + (f"<p>{esc(_(note))}</p>" if note else "")


def currency(results: Results) -> str:
    """The scenario's currency code (``EUR``), or empty if the manifest does not say."""
    params = results.manifest.get("parameters", {})
    stated = params.get("costs", {}).get("currency")
    return str(stated or params.get("organization", {}).get("salary_bands", {}).get("currency", ""))


def objectives(results: Results, named: list[str] | None = None) -> list[str]:
    """The metrics the report is about: those the scenario names, else the defaults, kept
    to those recorded and with a direction (a better way)."""
    chosen = list(named) if named else list(DEFAULT_OBJECTIVES)
    recorded = set(results.metrics)
    return [m for m in chosen if m in recorded and METRIC_DIRECTION.get(m) is not None]


@dataclass(frozen=True)
class Difference:
    """One policy against the baseline on one metric, paired by replication."""

    policy: str
    metric: str
    mean: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        """The 95% interval excludes zero."""
        return bool(np.isfinite(self.low) and (self.low > 0 or self.high < 0))

    @property
    def better(self) -> bool | None:
        """True if clearly better than the baseline, False if clearly worse, None if not
        clear (or the metric has no better way)."""
        if not self.clear:
            return None
        direction = METRIC_DIRECTION.get(self.metric)
        if direction == "higher":
            return self.mean > 0
        if direction == "lower":
            return self.mean < 0
        return None  # nearest zero: judged on levels, see :func:`_nearer_zero`

    def words(self, money_unit: str) -> str:
        kind = wording.unit_kind(self.metric)
        value, bounds = wording.interval(self.mean, self.low, self.high, kind, money_unit)
        return f"{value} {bounds}".strip()


def differences(results: Results, metrics: list[str]) -> list[Difference]:
    """Every policy's paired difference from the baseline on ``metrics``."""
    paired = results.paired_diff(metrics=metrics)
    return [
        Difference(str(r.policy), str(r.metric), float(r.mean), float(r.ci_low), float(r.ci_high))  # type: ignore[arg-type]
        for r in paired.itertuples(index=False)
    ]


def _nearer_zero(results: Results, d: Difference) -> bool | None:
    """For a metric best at zero (a gap between groups): is the policy clearly nearer zero
    than the baseline (paired difference of absolute values)?"""
    h = results.at_horizon()
    rows = h[h["metric"] == d.metric].pivot_table(index="rep", columns="policy", values="value")
    if d.policy not in rows or results.baseline not in rows:
        return None
    gain = (rows[results.baseline].abs() - rows[d.policy].abs()).dropna().to_numpy(dtype=float)
    from simlib.analysis.results import mean_ci

    mean, low, high = mean_ci(gain)
    if not np.isfinite(low):
        return None
    if low > 0:
        return True
    if high < 0:
        return False
    return None


def verdict(results: Results, d: Difference) -> bool | None:
    """Clearly better (True), clearly worse (False) or no clear difference (None)."""
    if METRIC_DIRECTION.get(d.metric) == "nearest_zero":
        return _nearer_zero(results, d)
    return d.better


# --- the answer in words ----------------------------------------------------------------


def _policy(name: str) -> str:
    return f"<b>{esc(name)}</b>"


def summary_html(results: Results, named: list[str] | None = None) -> str:
    """The first section: the question, the recommendation per objective and each stated
    difference with its 95% interval, in plain units and the client's words."""
    money_unit = currency(results)
    chosen = objectives(results, named)
    base = results.baseline
    others = [p for p in results.policies if p != base]
    params = results.manifest.get("parameters", {})
    question = " ".join(str(params.get("description", "")).split())
    parts = []
    if question:
        lead = _("The question.")
        parts.append(f"<p class='question'><b>{lead}</b> {esc(question)}</p>")
    reps = int(results.manifest.get("reps", 0))
    how_to_read = _(
        "Each policy is compared with {base} on the same simulated people, applicants and "
        "market events ({reps} replications). A difference is stated only where its 95% "
        "interval (in brackets, same units) excludes zero; otherwise the policies are called "
        "alike on that objective."
    ).format(base=_policy(base), reps=reps)
    parts.append(f"<p class='how-to-read'>{how_to_read}</p>")
    if not others:
        parts.append(
            "<p>" + _("Only one policy was simulated: there is nothing to compare.") + "</p>"
        )
        return "<div class='answer'>" + "".join(parts) + "</div>"
    diffs = {(d.policy, d.metric): d for d in differences(results, chosen)}
    separator = _("; ")
    rows = []
    for metric in chosen:
        found = [diffs[(p, metric)] for p in others if (p, metric) in diffs]
        better = [d for d in found if verdict(results, d) is True]
        if better:
            best = _best_of(better)
            rec = f"{_policy(best.policy)}: {esc(best.words(money_unit))}"
        else:
            rec = _("keep {base}: no policy does clearly better").format(base=_policy(base))
        notes = []
        for d in found:
            if better and d is _best_of(better):
                continue
            v = verdict(results, d)
            if v is None:
                notes.append(_("{policy} alike").format(policy=esc(d.policy)))
            else:
                said = (
                    _("{policy} better: {difference}") if v else _("{policy} worse: {difference}")
                )
                notes.append(said.format(policy=esc(d.policy), difference=esc(d.words(money_unit))))
        unit = wording.unit_kind(metric)
        rows.append(
            "<tr>"
            f"<th>{esc(wording.label(metric))}"
            f"<div class='unit'>{esc(_unit_words(metric, unit, money_unit))}</div></th>"
            f"<td>{rec}</td>"
            f"<td class='others'>{separator.join(notes) if notes else ''}</td>"
            "</tr>"
        )
    parts.append(_in_short(results, chosen, diffs, money_unit))
    parts.append(
        "<table class='answer-table'><thead><tr><th>"
        + _("Objective")
        + "</th><th>"
        + _("Recommendation (difference from {base} [95% interval])").format(base=esc(base))
        + "</th><th>"
        + _("The other policies")
        + "</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    parts.append(_trade_offs(results, money_unit))
    return "<div class='answer'>" + "".join(parts) + "</div>"


def _in_short(
    results: Results,
    chosen: list[str],
    diffs: dict[tuple[str, str], Difference],
    money_unit: str,
) -> str:
    """One sentence on the first objective: the policy that does clearly best, by how much,
    and at what cost on the other objectives (where it is clearly worse)."""
    if not chosen:
        return ""
    base, first = results.baseline, chosen[0]
    name = esc(wording.in_sentence(wording.label(first)))
    found = [d for (p, m), d in diffs.items() if m == first and verdict(results, d) is True]
    if not found:
        said = _("on {metric}, no policy does clearly better than {base}.")
        return (
            "<p class='in-short'><b>"
            + _("In short:")
            + "</b> "
            + said.format(metric=name, base=esc(base))
            + "</p>"
        )
    best = _best_of(found)
    costs = [
        f"{esc(wording.in_sentence(wording.label(m)))} {esc(d.words(money_unit))}"
        for m in chosen[1:]
        if (d := diffs.get((best.policy, m))) is not None and verdict(results, d) is False
    ]
    tail = (
        _(", at a cost in {costs}").format(costs=_("; ").join(costs))
        if costs
        else _(", at no clear cost on the other objectives")
    )
    said = _("on {metric}, {policy} does best: {difference} against {base}{tail}.")
    return (
        "<p class='in-short'><b>"
        + _("In short:")
        + "</b> "
        + said.format(
            metric=name,
            policy=_policy(best.policy),
            difference=esc(best.words(money_unit)),
            base=esc(base),
            tail=tail,
        )
        + "</p>"
    )


def _best_of(found: list[Difference]) -> Difference:
    direction = METRIC_DIRECTION.get(found[0].metric)
    if direction == "lower":
        return min(found, key=lambda d: d.mean)
    if direction == "nearest_zero":
        return min(found, key=lambda d: abs(d.mean))
    return max(found, key=lambda d: d.mean)


def _unit_words(metric: str, kind: str, money_unit: str) -> str:
    from simlib.metrics.catalogue import metric as entry

    found = entry(metric)
    unit = _(found.unit) if found is not None else ""
    if kind == "money":
        return unit.replace(_("currency"), money_unit or _("currency"))
    if kind == "share":
        return unit + _("; differences in percentage points")
    return unit


# Shown in their own sections (money, fairness), so not repeated among the trade-offs.
_OWN_SECTION = (*NET_VALUE_PARTS, "net_value", "net_value_per_head", "replacement_cost")


def _traded(name: str) -> bool:
    return (
        METRIC_DIRECTION.get(name) is not None
        and ":" not in name
        and name not in _OWN_SECTION
        and not name.startswith("adverse_impact_")
    )


def _trade_offs(results: Results, money_unit: str) -> str:
    """Per policy, in one sentence: where it is clearly better and clearly worse than the
    baseline on every outcome with a better way, beyond money and fairness (which have
    their own sections)."""
    base = results.baseline
    rated = [m for m in results.metrics if _traded(m)]
    diffs = differences(results, rated)
    lines = []
    for policy in [p for p in results.policies if p != base]:
        own = [d for d in diffs if d.policy == policy]
        gains = [d for d in own if verdict(results, d) is True]
        losses = [d for d in own if verdict(results, d) is False]

        def listed(ds: list[Difference]) -> str:
            return _("; ").join(
                f"{esc(wording.in_sentence(wording.label(d.metric)))} {esc(d.words(money_unit))}"
                for d in ds
            )

        text = _("{policy} against {base}: ").format(policy=_policy(policy), base=esc(base))
        text += (
            _("better on {gains}").format(gains=listed(gains)) if gains else _("better on nothing")
        )
        text += (
            _("; worse on {losses}.").format(losses=listed(losses))
            if losses
            else _("; worse on nothing.")
        )
        lines.append(f"<li>{text}</li>")
    return (
        "<p>"
        + _(
            "<b>Trade-offs</b> on every other outcome (money and fairness follow in their "
            "own sections):"
        )
        + "</p><ul class='trade-offs'>"
        + "".join(lines)
        + "</ul>"
    )


# --- money --------------------------------------------------------------------------------


def _rounded_to_add_up(values: list[float], total: float) -> tuple[list[int], int]:
    """Parts and their total rounded to whole units so that the shown parts add up to the
    shown total (the largest rounding residual takes the difference)."""
    shown_total = int(round(total))
    shown = [int(round(v)) for v in values]
    gap = shown_total - sum(shown)
    order = np.argsort([-(abs(v - round(v))) for v in values])
    for i in order[: abs(gap)]:
        shown[int(i)] += int(np.sign(gap))
    return shown, shown_total


def money_table(results: Results) -> pd.DataFrame:
    """Net value against the baseline and its parts, per policy, in thousands of the currency
    per year at the horizon: one row per part and the net value, as it enters the sum (costs
    saved count positive), rounded so the parts shown add up to the net value shown, with
    the 95% interval of each; and the payback period.

    Columns: ``policy, part, label, contribution_k, low_k, high_k``; the payback row has
    ``part == "payback"`` and its years in ``contribution_k`` (NaN: not within the horizon).
    """
    parts = net_value_components(results.paired_diff())
    rows = []
    for policy, table in parts.groupby("policy", sort=False):
        t = table.set_index("part")
        if "net_value" not in t.index:
            continue
        names = [p for p in NET_VALUE_PARTS if p in t.index]
        contrib = [float(t.loc[p, "contribution"]) / 1e3 for p in names]
        shown, total = _rounded_to_add_up(contrib, float(t.loc["net_value", "contribution"]) / 1e3)
        for name, value in zip([*names, "net_value"], [*shown, total], strict=True):
            sign = float(t.loc[name, "sign"])
            lo, hi = sign * float(t.loc[name, "ci_low"]), sign * float(t.loc[name, "ci_high"])
            rows.append(
                {
                    "policy": policy,
                    "part": name,
                    "label": wording.label(name),
                    "contribution_k": float(value),
                    "low_k": min(lo, hi) / 1e3,
                    "high_k": max(lo, hi) / 1e3,
                }
            )
        years = payback_years(results.frame, str(policy), results.baseline)
        rows.append(
            {
                "policy": policy,
                "part": "payback",
                "label": _("Payback"),
                "contribution_k": np.nan if years is None else years,
                "low_k": np.nan,
                "high_k": np.nan,
            }
        )
    return pd.DataFrame(
        rows, columns=["policy", "part", "label", "contribution_k", "low_k", "high_k"]
    )


def money_html(results: Results) -> str:
    """The money section: net value against the baseline and its parts, the payback period,
    and each policy's net value per year."""
    table = money_table(results)
    unit = currency(results)
    if table.empty:
        return "<p>" + _("Only one policy: no difference in money to show.") + "</p>"
    policies = list(dict.fromkeys(table["policy"]))
    head = "".join(f"<th>{esc(p)}</th>" for p in policies)
    body = []
    for part in [*NET_VALUE_PARTS, "net_value", "payback"]:
        rows = table[table["part"] == part].set_index("policy")
        if rows.empty:
            continue
        cells = []
        for p in policies:
            if p not in rows.index:
                cells.append("<td>–</td>")
                continue
            r = rows.loc[p]
            if part == "payback":
                years = r["contribution_k"]
                text = _payback_words(years, results, p)
                cells.append(f"<td>{esc(text)}</td>")
                continue
            value = wording.fixed(r["contribution_k"], 0, signed=True)
            bounds = f"[{wording.fixed(r['low_k'], 0)}, {wording.fixed(r['high_k'], 0)}]"
            cells.append(
                f"<td><span class='num'>{value}</span> <span class='ci'>{bounds}</span></td>"
            )
        name = _("Payback period") if part == "payback" else wording.label(part)
        if part in NET_VALUE_PARTS and NET_VALUE_PARTS[part] < 0:
            name += _(" (saved)")
        cls = " class='total'" if part == "net_value" else ""
        body.append(f"<tr{cls}><th>{esc(name)}</th>{''.join(cells)}</tr>")
    levels = _net_value_levels(results, unit)
    intro = _(
        "Per year at the horizon, in thousands of {unit}, each policy against {base} (95% "
        "interval in brackets). Costs a policy saves count positive, so the parts add up to "
        "the net value (rounded to add up). The payback period is when the policy's "
        "cumulative net value against {base} turns positive."
    ).format(unit=esc(unit or _("currency units")), base=esc(results.baseline))
    return (
        f"<p>{intro}</p>"
        f"<table class='money'><thead><tr><th></th>{head}</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
        + levels
    )


def _summary(results: Results, metric: str) -> pd.DataFrame:
    """One metric's summary by policy (empty if the comparison did not record it)."""
    if metric not in results.metrics:
        return pd.DataFrame(columns=["mean", "ci_low", "ci_high"])
    return results.summary([metric]).set_index("policy")


def _payback_words(years: float, results: Results, policy: str) -> str:
    if not math.isfinite(years):
        return _("not within the horizon")
    if years == 0:
        return _("ahead from the first year")
    return _("{years} years").format(years=wording.number(years, 2))


def _net_value_levels(results: Results, unit: str) -> str:
    s = _summary(results, "net_value")
    if s.empty:
        return ""
    means = s["mean"].astype(float).to_dict()
    items = [
        f"{esc(p)} {esc(wording.money(means[p], unit))}" for p in results.policies if p in means
    ]
    said = _("Net value per year at the horizon: {values}.").format(values=_("; ").join(items))
    return f"<p class='note'>{said}</p>"


# --- fairness -------------------------------------------------------------------------------


def fairness_html(results: Results) -> str:
    """Adverse impact by group (four-fifths rule, Fisher's exact test, shortfall) for top
    grades, promotions, PIPs and exits, beside the rating gap between groups."""
    audit = fairness.adverse_impact_table(results.frame)
    gap = _summary(results, "group_rating_gap")
    parts = [
        "<p>"
        + _(
            "A group's rate of a favourable decision below four-fifths of the most favoured "
            "group's (or, for PIPs and exits, a rate more than 5/4 of the least affected "
            "group's) is evidence of adverse impact under the US Uniform Guidelines (29 CFR "
            "1607.4(D)), for promotion and retention decisions as well as hiring. Counts are "
            "pooled over every review and replication; p is Fisher's exact test against the "
            "reference group; the shortfall is how many more of the group would have been "
            "selected (or spared) at the reference group's rate."
        )
        + "</p>"
    ]
    if not gap.empty:
        items = []
        for p in results.policies:
            if p not in gap.index:
                continue
            r = gap.loc[p]
            value, bounds = wording.interval(
                float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]), "sd"
            )
            items.append(f"{esc(p)} {esc(value)} {esc(bounds)}")
        said = _(
            "<b>Rating gap between groups at equal true performance</b> (first listed "
            "group minus the others, rating SD units): {values}."
        )
        parts.append("<p>" + said.format(values=_("; ").join(items)) + "</p>")
    if audit.empty:
        parts.append(
            "<p>" + _("The organization has one group: there is nothing to audit.") + "</p>"
        )
        return "".join(parts)
    versus, below, no = _("vs"), _("below 4/5"), _("no")
    rows = []
    for (policy, outcome), table in audit.groupby(["policy", "outcome"], sort=False):
        # The reference group is the most favoured: the highest rate of a favourable
        # decision, the lowest of an adverse one (as the audit takes it).
        rates = table["rate"].astype(float).to_numpy()
        at = int(
            np.argmax(rates) if fairness.OUTCOMES.get(str(outcome), True) else np.argmin(rates)
        )
        ref_name, ref_rate = str(table["group"].iloc[at]), float(rates[at])
        for r in table.to_dict("records"):
            if str(r["group"]) == ref_name:
                continue
            flag = bool(r["four_fifths_flag"])
            rows.append(
                f"<tr class='{'flag' if flag else ''}'>"
                f"<td>{esc(str(policy))}</td>"
                f"<td>{esc(_decision(str(outcome)))}</td>"
                f"<td>{esc(str(r['group']))} {versus} {esc(ref_name)}</td>"
                f"<td>{_pct(float(r['rate']))} {versus} {_pct(ref_rate)}</td>"
                f"<td>{_ratio(float(r['impact_ratio']))}</td>"
                f"<td>{below if flag else no}</td>"
                f"<td>{_p_value(float(r['p_value']))}</td>"
                f"<td>{wording.fixed(float(r['shortfall']), 1)}</td>"
                "</tr>"
            )
    flagged = audit[audit["four_fifths_flag"]]
    if flagged.empty:
        verdict_text = _("No decision falls below the four-fifths threshold under any policy.")
    else:
        items = sorted(
            {
                f"{p} ({_decision(o)})"
                for p, o in zip(flagged["policy"], flagged["outcome"], strict=True)
            }
        )
        verdict_text = _("Below the four-fifths threshold: {items}.").format(
            items=_(", ").join(esc(i) for i in items)
        )
    parts.append(f"<p><b>{verdict_text}</b></p>")
    columns = (
        _("Policy"),
        _("Decision"),
        _("Group vs reference"),
        _("Rate"),
        _("Impact ratio"),
        _("Four-fifths flag"),
        _("p (Fisher)"),
        _("Shortfall (people)"),
    )
    parts.append(
        "<table class='fairness'><thead><tr>"
        + "".join(f"<th>{c}</th>" for c in columns)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    return "".join(parts)


def _decision(outcome: str) -> str:
    """A decision of the fairness audit in the client's words."""
    return _(DECISIONS[outcome]) if outcome in DECISIONS else outcome


def _ratio(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:.2f}"


def _p_value(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    return "<0.001" if x < 0.001 else f"{x:.2g}"


def _pct(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{100 * x:.1f}%"


# --- sanity -------------------------------------------------------------------------------


def sanity_html(results: Results) -> str:
    """The sanity warnings, or a line saying every check passed."""
    found = sanity_warnings(results)
    if not found:
        said = _(
            "Every check passed: headcount stays at or above 95% of positions, no policy's "
            "advantage comes from empty positions, and every forced distribution ranks within "
            "units large enough for its grade shares."
        )
        return f"<p>{said}</p>"
    items = []
    for w in found:
        text = w.message
        for name in TOTALS:  # the totals a warning names, in the client's words
            text = text.replace(f" {name} ", f" {wording.in_sentence(wording.label(name))} ")
        items.append(f"<li>{esc(text)}</li>")
    return "<ul class='warnings'>" + "".join(items) + "</ul>"


# --- header -------------------------------------------------------------------------------


def header_html(results: Results) -> str:
    """The report's heading: the scenario's name, the organization, horizon and policies."""
    m = results.manifest
    params = m.get("parameters", {})
    org = params.get("organization", {})
    years = params.get("environment", {}).get("years")
    title = str(m.get("scenario_name") or params.get("name") or _("Policy comparison"))
    compared = _("policies compared: {policies} (baseline {base})")
    facts = [
        str(org.get("name", "")),
        _("{count} positions").format(count=f"{int(org.get('headcount', 0)):,}")
        if org.get("headcount")
        else "",
        _("{years} years simulated").format(years=years) if years else "",
        compared.format(policies=", ".join(results.policies), base=results.baseline),
        _("{count} replications").format(count=int(m.get("reps", 0))),
    ]
    line = " · ".join(esc(f) for f in facts if f)
    return f"<h1>{esc(title)}</h1><p class='subtitle'>{line}</p>"
