"""Random streams: one independent ``numpy.random.Generator`` per mechanism and replication.

All randomness of a replication comes from one seed. Each mechanism (hiring, rating noise,
quits, shocks, ...) draws from its own child stream, keyed by the replication number and
the mechanism's name, never by the policy. So every policy compared in a replication sees
the same initial workforce, the same applicants in the same order and the same shocks:
common random numbers, which make differences between policies paired.
"""

from __future__ import annotations

import copy
import functools
import zlib

import numpy as np


def stream(seed: int, rep: int, mechanism: str) -> np.random.Generator:
    """The generator for ``mechanism`` in replication ``rep`` of an experiment seeded ``seed``."""
    return np.random.Generator(copy.copy(_seeded(seed, rep, mechanism)))


@functools.lru_cache(maxsize=1024)
def _seeded(seed: int, rep: int, mechanism: str) -> np.random.PCG64:
    """The stream's bit generator as seeded, never drawn from: every policy of a replication
    starts a copy of it (seeding costs several times what copying does)."""
    key = zlib.crc32(mechanism.encode("utf-8"))
    return np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(rep, key)))


class Streams:
    """Lazily created, named streams of one replication."""

    def __init__(self, seed: int, rep: int) -> None:
        self.seed = seed
        self.rep = rep
        self._cache: dict[str, np.random.Generator] = {}

    def __getitem__(self, mechanism: str) -> np.random.Generator:
        gen = self._cache.get(mechanism)
        if gen is None:
            gen = self._cache[mechanism] = stream(self.seed, self.rep, mechanism)
        return gen
