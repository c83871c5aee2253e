"""The assumptions an HR export can identify, each with the box it is fitted in.

An assumption is fitted only when the observed moments that identify it are present; the
others keep their literature range and are listed as unidentified. The box of each is its
size register range (:mod:`simlib.scenario.sizes`) where it has one, inside the field's
own bounds; where the register gives none, the box below is an assumption, said so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from simlib.scenario.definition import Scenario
from simlib.scenario.fields import find
from simlib.scenario.sizes import Size

INTERCEPT = "behaviour.voluntary_quit_rate"
"""Fitted through the quit hazard's intercept (the yearly quit rate at neutral conditions,
no solve per trial); the calibrated scenario states the rate the status quo then realises."""

INTERCEPT_BOX = (0.02, 0.50)
"""The intercept's box: the realised rate's range 0.05-0.36 (SHRM 2008 benchmarks, in the
field's description) widened for the hazard's terms, which average roughly 0.7-1.4x."""


@dataclass(frozen=True)
class Assumption:
    """One assumption a calibration may fit."""

    path: str  # the scenario field (dotted)
    low: float
    high: float
    identified_by: tuple[str, ...]  # moment names (or name prefixes ending in ':')
    basis: str  # where the box comes from

    def identified(self, moments: Iterable[str]) -> bool:
        names = set(moments)
        return any(
            (m in names) if not m.endswith(":") else any(n.startswith(m) for n in names)
            for m in self.identified_by
        )


def literature_range(path: str, fallback: tuple[float, float] | None = None) -> tuple[float, float]:
    """The register's range of the field at ``path``, clipped to the field's bounds."""
    record = find(Scenario, path)
    size = Size.from_json(record.extra)
    if size is not None and size.has_range:
        low, high = float(size.low or 0.0), float(size.high or 0.0)
    elif fallback is not None:
        low, high = fallback
    else:
        raise ValueError(f"{path} has no literature range")
    if record.low is not None:
        low = max(low, record.low)
    if record.high is not None:
        high = min(high, record.high)
    return low, high


LENIENCY_BOX = (0.2, 0.9)
"""behaviour.raters.leniency_sd has no published range (it is calibrated with
idiosyncratic_sd inside the 53-62% idiosyncratic share of Scullen, Mount & Goff 2000, which
cannot split leniency from rater-by-ratee impressions): assumption, half to twice the
default 0.45."""

ERROR_BOX = (0.36, 1.44)
"""behaviour.raters.error_sd has no published range (it is calibrated so that random error
is 11-18% of rating variance, Scullen, Mount & Goff 2000, a share across studies, not a
bound on one organization): assumption, half to twice the default 0.72."""


def candidates(scenario: Scenario) -> list[Assumption]:
    """The assumptions this scenario's model lets the data speak to."""
    out = [
        Assumption(
            INTERCEPT,
            *INTERCEPT_BOX,
            ("voluntary_attrition",),
            "quit hazard intercept; realised rate's range 0.05-0.36 (SHRM 2008) widened for "
            "the hazard's terms",
        )
    ]
    if scenario.behaviour.exits is not None:
        path = "behaviour.exits.u_curvature"
        out.append(
            Assumption(
                path,
                *literature_range(path),
                ("voluntary_attrition_by_grade:",),
                "size register (Trevor, Gerhart & Boudreau 1997 shape)",
            )
        )
        path = "behaviour.exits.pay_lag_sensitivity"
        out.append(
            Assumption(
                path,
                *literature_range(path),
                ("raise_by_grade:",),
                "size register (Trevor, Gerhart & Boudreau 1997; Nyberg 2010 direction); "
                "needs raises by grade beside quits by grade",
            )
        )
    raters = scenario.behaviour.raters
    if raters.model == "reliability":
        path = "behaviour.raters.reliability"
        out.append(
            Assumption(
                path,
                *literature_range(path),
                ("rating_stability", "manager_mean_rating_sd"),
                "size register (Viswesvaran, Ones & Schmidt 1996 .52; Scullen et al. 2005 .70)",
            )
        )
    else:
        path = "behaviour.raters.leniency_sd"
        out.append(
            Assumption(
                path,
                *literature_range(path, LENIENCY_BOX),
                ("manager_mean_rating_sd",),
                "assumption: half to twice the calibrated 0.45 (Scullen, Mount & Goff 2000)",
            )
        )
        # The biased rater's counterpart of reliability: the per-cycle rating error, fresh
        # each cycle, sets how stable ratings are from year to year (halo, the carry-over of
        # last year's rating, moves the same moment but keeps its literature range).
        path = "behaviour.raters.error_sd"
        out.append(
            Assumption(
                path,
                *literature_range(path, ERROR_BOX),
                ("rating_stability",),
                "assumption: half to twice the calibrated 0.72 (Scullen, Mount & Goff 2000: "
                "random error 11-18% of rating variance)",
            )
        )
    return out


def split_identified(
    scenario: Scenario, moments: Iterable[str]
) -> tuple[list[Assumption], list[Assumption]]:
    """(identified, unidentified) assumptions given the observed moment names."""
    names = list(moments)
    found = candidates(scenario)
    return [a for a in found if a.identified(names)], [a for a in found if not a.identified(names)]
