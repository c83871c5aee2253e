"""Published findings the model must reproduce (DESIGN §7), each checked by simulating.

>>> from simlib.analysis.findings import run_findings
>>> table = run_findings(reps=100, seed=2005)     # one row per finding, ``holds`` per row

Every check runs the model with default parameters; nothing here writes a simulated number
down. A finding whose mechanism the model does not have yet is not in :data:`FINDINGS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simlib.analysis.findings import (
    attitudes,
    feedback,
    incentives,
    objective_measures,
    okr,
    ratings,
    scullen,
    stability,
    turnover,
)
from simlib.analysis.findings.base import (
    CSV_COLUMNS,
    KIND_MEANINGS,
    Finding,
    FindingResult,
    Measurement,
    Run,
)
from simlib.errors import ScenarioError
from simlib.storage.atomic import atomic_write_text
from simlib.storage.provenance import provenance

FINDINGS: dict[str, Finding] = {
    f.id: f
    for f in [
        *scullen.FINDINGS,
        *ratings.FINDINGS,
        *objective_measures.FINDINGS,
        *stability.FINDINGS,
        *incentives.FINDINGS,
        *okr.FINDINGS,
        *turnover.FINDINGS,
        *feedback.FINDINGS,
        *attitudes.FINDINGS,
    ]
}

KNOWN_MISSES: dict[str, str] = {f.id: f.known_miss for f in FINDINGS.values() if f.known_miss}
"""Held-out findings the model does not reproduce today, and why. They are checked and
reported like every other finding (as not holding); nothing was tuned to make them hold."""

DEFAULT_REPS = 200
QUICK_REPS = 100
DEFAULT_SEED = 2005

__all__ = [
    "CSV_COLUMNS",
    "FINDINGS",
    "KIND_MEANINGS",
    "KNOWN_MISSES",
    "Finding",
    "FindingResult",
    "Measurement",
    "Run",
    "check_findings",
    "resolve_reps",
    "results_frame",
    "run_findings",
    "save_validation",
]


def resolve_reps(reps: int | None, quick: bool = False) -> int:
    """Replications to use: ``reps``, or the default for a full or quick run."""
    if reps is None:
        return QUICK_REPS if quick else DEFAULT_REPS
    if int(reps) < 2:
        raise ScenarioError(f"reps: {reps} is out of range; allowed at least 2 (for a CI)")
    return int(reps)


def check_findings(
    ids: Sequence[str] | None = None,
    reps: int | None = None,
    seed: int = DEFAULT_SEED,
    quick: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[FindingResult]:
    """Run the checks and return one :class:`FindingResult` per finding.

    Parameters
    ----------
    ids
        Finding ids to check (default: all of :data:`FINDINGS`, in order).
    reps
        Replications per simulated condition (default 200, or 100 with ``quick``).
    seed
        Experiment seed.
    quick
        A reduced run (fewer replications) for the test suite.
    progress
        Called with each finding id before it is checked.
    """
    ids = list(ids) if ids is not None else list(FINDINGS)
    known = FINDINGS
    unknown = [i for i in ids if i not in known]
    if unknown:
        import difflib

        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, list(known), n=1)
            hints.append(f"{name!r}" + (f" (did you mean '{close[0]}'?)" if close else ""))
        raise ScenarioError(f"findings: unknown {', '.join(hints)}; known: {', '.join(known)}")
    reps = resolve_reps(reps, quick)
    run = Run(reps=int(reps), seed=int(seed), quick=quick)
    out = []
    for finding_id in ids:
        if progress is not None:
            progress(finding_id)
        out.append(known[finding_id].check(run))
    return out


def results_frame(results: Sequence[FindingResult]) -> pd.DataFrame:
    """The validation table: columns ``finding, kind, source, published, simulated, ci_low,
    ci_high, low, high, holds``; ``kind`` says whether the finding was fitted
    (``calibrated``), holds by the model's form (``structural``) or was ``held_out``."""
    return pd.DataFrame([r.row() for r in results], columns=CSV_COLUMNS)


def run_findings(
    ids: Sequence[str] | None = None,
    reps: int | None = None,
    seed: int = DEFAULT_SEED,
    quick: bool = False,
) -> pd.DataFrame:
    """Check the findings and return the validation table (see :func:`results_frame`)."""
    return results_frame(check_findings(ids, reps=reps, seed=seed, quick=quick))


def validation_manifest(
    results: Sequence[FindingResult], reps: int, seed: int, quick: bool
) -> dict[str, Any]:
    """Provenance of a validation run: version, seed, replications, per-finding details."""
    manifest = provenance(seed, reps)
    manifest.update(
        kind="validation",
        quick=quick,
        all_hold=all(r.holds for r in results),
        held_out_hold=sum(r.holds for r in results if r.kind == "held_out"),
        held_out_checked=sum(r.kind == "held_out" for r in results),
        findings={
            r.finding: {
                "kind": r.kind,
                "source": r.source,
                "claim": r.claim,
                "unit": r.unit,
                "holds": r.holds,
                "known_miss": r.known_miss or None,
                "extra_condition": r.condition_text or None,
                "extra_condition_met": r.condition,
                "details": r.details,
            }
            for r in results
        },
    )
    return manifest


def save_validation(
    results: Sequence[FindingResult], out_dir: str | Path, reps: int, seed: int, quick: bool
) -> dict[str, Path]:
    """Write ``validation.csv`` and ``manifest.json`` into ``out_dir``, each atomically."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"validation": out / "validation.csv", "manifest": out / "manifest.json"}
    atomic_write_text(paths["validation"], results_frame(results).to_csv(index=False))
    manifest = validation_manifest(results, reps, seed, quick)
    atomic_write_text(
        paths["manifest"], json.dumps(manifest, indent=2, sort_keys=True, default=str)
    )
    return paths
