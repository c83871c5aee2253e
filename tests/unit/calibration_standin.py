"""A cheap stand-in for the status quo's recorded moments, for testing the fitter alone.

Each moment moves with one assumption as the model's would (turnover with the intercept,
the U-shape with quits by grade, leniency with managers' spread, the rating error with
stability) plus binomial or normal noise seeded by (seed, rep); it is not the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

GRADE_Z = (1.5, 0.7, 0.0, -0.9, -1.6)
HEADCOUNT = 600


def standin_moments(scenario, seed, rep, neutral_quit_rate):  # noqa: ANN001, ANN201
    rng = np.random.default_rng([seed, rep, 77])
    beh = scenario.behaviour
    u = beh.exits.u_curvature
    grades = scenario.policies[scenario.baseline].rating.grades
    rate = neutral_quit_rate if neutral_quit_rate is not None else beh.voluntary_quit_rate
    rows = []
    cycles = scenario.environment.years
    quits = []
    for k in range(1, cycles + 1):
        p = min(0.9, rate * np.mean(np.exp(u * np.square(GRADE_Z))))
        q = rng.binomial(HEADCOUNT, p)
        quits.append(q)
        rows.append(("voluntary_attrition", q / HEADCOUNT, HEADCOUNT, k))
        per = HEADCOUNT // len(grades)
        for g, z in zip(grades, GRADE_Z, strict=False):
            if k >= 2:
                pg = min(0.9, rate * np.exp(u * z * z))
                rows.append(
                    (f"voluntary_attrition_by_grade:{g}", rng.binomial(per, pg) / per, per, k)
                )
        sd = 0.25 + 0.8 * beh.raters.leniency_sd + rng.normal(0, 0.03)
        rows.append(("manager_mean_rating_sd", sd, 60, k))
        if k >= 2:
            r = 0.55 - 0.4 * (beh.raters.error_sd - 0.72) + rng.normal(0, 0.02)
            rows.append(("rating_stability", r, HEADCOUNT, k))
    rating = scenario.policies[scenario.baseline].rating
    if rating.scheme == "absolute":  # scores N(0, 1.2^2) against the thresholds
        above = [float(norm.sf(t / 1.2)) for t in rating.grade_thresholds()] + [1.0]
        for g, share in zip(grades, np.diff([0.0, *above]), strict=True):
            rows.append((f"grade_share:{g}", share + rng.normal(0, 0.002), HEADCOUNT, pd.NA))
    rows.append(
        ("voluntary_attrition", sum(quits) / (HEADCOUNT * cycles), HEADCOUNT * cycles, pd.NA)
    )
    frame = pd.DataFrame(rows, columns=["moment", "value", "n", "cycle"])
    frame["cycle"] = frame["cycle"].astype("Int64")
    per = frame[frame["cycle"].notna() & (frame["moment"] != "voluntary_attrition")]
    pooled = per.groupby("moment", sort=False).agg(value=("value", "mean"), n=("n", "sum"))
    pooled = pooled.reset_index().assign(cycle=pd.array([pd.NA] * len(pooled), dtype="Int64"))
    return pd.concat([frame, pooled], ignore_index=True)
