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
        f"{len(runs)} scenario{'s' if len(runs) != 1 else ''}: {counts['ok']} run now, "
        f"{counts['skipped']} up to date, {len(failed)} failed ({seconds:.1f} s); "
        "* marks a difference whose paired 95% interval excludes 0"
    ]
    room = LINES - 1
    shown = runs if len(runs) <= room else runs[: room - 1]
    for run in shown:
        lines.append(_scenario_line(out, run))
    if len(shown) < len(runs):
        lines.append(f"... and {len(runs) - len(shown)} more scenarios: see the index")
    return lines


def _scenario_line(out: Path, run: ScenarioRun) -> str:
    if run.status not in ("ok", "skipped"):
        first = (run.error or "").splitlines()[0] if run.error else run.status
        return f"{run.name}: FAILED: {first}"
    try:
        results = Results.load(inside(out, run.name))
    except (OSError, ValueError, KeyError) as exc:
        return f"{run.name}: results unreadable ({exc})"
    metric = next((m for m in HEADLINES if m in results.metrics), None)
    others = [p for p in results.policies if p != results.baseline]
    if metric is None or not others:
        return f"{run.name}: {', '.join(results.policies)} (no comparison to sum up)"
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
    return f"{run.name}, {wording.label(metric).lower()} vs {results.baseline}: " + ", ".join(parts)
