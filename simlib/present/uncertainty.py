"""The report's "what we don't know" section: how often each verdict holds across the
behavioural assumptions' plausible ranges, and which assumption would flip it
(:mod:`simlib.analysis.ensemble` does the runs)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path

import pandas as pd

from simlib.analysis import ensemble as ens
from simlib.analysis.results import Results
from simlib.experiments.ensemble import assumptions, run_ensemble
from simlib.i18n import N_, _, ngettext
from simlib.present import report, wording
from simlib.scenario.definition import Scenario
from simlib.storage.atomic import atomic_write_bytes

esc = html.escape
# The side of its plausible range on which an assumption flips a verdict.
SIDES = {"above": N_("above"), "below": N_("below")}


def verdicts(results: Results, metrics: Sequence[str]) -> dict[tuple[str, str], float]:
    """The comparison's clear differences on ``metrics``, each with its mean improvement on
    the baseline over all replications (positive = better): ``(policy, metric) -> gain``."""
    clear = [
        (d.policy, d.metric)
        for d in report.differences(results, list(metrics))
        if report.verdict(results, d) is not None
    ]
    horizon = results.at_horizon()
    horizon = horizon[horizon["metric"].isin(list(metrics))].assign(variation=0)
    gains = ens.improvements(horizon, results.baseline)
    if gains.empty:
        return {}
    means = gains.set_index(["policy", "metric"])["gain"]
    return {key: float(means[key]) for key in clear if key in means.index}


def run(
    scenario: Scenario,
    results: Results,
    named: Sequence[str] | None = None,
    reps: int = 1,
    executor: Executor | None = None,
    only: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The ensemble for a report: every compared policy, the report's objectives, every
    behavioural assumption with a range (or those of ``only``)."""
    return run_ensemble(
        scenario,
        results.policies,
        report.objectives(results, list(named) if named else None),
        seed=int(results.manifest["seed"]),
        reps=reps,
        executor=executor,
        only=only,
    )


def _number(x: float) -> str:
    return wording.number(x, 2) if abs(x) < 100 else wording.number(x, 3)


def _flip_words(flip: ens.Flip, meaning: str) -> str:
    said = _("{path} ({meaning}) {side} {threshold} (plausible range {low}–{high}; used {used})")
    return said.format(
        path=f"<code>{esc(flip.path)}</code>",
        meaning=esc(meaning),
        side=_(SIDES[flip.side]) if flip.side in SIDES else flip.side,
        threshold=esc(_number(flip.threshold)),
        low=esc(_number(flip.low)),
        high=esc(_number(flip.high)),
        used=esc(_number(flip.used)),
    )


def _how_many(varied: int, total: int) -> str:
    if varied == total:
        return _("the {total}").format(total=total)
    return _("{varied} of the {total}").format(varied=varied, total=total)


def uncertainty_html(
    scenario: Scenario,
    results: Results,
    ensemble: pd.DataFrame | None,
    named: Sequence[str] | None = None,
) -> str:
    """The section: one row per verdict, how often it holds and what would flip it."""
    if ensemble is None or ensemble.empty:
        said = _(
            "The ensemble over the behavioural assumptions was not run for this report (it "
            "was switched off): the intervals above measure simulation noise only, not what "
            "we don't know about how people respond."
        )
        return f"<p>{said}</p>"
    varied = {str(p) for p in ensemble["path"].unique() if p}
    every = assumptions(scenario)
    found = [a for a in every if a.path in varied]
    total = len(every)
    meaning = {a.path: a.meaning for a in found}
    chosen = report.objectives(results, list(named) if named else None)
    gains = ens.improvements(ensemble, results.baseline)
    table = ens.robustness(gains, verdicts(results, chosen), found)
    points = int(ensemble["variation"].nunique())
    reps = int(ensemble["rep"].nunique())
    said = ngettext(
        "Each policy was run again with each of {how_many} behavioural assumptions whose size "
        "no published number gives (the register's kind <i>assumption</i>) moved to the low "
        "and to the high end of its plausible range, one at a time: {points} variations in "
        "all, the scenario as stated included, {reps} replication each on the comparison's "
        "seed. A verdict holds in a variation when the policy's difference from {base} (the "
        "comparison's, over all its replications), moved by the shift the variation makes "
        "on the same seed, stays on the same side of zero. Where an assumption's end flips "
        "it, the threshold is where the difference crosses zero between the value used and "
        "that end (read linearly). A shift within the ensemble's own noise (twice the robust "
        "SD of all the shifts of that verdict) is not counted. Assumptions moving together "
        "are not explored.",
        "Each policy was run again with each of {how_many} behavioural assumptions whose size "
        "no published number gives (the register's kind <i>assumption</i>) moved to the low "
        "and to the high end of its plausible range, one at a time: {points} variations in "
        "all, the scenario as stated included, {reps} replications each on the comparison's "
        "seed. A verdict holds in a variation when the policy's difference from {base} (the "
        "comparison's, over all its replications), moved by the shift the variation makes "
        "on the same seed, stays on the same side of zero. Where an assumption's end flips "
        "it, the threshold is where the difference crosses zero between the value used and "
        "that end (read linearly). A shift within the ensemble's own noise (twice the robust "
        "SD of all the shifts of that verdict) is not counted. Assumptions moving together "
        "are not explored.",
        reps,
    )
    intro = (
        "<p>"
        + said.format(
            how_many=_how_many(len(found), total),
            points=points,
            reps=reps,
            base=esc(results.baseline),
        )
        + "</p>"
    )
    if not table:
        return intro + "<p>" + _("No clear difference to test: every objective is a tie.") + "</p>"
    rows = []
    for r in table:
        said = (
            _("{policy} better than {base} on {metric}")
            if r.better
            else _("{policy} worse than {base} on {metric}")
        )
        claim = said.format(
            policy=f"<b>{esc(r.policy)}</b>",
            base=esc(results.baseline),
            metric=esc(wording.in_sentence(wording.label(r.metric))),
        )
        share = r.holds / r.total if r.total else 0.0
        holds = _("{holds} of {total} ({share})").format(
            holds=r.holds, total=r.total, share=f"{share:.0%}"
        )
        if r.flips:
            first = r.flips[0]
            flip = _("if {flip}").format(flip=_flip_words(first, meaning.get(first.path, "")))
            if len(r.flips) > 1:
                more = len(r.flips) - 1
                flip += ngettext(
                    "; {count} other variation flip it too",
                    "; {count} other variations flip it too",
                    more,
                ).format(count=more)
        else:
            flip = _("nothing: no single assumption within its range")
        cls = " class='fragile'" if share < 0.9 else ""
        rows.append(f"<tr{cls}><td>{claim}</td><td>{holds}</td><td>{flip}</td></tr>")
    return (
        intro
        + "<table class='uncertainty'><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in (_("Verdict"), _("Holds in"), _("Would flip")))
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def save(ensemble: pd.DataFrame | None, out_dir: str | Path) -> list[Path]:
    """Write the ensemble's records as ``ensemble.parquet`` beside the results (atomically);
    nothing if it was not run."""
    if ensemble is None:
        return []
    import io

    buffer = io.BytesIO()
    ensemble.to_parquet(buffer, index=False)
    return [atomic_write_bytes(Path(out_dir) / "ensemble.parquet", buffer.getvalue())]
