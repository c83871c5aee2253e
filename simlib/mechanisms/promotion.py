"""Promotion: a high-potential pool from the top grades, and promotions out of it.

After a review, everyone graded in the best ``pool_grades`` grades joins the high-potential
pool and its development programme. The best-rated ``share_promoted`` of the pool,
organization-wide, are promoted. A promotion is a new job, not a label:

* **higher demands**: the promoted move one career level up (``wf.level``) and are rated
  against that level from then on: their performance, as their raters judge it, is
  ``behaviour.careers.level_demand_sd`` lower per level (:func:`level_demands`);
* **higher pay**: the promotion raise (``raise_share``), which counts as pay growth;
* **visibility outside**: outside employers read a promotion as evidence of performance.
  What they read into it is learned from the promotions the organization makes (the mean
  performance standing of everyone promoted so far, ``sim.turnover.promotion_signal_sd``);
  the quit hazard's pay-lag term then measures a promoted person's pay growth against that
  standing (:func:`simlib.mechanisms.exits.market_standing`). Someone promoted on a rating
  better than their work is paid below what the market now offers them unless pay keeps
  up: turnover after a promotion rises net of pay growth, most for weaker performers, as
  Trevor, Gerhart & Boudreau (1997) found.

The development programme's skill gain is bounded: it shrinks linearly to nothing as skill
approaches the coaching ceiling (:data:`simlib.mechanisms.checkins.SKILL_CEILING_SD`, 1 SD),
the same diminishing returns as coaching and training.
"""

from __future__ import annotations

import numpy as np

from simlib.mechanisms.base import Mechanism, Step
from simlib.mechanisms.checkins import coach
from simlib.mechanisms.exits import performance_z
from simlib.state.simulation_state import Review, SimState
from simlib.state.workforce import largest_remainder


def level_demands(sim: SimState) -> np.ndarray | float:
    """What each position's career level demands beyond the entry level (SD units).

    Raters judge performance against it; 0.0 when the policy promotes nobody.
    """
    if sim.policy.pay.promotion is None:
        return 0.0
    return sim.scenario.behaviour.careers.level_demand_sd * sim.workforce.level


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
    coach(sim, pool, rule.development_sd)
    n_promoted = int(
        largest_remainder(len(pool), np.array([rule.share_promoted, 1 - rule.share_promoted]))[0]
    )
    order = np.lexsort((pool, -scores[pool]))
    promoted = pool[order[:n_promoted]]
    sim.turnover.learn_promotion_signal(performance_z(sim)[promoted])
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
    summary="a high-potential pool with bounded development; promotions into a more "
    "demanding, better paid and more visible job",
)
