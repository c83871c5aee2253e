"""Results of a comparison: the tidy frame, summaries with confidence intervals, provenance.

Analysis and plotting read Results, never the engine. Confidence intervals are 95%
Student-t intervals over replications; paired differences are taken replication by
replication against the baseline policy, which common random numbers make tight.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simlib.metrics.catalogue import METRIC_UNITS
from simlib.storage.provenance import provenance
from simlib.storage.store import read_comparison, write_comparison

FRAME_COLUMNS = ["policy", "rep", "week", "metric", "value"]


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval over replications (NaN where undefined)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan
    mean = float(x.mean())
    if n < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * float(x.std(ddof=1)) / np.sqrt(n)
    return mean, mean - half, mean + half


def _interval(values: pd.Series) -> pd.Series:
    x = values.to_numpy(dtype=float)
    mean, low, high = mean_ci(x)
    sd = float(x.std(ddof=1)) if len(x) >= 2 else np.nan
    return pd.Series({"mean": mean, "ci_low": low, "ci_high": high, "sd": sd, "n": len(x)})


class Results:
    """Outcomes of ``policies x replications`` of one scenario.

    Attributes
    ----------
    frame
        Tidy records ``policy, rep, week, metric, value``.
    manifest
        Provenance: simlib version, scenario hash, seed, reps, resolved parameters, time.
    """

    def __init__(self, frame: pd.DataFrame, manifest: dict[str, Any]) -> None:
        self.frame = frame[FRAME_COLUMNS].reset_index(drop=True)
        self.manifest = manifest

    @property
    def policies(self) -> list[str]:
        return list(self.manifest["policies"])

    @property
    def baseline(self) -> str:
        return str(self.manifest["baseline"])

    @property
    def metrics(self) -> list[str]:
        return list(dict.fromkeys(self.frame["metric"]))

    def at_horizon(self) -> pd.DataFrame:
        """One value per policy, replication and metric: the metric's last recorded week."""
        f = self.frame
        last = f.groupby("metric")["week"].transform("max")
        return f[f["week"] == last].drop(columns="week")

    def at_week(self, week: float) -> pd.DataFrame:
        """Values at the last record at or before ``week`` for each metric."""
        f = self.frame[self.frame["week"] <= week]
        last = f.groupby("metric")["week"].transform("max")
        return f[f["week"] == last]

    def summary(self, metrics: list[str] | None = None) -> pd.DataFrame:
        """Per policy and metric at the horizon: mean, 95% CI, SD and replications."""
        h = self.at_horizon()
        if metrics is not None:
            h = h[h["metric"].isin(metrics)]
        out = h.groupby(["policy", "metric"], sort=False)["value"].apply(_interval).unstack()
        out["n"] = out["n"].astype(int)
        return out.reset_index().pipe(self._ordered)

    def paired_diff(
        self, baseline: str | None = None, metrics: list[str] | None = None
    ) -> pd.DataFrame:
        """Each policy minus the baseline, paired by replication, at the horizon (95% CI)."""
        baseline = baseline or self.baseline
        if baseline not in self.policies:
            raise ValueError(f"baseline {baseline!r} is not one of {self.policies}")
        h = self.at_horizon()
        if metrics is not None:
            h = h[h["metric"].isin(metrics)]
        wide = h.pivot_table(index=["metric", "rep"], columns="policy", values="value")
        rows = []
        for policy in self.policies:
            if policy == baseline or policy not in wide:
                continue
            diff = (wide[policy] - wide[baseline]).dropna()
            for metric, values in diff.groupby(level="metric", sort=False):
                stats_row = _interval(values)
                rows.append(
                    {
                        "policy": policy,
                        "baseline": baseline,
                        "metric": metric,
                        **stats_row.to_dict(),
                    }
                )
        out = pd.DataFrame(
            rows, columns=["policy", "baseline", "metric", "mean", "ci_low", "ci_high", "sd", "n"]
        )
        out["n"] = out["n"].astype(int)
        return self._ordered(out)

    def over_time(self, metrics: list[str] | None = None) -> pd.DataFrame:
        """Per policy, week and metric: mean over replications and 95% CI."""
        f = self.frame if metrics is None else self.frame[self.frame["metric"].isin(metrics)]
        out = f.groupby(["policy", "metric", "week"], sort=False)["value"].apply(_interval)
        return out.unstack().reset_index()

    def _ordered(self, table: pd.DataFrame) -> pd.DataFrame:
        order = {m: i for i, m in enumerate(list(METRIC_UNITS) + self.metrics)}
        pol = {p: i for i, p in enumerate(self.policies)}
        key = table["policy"].map(pol).fillna(len(pol)) * 10_000 + table["metric"].map(order)
        return table.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)

    # --- files ------------------------------------------------------------------------

    def save(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``results.parquet``, ``summary.csv`` and ``manifest.json`` as a set.

        The set is built beside ``out_dir`` and swapped in whole, so an interrupted save
        leaves the old set or the new one; a folder of another kind, or a file, is refused
        (see :func:`simlib.storage.store.write_comparison`).
        """
        return write_comparison(out_dir, self.frame, self.summary(), self.manifest)

    @classmethod
    def load(cls, out_dir: str | Path) -> Results:
        """Read a saved comparison, after verifying each file against its checksum."""
        frame, manifest = read_comparison(out_dir)
        return cls(frame, manifest)


def build_manifest(
    scenario: Any, policies: list[str], baseline: str, reps: int, seed: int, **extra: Any
) -> dict[str, Any]:
    """Provenance of a comparison: version, scenario hash, seeds, parameters, time."""
    manifest = provenance(seed, reps, scenario=scenario, list_replications=True)
    manifest.update(policies=policies, baseline=baseline, **extra)
    return manifest
