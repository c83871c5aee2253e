"""The ledger keeps every record, in order, in arrays sized for the run."""

from __future__ import annotations

import math

import numpy as np

from simlib.metrics.catalogue import METRICS
from simlib.metrics.ledger import Ledger


def test_records_beyond_the_room_made_for_them_are_kept_in_order():
    ledger = Ledger(reviews=0)
    names = list(METRICS)
    expected = [(float(i), names[i % len(names)], 0.5 * i) for i in range(3 * len(names) + 1)]
    for week, metric, value in expected:
        ledger.record(week, metric, value)
    ledger.record(99.0, "headcount", None)  # undefined: left out
    ledger.record(99.0, "headcount", math.inf)  # invalid: dropped without a listener
    assert list(ledger.records()) == expected
    frame = ledger.frame("okr", 3)
    assert list(frame.columns) == ["policy", "rep", "week", "metric", "value"]
    assert (frame["policy"] == "okr").all() and (frame["rep"] == 3).all()
    assert frame["metric"].tolist() == [m for _, m, _ in expected]
    assert np.array_equal(frame["value"].to_numpy(), [v for *_, v in expected])


def test_an_invalid_value_goes_to_the_listener():
    seen = []
    ledger = Ledger(on_invalid=lambda metric, value: seen.append((metric, value)), reviews=1)
    ledger.record(52.0, "payroll", np.float64("nan"))
    assert len(seen) == 1 and seen[0][0] == "payroll" and math.isnan(seen[0][1])
    assert ledger.size == 0
