"""The observed moments a calibration reads, checked, and their sampling variances.

The sampling variance of each observed moment (no bootstrap: observed.csv carries a value
and its count ``n``):

* a share or rate ``p`` over ``n`` people: binomial, ``p (1 - p) / n`` (``p`` kept at
  least ``0.5 / n`` from 0 and 1, so an observed zero still has a variance);
* a correlation ``r`` over ``n`` pairs: ``(1 - r^2)^2 / (n - 1)`` (Fisher 1915's large-sample
  variance of Pearson's r);
* an SD ``s`` over ``n`` managers: ``s^2 / (2 (n - 1))`` (the normal-theory variance of a
  sample SD);
* a mean raise: not used in the distance (observed.csv does not carry the raises' spread),
  only reported.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simlib.errors import ScenarioError
from simlib.i18n import _

COLUMNS = ("moment", "value", "n", "cycle")
SHARES = ("voluntary_attrition", "involuntary_attrition")
SHARE_PREFIXES = ("voluntary_attrition_by_grade:", "grade_share:")
CORRELATIONS = ("rating_stability",)
SDS = ("manager_mean_rating_sd",)
REPORTED_ONLY = ("raise_by_grade:",)


def known_names(grades: tuple[str, ...] | list[str]) -> set[str]:
    """Every moment name the contract defines for this grade scale."""
    names = set(SHARES) | set(CORRELATIONS) | set(SDS)
    for prefix in (*SHARE_PREFIXES, *REPORTED_ONLY):
        names |= {prefix + g for g in grades}
    return names


def read_observed(path: Path, grades: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """observed.csv checked against the contract: columns, known moments, usable rows.

    Raises
    ------
    ScenarioError
        Naming the file and what is wrong (exit 2 at the command line).
    """
    if not path.is_file():
        raise ScenarioError(_("--observed {path}: no such file").format(path=path))
    try:
        frame = pd.read_csv(path)
    except (ValueError, OSError) as exc:
        raise ScenarioError(
            _("--observed {path}: not a CSV table ({problem})").format(path=path, problem=exc)
        ) from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ScenarioError(
            _("--observed {path}: missing columns {names}; expected {expected}").format(
                path=path, names=", ".join(missing), expected=", ".join(COLUMNS)
            )
        )
    frame = frame[list(COLUMNS)].copy()
    frame["moment"] = frame["moment"].astype(str)
    unknown = sorted(set(frame["moment"]) - known_names(grades))
    if unknown:
        raise ScenarioError(
            _(
                "--observed {path}: unknown moment {name}; known for grades {grades}: {known}"
            ).format(
                path=path,
                name=unknown[0],
                grades=", ".join(grades),
                known=", ".join(sorted(known_names(grades))),
            )
        )
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["n"] = pd.to_numeric(frame["n"], errors="coerce")
    frame["cycle"] = pd.to_numeric(frame["cycle"], errors="coerce").astype("Int64")
    usable = frame["value"].notna() & (frame["n"] >= 2) & ~reported_only(frame["moment"])
    if not usable.any():
        raise ScenarioError(
            _(
                "--observed {path}: no usable moment (each needs a value and n >= 2; raises "
                "alone cannot calibrate)"
            ).format(path=path)
        )
    frame = frame[frame["value"].notna()].reset_index(drop=True)
    if is_snapshot(frame):
        frame["cycle"] = pd.array([pd.NA] * len(frame), dtype="Int64")
        frame.attrs["shape"] = "snapshot"
    return frame


def is_snapshot(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` holds a snapshot export's moments: one cycle and nothing pooled
    (:mod:`simlib.hr.moments`: a history always has pooled rows beside its cycles). A
    snapshot's one cycle is all there is, so :func:`read_observed` gives its moments as
    pooled, and calibration simulates the model's snapshot to compare them with
    (:func:`simlib.calibration.simulated.snapshot_moments`)."""
    cycles = frame["cycle"]
    return bool(len(frame) and cycles.notna().all() and cycles.nunique() == 1)


def reported_only(moments: pd.Series) -> pd.Series:
    """Moments shown in the outputs but left out of the distance."""
    return moments.str.startswith(REPORTED_ONLY)


def sampling_variance(moment: str, value: float, n: float) -> float:
    """The observed moment's sampling variance (see the module docstring)."""
    n = max(float(n), 2.0)
    if moment in CORRELATIONS:
        return (1.0 - min(value * value, 0.999)) ** 2 / (n - 1.0)
    if moment in SDS:
        return max(value * value, 1e-4) / (2.0 * (n - 1.0))
    p = float(np.clip(value, 0.5 / n, 1.0 - 0.5 / n))
    return p * (1.0 - p) / n


def key(moment: str, cycle: object) -> str:
    """``moment@cycle``, or the name alone for a pooled moment."""
    return moment if pd.isna(cycle) else f"{moment}@{int(cycle)}"  # type: ignore[call-overload]
