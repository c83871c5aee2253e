"""Drawing a replication's assumptions from a calibration's posterior.

``simlib compare CAL/scenario.yaml --posterior CAL/posterior.parquet``: replication ``r``
draws one row of the posterior with probability ``weight``, from a stream seeded by
``(seed, r)`` alone, so every policy of replication ``r`` runs with the same assumptions
(common random numbers hold across policies) and the same command draws the same rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simlib.errors import ScenarioError
from simlib.i18n import _
from simlib.scenario.definition import Scenario
from simlib.scenario.dotted import PathError
from simlib.scenario.fields import find

NOT_FIELDS = ("weight", "distance", "neutral_quit_rate")
"""Posterior columns that are not scenario fields (the intercept is solved again from the
quit rate drawn)."""

STREAM = 0x9057  # the draws' own stream, apart from the model's


def read_posterior(path: Path) -> pd.DataFrame:
    """A posterior written by ``simlib calibrate``: field-path columns and ``weight``."""
    if not Path(path).is_file():
        raise ScenarioError(_("--posterior {path}: no such file").format(path=path))
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise ScenarioError(
            _("--posterior {path}: not a Parquet table ({problem})").format(path=path, problem=exc)
        ) from None
    weight = pd.to_numeric(frame["weight"], errors="coerce") if "weight" in frame.columns else None
    if weight is None or not (weight >= 0).all() or weight.sum() <= 0:
        raise ScenarioError(_("--posterior {path}: no positive 'weight' column").format(path=path))
    for column in frame.columns:
        if column in NOT_FIELDS:
            continue
        try:
            find(Scenario, column)
        except PathError as exc:
            raise ScenarioError(
                _("--posterior {path}: column {column} is not a scenario field ({problem})").format(
                    path=path, column=column, problem=exc
                )
            ) from None
    return frame


def draw_rows(posterior: pd.DataFrame, reps: int, seed: int) -> list[int]:
    """The posterior row each replication uses."""
    w = posterior["weight"].to_numpy(float)
    w = w / w.sum()
    return [
        int(np.random.default_rng([seed, rep, STREAM]).choice(len(w), p=w)) for rep in range(reps)
    ]


def assumptions_of(posterior: pd.DataFrame, row: int) -> dict[str, Any]:
    """The overrides one posterior row stands for."""
    return {c: float(posterior[c].iloc[row]) for c in posterior.columns if c not in NOT_FIELDS}
