"""Promotion: a high-potential pool from the top grades, and promotions out of it.

After a review, everyone graded in the best ``pool_grades`` grades joins the high-potential
pool and its development programme (a skill gain). The best-rated ``share_promoted`` of the
pool, organization-wide, are promoted: a career level up and a promotion raise.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.state.simulation_state import Review, SimState
from simlib.state.workforce import largest_remainder


def promote(sim: SimState, grades: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Apply the policy's promotion rule; return the promoted positions.

    Parameters
    ----------
    grades
        This review's grade of each position (-1 = not rated), 0 = best.
    scores
        This review's rating scores (SD units); ties are broken by position.
    """
    rule = sim.policy.pay.promotion
    wf = sim.workforce
    if rule is None:
        return np.zeros(0, dtype=np.int64)
    pool = np.flatnonzero(wf.active & (grades >= 0) & (grades < rule.pool_grades))
    sim.counts.high_potential_pool += len(pool)
    wf.skill[pool] += rule.development_sd
    n_promoted = int(
        largest_remainder(len(pool), np.array([rule.share_promoted, 1 - rule.share_promoted]))[0]
    )
    order = np.lexsort((pool, -scores[pool]))
    promoted = pool[order[:n_promoted]]
    wf.level[promoted] += 1
    wf.salary[promoted] *= 1.0 + rule.raise_share
    growth = np.nan_to_num(wf.pay_growth[promoted], nan=sim.pay.drift)
    wf.pay_growth[promoted] = (1.0 + growth) * (1.0 + rule.raise_share) - 1.0
    sim.counts.promotions += len(promoted)
    return promoted


def promote_after_review(sim: SimState, review: Review) -> None:
    review.promoted = promote(sim, review.grades, review.scores)


MECHANISM = Mechanism(
    "promotion",
    steps=(Step("after_review", promote_after_review),),
    summary="a high-potential pool from the top grades, development and promotions out of it",
)
