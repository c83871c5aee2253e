"""The candidate pool: the next hires, already chosen from their applicants, in hiring order.

State kept by the hiring mechanism. Drawing the applicants of many hires at once costs about
what drawing one costs, so the hiring mechanism draws hires in blocks from the hiring stream
and keeps those not yet hired here. Each hire uses a fixed number of draws, so the k-th hire
of a replication is the same person whatever the block size and under every policy.
"""

from __future__ import annotations

import numpy as np


class CandidatePool:
    """Hires drawn but not yet hired: potential (SD units), group index, band position 0–1."""

    def __init__(self) -> None:
        self.potential = np.zeros(0)
        self.group = np.zeros(0, dtype=np.int64)
        self.band_position = np.zeros(0)

    def __len__(self) -> int:
        return len(self.potential)

    def add(self, potential: np.ndarray, group: np.ndarray, band_position: np.ndarray) -> None:
        """Newly drawn hires join the back of the pool."""
        self.potential = np.concatenate([self.potential, potential])
        self.group = np.concatenate([self.group, group])
        self.band_position = np.concatenate([self.band_position, band_position])

    def take(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The next ``k`` hires (the pool must hold them), in order; they leave the pool."""
        if k > len(self):
            raise ValueError(f"the pool holds {len(self)} hires, {k} asked for")
        taken = self.potential[:k], self.group[:k], self.band_position[:k]
        self.potential = self.potential[k:]
        self.group = self.group[k:]
        self.band_position = self.band_position[k:]
        return taken
