"""The vocabulary of a validation check: a finding, one run's settings, a measured result.

A :class:`Finding` names a published result, where it comes from, the band of values the
check accepts and the mechanism of the model that is supposed to produce it. Its ``measure``
function *simulates* and returns a :class:`Measurement`; nothing here writes a simulated
number down.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from simlib.analysis.results import mean_ci
from simlib.errors import ScenarioError

CSV_COLUMNS = [
    "finding",
    "kind",
    "source",
    "published",
    "simulated",
    "ci_low",
    "ci_high",
    "low",
    "high",
    "holds",
]


FindingKind = Literal["calibrated", "structural", "held_out"]

KIND_MEANINGS: dict[str, str] = {
    "calibrated": "a parameter was set to hit it: agreement shows the fit, not a prediction",
    "structural": "it holds by the model's form (the mechanism is written that way): "
    "agreement shows the mechanism is wired as intended",
    "held_out": "nothing was tuned to it: the band comes from the source, fixed before the "
    "model's answer was seen, so agreement is a prediction that came true",
}


@dataclass
class Run:
    """Settings shared by every check of one validation run, and a cache of simulations.

    Parameters
    ----------
    reps
        Replications (simulated organizations) per simulated condition.
    seed
        Experiment seed; every check derives its random streams from it.
    quick
        A reduced run for the test suite: checks may shorten what does not matter to them.
    """

    reps: int = 100
    seed: int = 2005
    quick: bool = False
    cache: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per key within this run (conditions shared by several checks)."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass
class Measurement:
    """What a check measured by simulating.

    ``published``, ``low`` and ``high`` are set only when the check derives them while it
    runs (e.g. from the published design); otherwise the finding's own values are used.
    ``condition`` is an extra requirement beside the band (e.g. "the gain is clearly
    positive" before a share of it means anything), explained in ``condition_text``.
    """

    simulated: float
    ci_low: float
    ci_high: float
    published: float | None = None
    low: float | None = None
    high: float | None = None
    condition: bool = True
    condition_text: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, samples: Any, **fields: Any) -> Measurement:
        """The mean of ``samples`` (one value per replication) with its 95% CI."""
        mean, low, high = mean_ci(np.asarray(samples, dtype=float))
        return cls(simulated=mean, ci_low=low, ci_high=high, **fields)


@dataclass(frozen=True)
class Finding:
    """A published finding and how the model is checked against it.

    Attributes
    ----------
    id
        Stable identifier, e.g. ``scullen2005_fd_gain_y5``.
    kind
        ``calibrated`` (a parameter was set to hit it), ``structural`` (it holds by the
        model's form) or ``held_out`` (nothing was tuned to it); see :data:`KIND_MEANINGS`.
    source
        The publication(s).
    claim
        What was found, in one sentence.
    unit
        Unit of ``published``, ``simulated`` and the band.
    mechanism
        The model mechanism behind the finding, for the validation report.
    measure
        ``measure(run, overrides)`` simulates and returns a :class:`Measurement`;
        ``overrides`` are dotted-path scenario overrides (tests switch mechanisms off with
        them).
    published, low, high
        The published value (``nan`` when the paper states the finding only in words) and
        the accepted band ``[low, high]`` (``-inf``/``inf`` for one-sided bands).
    known_miss
        For a held-out finding the model is known not to reproduce: why, in one sentence.
        It is still checked and reported as not holding; nothing is tuned to make it hold.
    """

    id: str
    kind: FindingKind
    source: str
    claim: str
    unit: str
    mechanism: str
    measure: Callable[[Run, dict[str, Any] | None], Measurement]
    published: float = math.nan
    low: float = -math.inf
    high: float = math.inf
    known_miss: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KIND_MEANINGS:
            raise ValueError(
                f"finding {self.id}: kind {self.kind!r} is not one of {list(KIND_MEANINGS)}"
            )
        if self.known_miss and self.kind != "held_out":
            raise ValueError(f"finding {self.id}: only a held-out finding may be a known miss")

    def check(self, run: Run, overrides: dict[str, Any] | None = None) -> FindingResult:
        """Simulate and judge: the finding holds when the simulated value lies in the band."""
        m = self.measure(run, overrides)
        published = self.published if m.published is None else m.published
        low = self.low if m.low is None else m.low
        high = self.high if m.high is None else m.high
        finite = math.isfinite(m.simulated)
        holds = bool(finite and low <= m.simulated <= high and m.condition)
        return FindingResult(
            finding=self.id,
            kind=self.kind,
            source=self.source,
            published=float(published),
            simulated=float(m.simulated),
            ci_low=float(m.ci_low),
            ci_high=float(m.ci_high),
            low=float(low),
            high=float(high),
            holds=holds,
            known_miss=self.known_miss,
            unit=self.unit,
            claim=self.claim,
            mechanism=self.mechanism,
            condition_text=m.condition_text,
            condition=bool(m.condition),
            details=m.details,
        )


@dataclass
class FindingResult:
    """One row of the validation table, with what a report needs to explain it."""

    finding: str
    kind: str
    source: str
    published: float
    simulated: float
    ci_low: float
    ci_high: float
    low: float
    high: float
    holds: bool
    known_miss: str = ""
    unit: str = ""
    claim: str = ""
    mechanism: str = ""
    condition_text: str = ""
    condition: bool = True
    details: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """The CSV columns."""
        return {c: getattr(self, c) for c in CSV_COLUMNS}


# --- statistics ---------------------------------------------------------------------------


def ratio_ci(
    numerator: np.ndarray,
    denominator: np.ndarray,
    rng: np.random.Generator,
    resamples: int = 2000,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Ratio of means with a percentile bootstrap interval, resampling replications."""
    a = np.asarray(numerator, dtype=float)
    b = np.asarray(denominator, dtype=float)
    ratio = float(a.mean() / b.mean()) if b.mean() != 0 else math.nan
    idx = rng.integers(0, len(a), size=(resamples, len(a)))
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = a[idx].mean(axis=1) / b[idx].mean(axis=1)
    boot = boot[np.isfinite(boot)]
    if len(boot) == 0:
        return ratio, math.nan, math.nan
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(boot, [tail, 100 - tail])
    return ratio, float(low), float(high)


# --- shipped scenarios --------------------------------------------------------------------


def shipped_scenario(name: str) -> Path:
    """Path of a scenario shipped beside the package (``scenarios/NAME``)."""
    package = Path(__file__).resolve().parents[2]  # simlib/analysis/findings/base.py
    path = package.parent / "scenarios" / name
    if not path.is_file():
        raise ScenarioError(
            f"the shipped scenario {name!r} was not found beside the simlib package; "
            "run the validation from a source checkout"
        )
    return path
