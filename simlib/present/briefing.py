"""The client-facing parts of a comparison report: executive summary, assumptions, caveats.

* :func:`executive_summary` — metrics as rows, policies as columns, ``mean [95% CI]`` at the
  horizon, the best policy per row marked (which way is better comes from
  :data:`simlib.metrics.catalogue.METRIC_DIRECTION`).
* :func:`assumptions_register` — every parameter of the resolved scenario with its value,
  where the value came from (scenario file, override, preset or default), for a
  behavioural size how sure we are of it (:mod:`simlib.scenario.sizes`), and the schema's
  description of it.
* :func:`caveats` — what a reader should keep in mind about these particular results.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any, cast

import pandas as pd
import yaml

import simlib.scenario.dotted as dotted
from simlib.analysis.results import Results, mean_ci
from simlib.i18n import N_, _
from simlib.metrics.catalogue import METRIC_DIRECTION, METRIC_UNITS
from simlib.present import wording
from simlib.present.tables import AUDIT_PREFIXES
from simlib.scenario.definition import Scenario
from simlib.scenario.fields import FieldRecord, walk
from simlib.scenario.policy import PRESETS, preset_base
from simlib.scenario.sizes import Size

BEST_MARK = "★"


def best_policies(summary: pd.DataFrame) -> dict[str, list[str]]:
    """The best policy (or tied policies) per metric, from a ``Results.summary()`` frame.

    Metrics without a direction in ``METRIC_DIRECTION`` (e.g. headcount) get none.
    """
    best: dict[str, list[str]] = {}
    for metric, rows in summary.groupby("metric", sort=False):
        direction = METRIC_DIRECTION.get(str(metric))
        means = rows.set_index("policy")["mean"].astype(float).dropna()
        if direction is None or len(means) < 2:
            continue
        if direction == "higher":
            key = means
        elif direction == "lower":
            key = -means
        else:  # nearest_zero
            key = -means.abs()
        top = key.max()
        tol = 1e-12 * max(1.0, abs(top))
        best[str(metric)] = [p for p, v in key.items() if v >= top - tol]
    return best


def clearly_best(results: Results, metrics: list[str] | None = None) -> dict[str, list[str]]:
    """The best policy per metric, kept only where it is clearly best: a single policy whose
    paired difference from every other policy, replication by replication, has a 95%
    interval on the better side of zero. Ties and intervals that include zero get none."""
    h = results.at_horizon()
    wide = h.pivot_table(index="rep", columns=["metric", "policy"], values="value")
    out: dict[str, list[str]] = {}
    for metric, top in best_policies(results.summary(metrics)).items():
        if len(top) != 1 or metric not in wide.columns.get_level_values("metric"):
            continue
        table = wide[metric]
        direction = METRIC_DIRECTION.get(metric)
        score = -table.abs() if direction == "nearest_zero" else table
        score = -score if direction == "lower" else score
        best = top[0]
        clear = True
        for other in table.columns:
            if other == best:
                continue
            _mean, low, _high = mean_ci((score[best] - score[other]).dropna().to_numpy(dtype=float))
            if not low > 0:  # NaN (one replication) is not clear either
                clear = False
                break
        if clear:
            out[metric] = [best]
    return out


def executive_summary(results: Results, metrics: list[str] | None = None) -> pd.DataFrame:
    """Metrics as rows, policies as columns: ``mean [95% CI]`` at the horizon, best marked.

    The clearly best policy of each row (:func:`clearly_best`) carries a trailing ``★``; the
    ``better`` column says which way is better and ``unit`` gives the metric's unit.
    """
    summary = results.summary(metrics)
    best = clearly_best(results, metrics)
    cells: dict[str, dict[str, str]] = {}
    for row in summary.itertuples(index=False):
        # The summary's metric and policy columns hold names, its statistics numbers.
        metric, policy = cast(str, row.metric), cast(str, row.policy)
        if metric.startswith(AUDIT_PREFIXES):
            continue  # counts for the adverse-impact audit, shown in its own table
        text = wording.number(cast(float, row.mean))
        if not (isinstance(row.ci_low, float) and math.isnan(row.ci_low)):
            text += f" [{wording.number(cast(float, row.ci_low))}, "
            text += f"{wording.number(cast(float, row.ci_high))}]"
        if policy in best.get(metric, []):
            text += f" {BEST_MARK}"
        cells.setdefault(metric, {})[policy] = text
    order = [m for m in list(METRIC_UNITS) + results.metrics if m in cells]
    order = list(dict.fromkeys(order))
    table = pd.DataFrame.from_dict(cells, orient="index").reindex(order)
    table = table[[p for p in results.policies if p in table.columns]]
    table = table.fillna(wording.MISSING)  # a policy that never recorded the metric
    better = {"higher": "higher", "lower": "lower", "nearest_zero": "nearer 0"}
    table.insert(0, "better", [better.get(METRIC_DIRECTION.get(m, ""), "–") for m in order])
    table.insert(0, "unit", [METRIC_UNITS.get(m, "") for m in order])
    table.index.name = "metric"
    return table


# The "better" column's words, translated where shown.
BETTER = {"higher": N_("higher"), "lower": N_("lower"), "nearer 0": N_("nearer 0")}


def executive_summary_html(results: Results, metrics: list[str] | None = None) -> str:
    """The executive summary as a self-contained HTML table (best cells bold)."""
    table = executive_summary(results, metrics)
    shown = [c for c in table.columns if c != "unit"]  # the unit goes under the name
    titles = {"metric": _("metric"), "better": _("better")}
    head = "".join(
        f"<th>{html.escape(titles.get(str(c), str(c)))}</th>" for c in ["metric", *shown]
    )
    body = []
    for metric, row in table.iterrows():
        name = html.escape(wording.label(str(metric)))
        unit = html.escape(_(str(row["unit"])) if row["unit"] else "")
        cells = [f"<th style='text-align:left'>{name}<div class='unit'>{unit}</div></th>"]
        for col, value in row.drop("unit").items():
            text = html.escape(
                _(BETTER[str(value)]) if col == "better" and value in BETTER else str(value)
            )
            is_best = col not in ("unit", "better") and str(value).endswith(BEST_MARK)
            cells.append(f"<td><b>{text}</b></td>" if is_best else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<table class='simlib-executive-summary'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


# --- assumptions register -------------------------------------------------------------


def _parameters(scenario: Scenario) -> list[tuple[FieldRecord, Any]]:
    """Every parameter of the resolved scenario with its value as saved (JSON types).

    A list of plain values is one parameter (``compa_bands``); lists of sections and
    mappings are opened up (``organization.departments.0.share``).
    """
    resolved = scenario.to_dict()
    found: list[tuple[FieldRecord, Any]] = []
    whole: tuple[str, ...] | None = None  # a list shown as one value: skip its items
    for record in walk(scenario):
        if whole is not None and record.path[: len(whole)] == whole:
            continue
        value = dotted.get(resolved, record.path)
        if isinstance(value, dict):
            if value:
                continue
        elif isinstance(value, list):
            if any(isinstance(v, (dict, list)) for v in value):
                continue
            whole = record.path
        found.append((record, value))
    return found


def _set_by_policy(raw: Any, path: tuple[str, ...]) -> str:
    """``scenario``, ``preset <name>`` or ``default`` for a value the file does not state.

    Grades inferred from the file's own shares or bottom_cut are the scenario's; a value
    is the preset's only if the preset still gives it once the file's rating has replaced
    the preset's curve (or scheme).
    """
    if path[0] != "policies" or len(path) < 3:
        return "default"
    policy = dotted.get(raw, path[:2]) if dotted.has(raw, path[:2]) else None
    if not isinstance(policy, dict):
        return "default"
    rating = policy.get("rating")
    if path[2:] == ("rating", "grades") and isinstance(rating, dict):
        if isinstance(rating.get("shares"), dict) or rating.get("bottom_cut") is not None:
            return "scenario"
    name = policy.get("preset")
    if isinstance(name, str) and name in PRESETS:
        rest = {k: v for k, v in policy.items() if k != "preset"}
        if dotted.has(preset_base(name, rest), path[2:]):
            return f"preset {name}"
    return "default"


def assumptions_register(
    scenario: Scenario,
    source: str | Path | dict | None = None,
    overrides: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Every parameter of ``scenario``: value, where it was set, and what it means.

    Parameters
    ----------
    scenario
        The resolved scenario (defaults filled in, presets expanded).
    source
        The YAML path or mapping it was loaded from, to tell given values from defaults.
    overrides
        Dotted-path overrides applied on top (reported as ``override``).

    Returns
    -------
    pandas.DataFrame
        Columns ``section, parameter, value, set_in, kind, range, description``; ``set_in``
        is one of ``override``, ``scenario``, ``preset <name>`` or ``default``; ``kind``
        (``sourced``, ``calibrated``, ``assumption``, ``definition``) and the plausible
        ``range`` say how sure we are of a behavioural size (empty for other parameters).
    """
    raw: Any = {}
    if isinstance(source, dict):
        raw = source
    elif source is not None:
        try:
            raw = yaml.safe_load(Path(source).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            raw = {}
    overrides = overrides or {}
    rows = []
    for record, value in _parameters(scenario):
        path, name = record.path, record.dotted
        if name in overrides or any(name.startswith(f"{o}.") for o in overrides):
            set_in = "override"
        elif dotted.has(raw, path):
            set_in = "scenario"
        else:
            set_in = _set_by_policy(raw, path)
        shown = (
            value
            if not isinstance(value, (list, dict))
            else yaml.safe_dump(value, default_flow_style=True, sort_keys=False).strip()
        )
        size = Size.from_json(record.extra)
        rows.append(
            {
                "section": path[0],
                "parameter": name,
                "value": shown,
                "set_in": set_in,
                "kind": "" if size is None else size.kind,
                "range": "" if size is None else size.range_text(),
                "description": "" if record.entry else record.description,
            }
        )
    columns = ["section", "parameter", "value", "set_in", "kind", "range", "description"]
    return pd.DataFrame(rows, columns=columns)


# --- caveats ----------------------------------------------------------------------------


def caveats(results: Results) -> list[str]:
    """Plain-language cautions about these results, most important first."""
    m = results.manifest
    params = m.get("parameters", {})
    reps = int(m.get("reps", 0))
    out = [
        _(
            "These are simulated outcomes of a model, not forecasts: they show how the "
            "policies differ under the stated assumptions. Read the assumptions register "
            "before quoting a number."
        ),
        _(
            "Intervals are 95% confidence intervals over {reps} replications; they measure "
            "simulation noise, not uncertainty about the assumptions themselves. Vary the "
            "assumptions (a sensitivity analysis) before relying on a difference."
        ).format(reps=reps),
        _(
            "Paired differences compare policies on the same simulated people, applicants "
            "and market shocks, so they are tighter than the overlap of the per-policy "
            "intervals suggests."
        ),
        _(
            "'{mark}' marks a policy only where it is better than every other with a 95% "
            "interval of the paired difference that excludes zero; it does not say the "
            "difference is large."
        ).format(mark=BEST_MARK),
    ]
    if reps < 10:
        out.insert(
            1,
            _(
                "Only {reps} replication(s) were run: intervals are wide or missing. Use 10 "
                "or more before drawing conclusions."
            ).format(reps=reps),
        )
    absent = [name for name in METRIC_DIRECTION if name not in results.metrics]
    if absent:
        names = _(", ").join(wording.label(name) for name in absent)
        out.append(
            _("Not recorded in this comparison, so not reported: {names}.").format(names=names)
        )
    years = params.get("environment", {}).get("years")
    if years is not None and years < 3:
        out.append(
            _(
                "The horizon is {years} year(s); effects of exits and hiring on workforce "
                "quality build up over several years."
            ).format(years=years)
        )
    return out


def run_overrides(
    overrides: dict[str, Any] | None = None,
    *,
    policies: list[str] | str | None = None,
    reps: int | None = None,
    seed: int | None = None,
    years: int | None = None,
) -> dict[str, Any]:
    """A report's parameters as scenario overrides, so the assumptions register shows them.

    ``policies`` may be a list or a comma-separated string; ``None`` leaves the scenario's
    value in place.
    """
    out = dict(overrides or {})
    if isinstance(policies, str):
        policies = [p.strip() for p in policies.split(",") if p.strip()]
    settings: tuple[tuple[str, Any], ...] = (
        ("experiment.policies", policies),
        ("experiment.reps", reps),
        ("experiment.seed", seed),
        ("environment.years", years),
    )
    for path, value in settings:
        if value is not None:
            out[path] = list(value) if path == "experiment.policies" else value
    return out


def scenario_header(scenario: Scenario, source: str | Path | None = None) -> str:
    """A short Markdown description of the scenario as run (name, size, horizon, policies)."""
    exp = scenario.experiment
    org = scenario.organization
    # Scenario text is data: escaped, so a name or description holding HTML or a script
    # shows as text in the report instead of running in the reader's browser.
    esc = html.escape
    policies = ", ".join(esc(p) for p in scenario.policy_names)
    lines = [
        f"**{esc(scenario.name)}** — {esc(org.name)}, {org.headcount:,} positions, "
        f"{scenario.environment.years} years, {exp.reps} replications, seed {exp.seed}.",
        "",
        f"Policies: {policies} (baseline: {esc(scenario.baseline)}). "
        f"Scenario hash `{scenario.hash}`"
        + (f", from `{Path(source).name.replace('`', chr(39))}`." if source else "."),
    ]
    if scenario.description.strip():
        lines += ["", "> " + esc(" ".join(scenario.description.split()))]
    return "\n".join(lines)


# Parameters that are null when their value is derived from others, and what from.
DERIVED_WHEN_NULL = {
    "costs.currency": N_("the salary bands' currency"),
    "costs.output_value_per_point": N_("derived: mean salary / labour share, per 100 points"),
    "costs.manager_hourly_rate": N_("derived: manager band midpoint / 1,752 hours / 0.70"),
    "report.metrics": N_("the report's default objectives"),
    "experiment.policies": N_("every declared policy"),
}
# Where a register value was set, and how sure we are of a size (translated where shown).
SET_IN = {"override": N_("override"), "scenario": N_("scenario"), "default": N_("default")}
KINDS = {
    "sourced": N_("sourced"),
    "calibrated": N_("calibrated"),
    "assumption": N_("assumption"),
    "definition": N_("definition"),
}


def _set_in_words(set_in: str) -> str:
    if set_in.startswith("preset "):
        return _("preset {name}").format(name=set_in.removeprefix("preset "))
    return _(SET_IN[set_in]) if set_in in SET_IN else set_in


def shown_value(parameter: str, value: Any) -> str:
    """A register value as a reader should see it: text on one line, no ``None`` (a null
    says what applies instead), booleans as yes/no."""
    if value is None:
        if parameter in DERIVED_WHEN_NULL:
            return _(DERIVED_WHEN_NULL[parameter])
        if parameter.startswith("policies."):
            return _("not used")
        return _("not set: the default behaviour applies (see meaning)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return " ".join(str(value).split())


def _html_table(head: list[str], rows: list[list[str]], css: str) -> str:
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f"<table class='{css}'><thead><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + f"</tr></thead><tbody>{body}</tbody></table>"
    )


def register_html(register: pd.DataFrame, policies: list[str] | None = None) -> str:
    """The assumptions register as compact HTML for a report's appendix: the scenario's
    parameters (organization, environment, behaviour, hiring, costs...) with value, where
    it was set, kind and range; then the policies' levers side by side, one column per
    policy. The scenario's name and description are the report's heading, not repeated."""
    esc = html.escape
    parts = register["parameter"].astype(str)
    general = register[~parts.str.startswith("policies.") & ~parts.isin(["name", "description"])]
    rows = [
        [
            f"<code>{esc(str(r.parameter))}</code>",
            esc(shown_value(str(r.parameter), r.value)),
            esc(_set_in_words(str(r.set_in))),
            esc(_(KINDS[str(r.kind)]) if str(r.kind) in KINDS else str(r.kind)),
            esc(str(r.range)),
            esc(" ".join(_(str(r.description)).split()) if r.description else ""),
        ]
        for r in general.itertuples(index=False)
    ]
    out = _html_table(
        [_("parameter"), _("value"), _("set in"), _("kind"), _("range"), _("meaning")],
        rows,
        "simlib-assumptions",
    )
    levers = register[parts.str.startswith("policies.")]
    if levers.empty:
        return out
    split = levers["parameter"].astype(str).str.split(".", n=2)
    levers = levers.assign(policy=split.str[1], lever=split.str[2])
    names = policies or list(dict.fromkeys(levers["policy"]))
    table: dict[str, dict[str, str]] = {}
    meaning: dict[str, str] = {}
    for r in levers.itertuples(index=False):
        lever = str(r.lever)
        table.setdefault(lever, {})[str(r.policy)] = shown_value(str(r.parameter), r.value)
        if r.description and lever not in meaning:
            meaning[lever] = " ".join(_(str(r.description)).split())
    lever_rows = [
        [f"<code>{esc(lever)}</code>"]
        + [esc(values.get(p, "–")) for p in names]
        + [esc(meaning.get(lever, ""))]
        for lever, values in table.items()
    ]
    out += (
        "<p>"
        + _(
            "The policies' levers, one column per policy (from its preset unless the "
            "scenario or an override set it):"
        )
        + "</p>"
    )
    return out + _html_table(
        [_("lever"), *names, _("meaning")], lever_rows, "simlib-assumptions simlib-levers"
    )
