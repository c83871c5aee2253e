"""The registered mechanisms, in the order the calendar meets them.

The engine runs each hook's steps in this order (moved only by a step's ``after``
constraint) and starts the processes of each mechanism in this order. A new mechanism is
one module ending in a ``MECHANISM`` declaration, plus one line here.
"""

from __future__ import annotations

from simlib.mechanisms import (
    appeals,
    calibration,
    checkins,
    consequences,
    development,
    engagement,
    exits,
    expectations,
    goals,
    grading,
    hiring,
    incentives,
    layoffs,
    market,
    pay,
    promotion,
    raters,
    work,
)
from simlib.mechanisms.base import Mechanism

MECHANISMS: tuple[Mechanism, ...] = (
    # between reviews
    work.MECHANISM,
    exits.MECHANISM,
    layoffs.MECHANISM,
    hiring.MECHANISM,
    market.MECHANISM,
    # the review: rate, calibrate, grade, act on the grades
    raters.MECHANISM,
    calibration.MECHANISM,
    grading.MECHANISM,
    consequences.MECHANISM,
    appeals.MECHANISM,
    # what the review brings
    goals.MECHANISM,
    pay.MECHANISM,
    expectations.MECHANISM,
    incentives.MECHANISM,
    promotion.MECHANISM,
    development.MECHANISM,
    engagement.MECHANISM,
    checkins.MECHANISM,
)
