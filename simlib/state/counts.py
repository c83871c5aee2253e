"""Counts: what the mechanisms of one simulation did, summed since week 0.

Each field is written by one mechanism and read by the metrics (a cycle's count is the
difference of two snapshots: see :meth:`Counts.since`). Manager hours are the hours every
mechanism costs managers (reviews, calibration, appeals, check-ins, coaching).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

import numpy as np

from simlib.state.compiled import KERNELS, compiled_for

QUINTILES = 5
_CUTS = tuple((np.arange(1, QUINTILES) / QUINTILES).tolist())  # 0.2, 0.4, 0.6, 0.8


@functools.lru_cache(maxsize=64)
def _interpolation(
    n: int, cuts: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Order statistics and weights of the quantiles ``cuts`` (each below 1) of ``n >= 2``
    values, as ``np.quantile``'s 'linear' method finds them (the same partition, so equal
    values such as 0.0 and -0.0 land where they land there)."""
    virtual = (n - 1) * np.asarray(cuts)
    lower = np.floor(virtual).astype(np.intp)
    upper = lower + 1
    kth = np.unique(np.concatenate(([0, -1], lower, upper)))
    t = virtual - lower
    shared = kth, lower, upper, t, t >= 0.5
    for array in shared:
        array.setflags(write=False)  # cached: the same arrays serve every call
    return shared


def linear_quantiles(
    values: np.ndarray, cuts: tuple[float, ...], ordered: np.ndarray | None = None
) -> np.ndarray:
    """The quantiles ``cuts`` (each in 0-1, below 1) of ``values`` (finite, at least one).

    Exactly ``np.quantile(values, cuts)`` (linear interpolation between order statistics,
    in numpy's own steps), without its general-purpose overhead. ``ordered``, if given, is
    ``values`` already sorted (ascending), so they are not sorted again.
    """
    return _quantiles_and_order(values, cuts, ordered)[0]


def _quantiles_and_order(
    values: np.ndarray, cuts: tuple[float, ...], ordered: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`linear_quantiles`, and ``values`` sorted."""
    if len(values) < 2:
        return np.repeat(values, len(cuts)), values
    kth, lower, upper, t, upper_half = _interpolation(len(values), cuts)
    # A full sort finds the same order statistics several times faster than numpy's
    # partition around several points does; only where one of them is a zero may the two
    # differ (in its sign, 0.0 and -0.0 being equal), and there numpy's partition decides.
    order = np.sort(values) if ordered is None else ordered
    a, b = order[lower], order[upper]
    if np.count_nonzero(a) + np.count_nonzero(b) < len(a) + len(b):
        parted = np.partition(values, kth)
        a, b = parted[lower], parted[upper]
    diff = b - a
    result = a + diff * t
    np.subtract(b, diff * (1 - t), out=result, where=upper_half)
    return result, order


def quintile_cuts(values: np.ndarray) -> np.ndarray:
    """The 20th, 40th, 60th and 80th percentiles of ``values`` (finite, at least one).

    Exactly ``np.quantile(values, [0.2, 0.4, 0.6, 0.8])``.
    """
    return linear_quantiles(values, _CUTS)


def quintiles(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Quintile of each value (0 = bottom fifth) among the values where ``among`` is true."""
    return np.searchsorted(quintile_cuts(values[among]), values, side="right")


def quintile_counts(
    values: np.ndarray, among: np.ndarray, chosen: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How many of those ``among`` fall in each quintile of their ``values`` (0 = bottom
    fifth), and how many of the positions ``chosen`` (some of them) do.

    The same counts as binning every value with :func:`quintiles`, read off the sorted
    values instead.
    """
    n = int(np.count_nonzero(among))
    if compiled_for(len(values)) and n >= 2 and chosen.dtype != bool:
        _, lower, upper, t, upper_half = _interpolation(n, _CUTS)
        done, counts, picked = KERNELS.quintile_counts(
            np.sort(values[among]), values, chosen, lower, upper, t, upper_half
        )
        if done:
            return counts, picked
    cuts, order = _quantiles_and_order(values[among], _CUTS)
    # Values under each cut, and so in each quintile.
    below = [0, *np.searchsorted(order, cuts, side="left").tolist(), len(order)]
    counts = np.array([b - a for a, b in zip(below[:-1], below[1:], strict=True)])
    picked = np.searchsorted(cuts, values[chosen], side="right")
    return counts, np.bincount(picked, minlength=QUINTILES)


def _by_quintile() -> np.ndarray:
    return np.zeros(QUINTILES, dtype=np.int64)


def _by_group() -> np.ndarray:
    return np.zeros(1, dtype=np.int64)


@dataclass
class Counts:
    """Running totals of one simulation (people, events, hours, currency)."""

    hires: int = 0
    quits: int = 0  # voluntary leavers
    exits: int = 0  # involuntary leavers (exit rules, failed PIPs, layoffs, discharges)
    layoffs: int = 0  # ... of whom laid off (no performance policy decides these)
    discharges: int = 0  # ... of whom discharged for cause (neither)
    regretted_quits: int = 0  # quits of the top fifth by current performance
    # Quits and people at risk by performance quintile (index 0 = bottom fifth).
    quits_by_quintile: np.ndarray = field(default_factory=lambda: _by_quintile())
    at_risk_by_quintile: np.ndarray = field(default_factory=lambda: _by_quintile())
    manager_hours: float = 0.0
    appeals: int = 0
    appeals_overturned: int = 0
    appeals_heard: int = 0  # decided while the appellant was still employed
    appeals_heard_wrong: int = 0  # ... of a grade worse than true performance earns
    appeals_wrong_overturned: int = 0
    pips: int = 0
    pips_failed: int = 0
    checkins: int = 0
    early_warnings: int = 0
    high_potential_pool: int = 0
    promotions: int = 0
    trainees: int = 0
    training_hours: float = 0.0
    rebaselines: int = 0
    shocks: int = 0
    bonus_paid: float = 0.0  # currency
    # Decisions of the policy's exit rule by demographic group (index of organization.groups),
    # for the adverse-impact audit: PIPs started, and exits (at once or after a failed PIP).
    pips_by_group: np.ndarray = field(default_factory=lambda: _by_group())
    policy_exits_by_group: np.ndarray = field(default_factory=lambda: _by_group())

    @classmethod
    def for_groups(cls, groups: int) -> Counts:
        """Empty counts for an organization of ``groups`` demographic groups."""
        zeros = np.zeros(groups, dtype=np.int64)
        return cls(pips_by_group=zeros, policy_exits_by_group=zeros.copy())

    def copy(self) -> Counts:
        return dataclasses.replace(
            self,
            quits_by_quintile=self.quits_by_quintile.copy(),
            at_risk_by_quintile=self.at_risk_by_quintile.copy(),
            pips_by_group=self.pips_by_group.copy(),
            policy_exits_by_group=self.policy_exits_by_group.copy(),
        )

    def since(self, earlier: Counts) -> Counts:
        """What happened between ``earlier`` (a snapshot) and now."""
        return Counts(**{n: getattr(self, n) - getattr(earlier, n) for n in _FIELDS})

    def as_dict(self) -> dict[str, float]:
        """Totals by name, quintiles as ``quits_q1`` ... ``quit_checks_q5``; zeros left out
        (and the counts by group, which the metrics report)."""
        out: dict[str, float] = {}
        for f in dataclasses.fields(self):
            if f.name.endswith("_by_group"):
                continue
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                prefix = "quits_q" if f.name == "quits_by_quintile" else "quit_checks_q"
                out.update({f"{prefix}{q + 1}": float(v) for q, v in enumerate(value)})
            else:
                out[f.name] = float(value)
        return {k: v for k, v in sorted(out.items()) if v}


_FIELDS = tuple(f.name for f in dataclasses.fields(Counts))
