"""A batch in five lines: what ran, and each scenario's headline against its baseline.

The first line counts the scenarios (run now, up to date, failed); each further line gives
one scenario's policies against its baseline on the headline metric, net value per head
(the money a policy makes or costs per position and year, all costs counted), or, where a
scenario records no money, workforce potential. A difference whose 95% confidence
interval, paired over replications, excludes zero is marked ``*``. The reports hold the
rest; the index links them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from simlib.analysis.results import Results
from simlib.i18n import _, ngettext
from simlib.present import wording
from simlib.present.batch_plan import ScenarioRun
from simlib.storage.paths import inside

LINES = 5
"""Lines of the summary at most: one of counts, then one per scenario."""

HEADLINES = ("net_value_per_head", "workforce_potential")
"""The headline metric of a scenario: the first of these it records."""


def summary_lines(out: Path, runs: Sequence[ScenarioRun], seconds: float) -> list[str]:
    """At most :data:`LINES` lines summing up a batch written to ``out``."""
    counts = {status: sum(r.status == status for r in runs) for status in ("ok", "skipped")}
    failed = [r for r in runs if r.status not in ("ok", "skipped")]
    lines = [
        ngettext(
            "{count} scenario: {ran} run now, {kept} up to date, {failed} failed ({seconds} s); "
            "* marks a difference whose paired 95% interval excludes 0",
            "{count} scenarios: {ran} run now, {kept} up to date, {failed} failed ({seconds} s); "
            "* marks a difference whose paired 95% interval excludes 0",
            len(runs),
        ).format(
            count=len(runs),
            ran=counts["ok"],
            kept=counts["skipped"],
            failed=len(failed),
            seconds=f"{seconds:.1f}",
        )
    ]
    room = LINES - 1
    shown = runs if len(runs) <= room else runs[: room - 1]
    for run in shown:
        lines.append(_scenario_line(out, run))
    if len(shown) < len(runs):
        lines.append(
            _("... and {count} more scenarios: see the index").format(count=len(runs) - len(shown))
        )
    return lines


def _scenario_line(out: Path, run: ScenarioRun) -> str:
    if run.status not in ("ok", "skipped"):
        first = (run.error or "").splitlines()[0] if run.error else run.status
        return _("{name}: FAILED: {error}").format(name=run.name, error=first)
    try:
        results = Results.load(inside(out, run.name))
    except (OSError, ValueError, KeyError) as exc:
        return _("{name}: results unreadable ({error})").format(name=run.name, error=exc)
    metric = next((m for m in HEADLINES if m in results.metrics), None)
    others = [p for p in results.policies if p != results.baseline]
    if metric is None or not others:
        return _("{name}: {policies} (no comparison to sum up)").format(
            name=run.name, policies=", ".join(results.policies)
        )
    diff = results.paired_diff(metrics=[metric]).set_index("policy")
    currency = str(
        results.manifest.get("parameters", {})
        .get("organization", {})
        .get("salary_bands", {})
        .get("currency", "")
    )
    parts = []
    for policy in others:
        row = diff.loc[policy]
        sure = row.ci_low > 0 or row.ci_high < 0
        if metric == "net_value_per_head":
            text = wording.money(float(row["mean"]), currency, signed=True)
        else:
            text = wording.number(float(row["mean"]), signed=True)
        parts.append(f"{policy} {text}{'*' if sure else ''}")
    said = _("{name}, {metric} vs {baseline}: ").format(
        name=run.name, metric=wording.label(metric).lower(), baseline=results.baseline
    )
    return said + ", ".join(parts)
