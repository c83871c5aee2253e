"""Fuzzing settings: hypothesis profiles sized by SIMLIB_FUZZ_CASES, and the case tally.

``make test`` runs 200 cases in all, derandomized so the default run is repeatable;
``make fuzz`` sets ``SIMLIB_FUZZ_CASES`` (default 1,000 there) and draws fresh random cases.
Each fuzz test takes its share of the total. At the end pytest prints how many cases were
tried, how many were refused with a message, and how many loaded and ran.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

DEFAULT_CASES = 200
TOTAL_CASES = int(os.environ.get("SIMLIB_FUZZ_CASES", DEFAULT_CASES))
EXPLORE = "SIMLIB_FUZZ_CASES" in os.environ

settings.register_profile(
    "simlib-fuzz",
    deadline=None,  # a hang is caught by the per-case alarm instead
    derandomize=not EXPLORE,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    print_blob=True,
)

# Shares of the total, one per fuzz test; they sum to 1.
SHARES = {
    "mutated": 0.40,
    "overrides": 0.15,
    "bytes": 0.20,
    "schema_random": 0.125,
    "valid_random": 0.125,
}

# Filled by the case runner: tried, refused, ran (module state, tests only).
TALLY: Counter[str] = Counter()


def cases(kind: str) -> settings:
    """Hypothesis settings running ``kind``'s share of the total number of cases."""
    return settings(
        settings.get_profile("simlib-fuzz"),
        max_examples=max(1, round(TOTAL_CASES * SHARES[kind])),
    )
