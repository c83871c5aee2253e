"""A turnover study on simulated organizations: who was rated what, and who left after.

Field studies of turnover take each employee's rating (and pay growth, promotions, tenure)
at one point and record whether they left in the following period, voluntarily or not.
:func:`person_years` builds that panel from a simulation: one row per person rated at a
review, with what the review brought them and whether they left before the next review.
:func:`logit` fits a logistic regression (Trevor, Gerhart & Boudreau 1997 fit one), and
:func:`corrected_correlation` applies the meta-analytic corrections of Bycio, Hackett &
Alvares (1990) to an observed rating-turnover correlation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib.mechanisms.base import Mechanism, Step
from simlib.scenario.definition import Scenario
from simlib.scenario.organization import WEEKS_PER_YEAR
from simlib.state.simulation_state import Review, SimState

PANEL_COLUMNS = [
    "week",  # the review (weeks)
    "row",  # position
    "score_z",  # rating score, standardized among those rated at this review
    "promoted",  # promoted at this review (0/1)
    "promotions",  # promotions so far, this one included
    "salary_growth",  # yearly salary growth since first seen (share), raises of this review in
    "years_seen",  # years since first seen at the start of a review
    "tenure_years",
    "voluntary",  # quit before the next review (0/1)
    "involuntary",  # left involuntarily from this review on, before the next review (0/1)
    "laid_off",  # laid off from this review on, before the next review (0/1)
    "team",  # team index of the position
    "performance",  # true cycle performance reviewed (SD units)
]


@dataclass
class PanelObserver:
    """Records every review's rated people once the review's consequences are settled.

    Add :attr:`mechanism` to a simulation's mechanisms; it draws no random numbers and
    changes nothing, so the simulation runs exactly as without it.
    """

    rows: list[dict[str, np.ndarray | float]] = field(default_factory=list)
    _first_salary: np.ndarray | None = None
    _first_week: np.ndarray | None = None
    _person: np.ndarray | None = None

    @property
    def mechanism(self) -> Mechanism:
        return Mechanism(
            "turnover_panel",
            steps=(Step("after_review", self.observe, after=("pay", "promotion")),),
            summary="records the rated and what the review brought them (a study, not a force)",
            observer=True,
        )

    def observe(self, sim: SimState, review: Review) -> None:
        wf = sim.workforce
        if self._person is None:
            self._person = np.full(wf.size, np.nan)
            self._first_salary = np.full(wf.size, np.nan)
            self._first_week = np.full(wf.size, np.nan)
        assert self._first_salary is not None and self._first_week is not None
        raises = review.raises if review.raises is not None else np.zeros(wf.size)
        promoted = np.zeros(wf.size, dtype=bool)
        promoted[review.promoted] = True
        raise_factor = (1.0 + raises) * np.where(promoted, 1.0 + _promotion_raise(sim), 1.0)
        # Someone new to a position is first seen now, at the salary they had before it.
        new = wf.active & (self._person != wf.hired_week)
        self._person[new] = wf.hired_week[new]
        self._first_salary[new] = wf.salary[new] / raise_factor[new]
        self._first_week[new] = np.maximum(wf.hired_week[new], 0.0)
        rated = review.rated
        still = wf.active[rated] & (wf.hired_week[rated] == review.rated_people)
        scores = review.scores[rated]
        sd = scores.std()
        years = (sim.now - self._first_week[rated]) / WEEKS_PER_YEAR
        with np.errstate(invalid="ignore", divide="ignore"):
            growth = (wf.salary[rated] / self._first_salary[rated]) ** (1.0 / years) - 1.0
        self.rows.append(
            {
                "week": sim.now,
                "row": rated,
                "hired_week": review.rated_people,
                "score_z": (scores - scores.mean()) / sd if sd > 0 else np.zeros(len(rated)),
                "promoted": promoted[rated].astype(float),
                "promotions": wf.level[rated].astype(float),
                "salary_growth": np.where(still, growth, np.nan),
                "years_seen": years,
                "tenure_years": (sim.now - review.rated_people) / WEEKS_PER_YEAR,
                "team": wf.chart.team[rated].astype(float),
                "performance": review.true_performance[rated],
            }
        )


def _promotion_raise(sim: SimState) -> float:
    rule = sim.policy.pay.promotion
    return 0.0 if rule is None else rule.raise_share


def person_years(
    scenario: Scenario, policy: str, seed: int, rep: int, neutral_quit_rate: float
) -> pd.DataFrame:
    """The panel of one simulated organization: one row per person rated at a review
    before the last, with whether they left before the next review (:data:`PANEL_COLUMNS`).

    ``neutral_quit_rate`` is the scenario's anchored intercept (the observer is a mechanism
    of its own, so the engine would otherwise solve it again for that mechanism set).
    """
    from simlib.engine.simulation import Simulation
    from simlib.mechanisms.registry import MECHANISMS

    observer = PanelObserver()
    sim = Simulation(
        scenario,
        policy,
        seed,
        rep,
        mechanisms=(*MECHANISMS, observer.mechanism),
        neutral_quit_rate=neutral_quit_rate,
    )
    sim.turnover.departures = []
    sim.run()
    departures = sim.turnover.departures or []
    reviews = observer.rows[:-1]  # the last review has no following period
    frames = []
    for i, obs in enumerate(reviews):
        start, end = float(obs["week"]), float(observer.rows[i + 1]["week"])
        left: dict[bool, set[tuple[int, float]]] = {True: set(), False: set()}
        laid_off: set[tuple[int, float]] = set()
        for d in departures:
            if start <= d.week < end:
                who = list(zip(d.rows.tolist(), d.hired_week.tolist(), strict=True))
                left[d.voluntary].update(who)
                if d.event == "layoff":
                    laid_off.update(who)
        people = list(
            zip(
                np.asarray(obs["row"]).tolist(), np.asarray(obs["hired_week"]).tolist(), strict=True
            )
        )
        frame = pd.DataFrame({k: v for k, v in obs.items() if k != "hired_week"})
        frame["voluntary"] = [float(p in left[True]) for p in people]
        frame["involuntary"] = [float(p in left[False]) for p in people]
        frame["laid_off"] = [float(p in laid_off) for p in people]
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=PANEL_COLUMNS)
    return pd.concat(frames, ignore_index=True)[PANEL_COLUMNS]


def logit(x: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression of ``y`` (0/1) on ``x`` (an intercept is added first).

    Returns the coefficients and their standard errors (Newton-Raphson; NaN if the
    information matrix is singular).
    """
    design = np.column_stack([np.ones(len(y)), x])
    beta = np.zeros(design.shape[1])
    info = np.eye(design.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        w = p * (1.0 - p)
        info = design.T @ (design * w[:, None])
        try:
            step = np.linalg.solve(info, design.T @ (y - p))
        except np.linalg.LinAlgError:
            return np.full(len(beta), np.nan), np.full(len(beta), np.nan)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    try:
        se = np.sqrt(np.diag(np.linalg.inv(info)))
    except np.linalg.LinAlgError:
        se = np.full(len(beta), np.nan)
    return beta, se


def base_rate_adjusted(r: float, p: float) -> float:
    """A point-biserial ``r`` at a split ``p`` adjusted to a 50/50 split (Kemery, Dunlap &
    Griffeth 1988): ``u r / sqrt((u^2 - 1) r^2 + 1)`` with ``u = 0.5 / sqrt(p (1 - p))``."""
    if not (0.0 < p < 1.0) or not math.isfinite(r):
        return math.nan
    u = 0.5 / math.sqrt(p * (1.0 - p))
    return u * r / math.sqrt((u * u - 1.0) * r * r + 1.0)


def moments(x: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Sufficient statistics of a correlation: ``n, sum x, sum y, sum x^2, sum y^2, sum xy``
    (they add up over samples, so pooled and bootstrap correlations come from sums)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(left, dtype=float)
    return np.array([len(x), x.sum(), y.sum(), x @ x, y @ y, x @ y])


def correlation_from_moments(m: np.ndarray) -> float:
    """The plain (point-biserial) correlation from :func:`moments` summed over samples."""
    n, sx, sy, sxx, syy, sxy = (float(v) for v in m)
    if n < 3:
        return math.nan
    var_x = sxx / n - (sx / n) ** 2
    var_y = syy / n - (sy / n) ** 2
    if var_x <= 1e-12 or var_y <= 1e-12:
        return math.nan
    return (sxy / n - sx * sy / n**2) / math.sqrt(var_x * var_y)


def corrected_from_moments(m: np.ndarray, rating_reliability: float) -> float:
    """:func:`corrected_correlation` from :func:`moments` summed over samples."""
    r = correlation_from_moments(m)
    share = float(m[2] / m[0]) if m[0] > 0 else math.nan
    return base_rate_adjusted(r, share) / math.sqrt(rating_reliability)


def corrected_correlation(x: np.ndarray, left: np.ndarray, rating_reliability: float) -> float:
    """The rating-turnover correlation with the artifact corrections of a meta-analysis.

    The observed point-biserial correlation of ratings ``x`` with leaving (0/1) is
    adjusted to a 50/50 turnover split (:func:`base_rate_adjusted`), then divided by the
    square root of the ratings' reliability (disattenuation).
    """
    return corrected_from_moments(moments(x, left), rating_reliability)
