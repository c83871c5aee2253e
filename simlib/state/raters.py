"""The raters' memory: each team's rater, their drawn traits, and what they remember.

Declared here, below the mechanisms, because it is state the rater mechanism keeps between
reviews: traits drawn for every new manager, the last rating of each person (halo), and the
performance snapshot at the start of a cycle's late part (recency).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from simlib.scenario.organization import Organization
from simlib.scenario.rater_behaviour import RaterBehaviour
from simlib.scenario.rating import RatingPolicy
from simlib.state.workforce import Workforce

NO_PERSON = -np.inf  # ``hired_week`` marker: no rater drawn / no last rating


@dataclass
class RaterTraits:
    """Effective traits of each team's rater under one policy (arrays indexed by team)."""

    leniency: np.ndarray  # rating SD units
    compression: np.ndarray  # 0–1
    halo: np.ndarray  # 0–1
    recency: np.ndarray  # 0–1
    similar_to_me: np.ndarray  # rating SD units
    group: np.ndarray  # group index of the rater
    trained: np.ndarray  # bool


class RaterPanel:
    """The raters of one simulation: one per team, and what they remember.

    Traits are drawn from the ``raters`` stream for every new manager, teams in index
    order, a fixed number of draws each, so the k-th new rater of a replication has the
    same traits under every policy. A team whose manager position is vacant keeps its last
    rater (the acting manager). Teams without a manager position have a virtual rater,
    drawn once.
    """

    DRAWS_PER_RATER = 3  # leniency, training lottery, group of a virtual rater

    def __init__(self, workforce: Workforce, org: Organization, beh: RaterBehaviour) -> None:
        n_teams = len(workforce.chart.team_manager)
        self.leniency_z = np.zeros(n_teams)
        self.training_u = np.ones(n_teams)
        self.group = np.zeros(n_teams, dtype=np.int64)
        self.identity = np.full(n_teams, NO_PERSON)  # hired_week of the manager drawn for
        self.drawn = np.zeros(n_teams, dtype=bool)
        self.last_score = np.full(workforce.size, np.nan)
        self.last_score_person = np.full(workforce.size, NO_PERSON)
        names = list(org.groups)
        self.group_share = np.array(list(org.groups.values()), dtype=float)
        chosen = beh.similar_to_me_groups
        self.biased_groups = np.array(
            [1.0 if chosen is None or g in chosen else 0.0 for g in names], dtype=float
        )
        self.snapshot_week = NO_PERSON
        self.snapshot_perf = np.zeros(workforce.size)
        self.snapshot_weeks = np.zeros(workforce.size)

    def refresh(self, workforce: Workforce, rng: np.random.Generator) -> np.ndarray:
        """Draw traits for teams whose manager changed (or never had a rater); return them."""
        managers = workforce.chart.team_manager
        real = managers >= 0
        who = np.where(real, workforce.hired_week[np.maximum(managers, 0)], NO_PERSON)
        filled = np.where(real, workforce.active[np.maximum(managers, 0)], False)
        new = ~self.drawn | (real & filled & (who != self.identity))
        teams = np.flatnonzero(new)
        if len(teams) == 0:
            return teams
        z = rng.standard_normal((len(teams), self.DRAWS_PER_RATER))
        self.leniency_z[teams] = z[:, 0]
        self.training_u[teams] = _uniform(z[:, 1])
        cdf = np.cumsum(self.group_share)
        virtual_group = np.minimum(
            np.searchsorted(cdf, _uniform(z[:, 2]), side="right"), len(cdf) - 1
        )
        mgr = managers[teams]
        self.group[teams] = np.where(mgr >= 0, workforce.group[np.maximum(mgr, 0)], virtual_group)
        self.identity[teams] = who[teams]
        self.drawn[teams] = True
        return teams

    def traits(self, beh: RaterBehaviour, rating: RatingPolicy) -> RaterTraits:
        """Each team's rater's effective traits, after rater training."""
        trained = self.training_u < rating.rater_training
        keep = 1.0 - beh.training_effect * trained
        return RaterTraits(
            leniency=beh.leniency_sd * self.leniency_z * keep,
            compression=beh.compression * keep,
            halo=beh.halo * keep,
            recency=beh.recency * keep,
            similar_to_me=beh.similar_to_me * keep,
            group=self.group,
            trained=trained,
        )

    # --- memory of past ratings (halo) ------------------------------------------------

    def last_rating(self, workforce: Workforce, rows: np.ndarray) -> np.ndarray:
        """The last final rating of the person now in each row (``nan`` if none)."""
        same = self.last_score_person[rows] == workforce.hired_week[rows]
        return np.where(same, self.last_score[rows], np.nan)

    def remember(self, workforce: Workforce, rows: np.ndarray, scores: np.ndarray) -> None:
        self.last_score[rows] = scores
        self.last_score_person[rows] = workforce.hired_week[rows]

    # --- the late part of the cycle (recency) -----------------------------------------

    def snapshot(self, workforce: Workforce, week: float) -> None:
        """Record everyone's performance integral at ``week`` (the start of the late part)."""
        self.snapshot_week = week
        self.snapshot_perf[:] = workforce.perf_cum
        self.snapshot_weeks[:] = workforce.weeks_cum


def _uniform(z: np.ndarray) -> np.ndarray:
    return ndtr(z)
