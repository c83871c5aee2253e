"""The files a calibration writes into CAL (each atomically) and their manifest.

* ``scenario.yaml``: the calibrated scenario (status quo included), a comment beside each
  calibrated value with its 90% posterior interval;
* ``fit.csv``: ``moment, cycle, observed, simulated, lower, upper, within, used``;
* ``posterior.parquet``: the draws, one column per field path, ``neutral_quit_rate`` (the
  quit hazard's intercept drawn) and ``weight``;
* ``backtest.csv`` (``--holdout last``): ``moment, observed, predicted, lower, upper, naive,
  within``;
* ``manifest.json``: simlib's version, the inputs' hashes, seeds, budget, the identified and
  unidentified assumptions and the effective sample size.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from simlib.calibration.fit import Calibration, backtest, fit_table
from simlib.i18n import _
from simlib.storage.atomic import atomic_write_bytes, atomic_write_text
from simlib.storage.checksums import file_sha256
from simlib.storage.provenance import provenance
from simlib.storage.store import write_manifest

SCENARIO = "scenario.yaml"
FIT = "fit.csv"
POSTERIOR = "posterior.parquet"
BACKTEST = "backtest.csv"


def commented_yaml(data: Mapping[str, Any], comments: Mapping[str, str], header: str) -> str:
    """``data`` as YAML with ``# comment`` after the line of each dotted path in ``comments``."""
    lines = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True).splitlines()
    stack: list[tuple[int, str]] = []
    out = []
    for line in lines:
        text = line.lstrip(" ")
        indent = len(line) - len(text)
        name = text.partition(":")[0] if ":" in text and not text.startswith("- ") else None
        if name is not None:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            stack.append((indent, name))
            path = ".".join(n for _i, n in stack)
            if path in comments:
                line = f"{line}  # {comments[path]}"
        out.append(line)
    return header + "\n".join(out) + "\n"


def write_outputs(
    cal: Calibration,
    out: Path,
    inputs: Mapping[str, Path],
    budget: Mapping[str, int],
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write every output of ``cal`` into ``out``; return their paths by name."""
    out.mkdir(parents=True, exist_ok=True)
    comments = {}
    for a in cal.identified:
        low, high = cal.interval(a.path)
        comments[a.path] = _("calibrated; 90% interval {low:.3g}-{high:.3g}").format(
            low=low, high=high
        )
    header = "# " + _("Calibrated by simlib calibrate to the observed moments (see fit.csv)") + "\n"
    paths = {
        "scenario": atomic_write_text(
            out / SCENARIO, commented_yaml(cal.scenario.restated(), comments, header)
        ),
        "fit": atomic_write_text(out / FIT, fit_table(cal).to_csv(index=False)),
    }
    buffer = io.BytesIO()
    cal.particles.to_parquet(buffer, index=False)
    paths["posterior"] = atomic_write_bytes(out / POSTERIOR, buffer.getvalue())
    if cal.holdout == "last":
        paths["backtest"] = atomic_write_text(out / BACKTEST, backtest(cal).to_csv(index=False))
    manifest = provenance(cal.seed, cal.reps, scenario=cal.scenario)
    manifest.update(
        {
            "command": "calibrate",
            "inputs": {name: file_sha256(p) for name, p in inputs.items()},
            "budget": dict(budget),
            "holdout": cal.holdout,
            "identified": {
                a.path: {"best": cal.point(a.path), "interval90": list(cal.interval(a.path))}
                for a in cal.identified
            },
            "unidentified": {a.path: [a.low, a.high] for a in cal.unidentified},
            "effective_sample_size": cal.ess,
            "kernel_bandwidth": cal.bandwidth,
            "covariance_shrinkage": cal.shrinkage,
            "realised_voluntary_quit_rate": cal.realised_quit_rate,
            "outputs": {p.name: file_sha256(p) for p in paths.values()},
            **dict(extra or {}),
        }
    )
    paths["manifest"] = write_manifest(out, manifest)
    return paths
