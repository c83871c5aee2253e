"""Random streams: the same key gives the same draws, whoever drew from it before."""

from __future__ import annotations

import zlib

import numpy as np

from simlib.state.streams import Streams, stream


def test_a_stream_starts_where_its_seed_says_however_often_it_is_made():
    key = zlib.crc32(b"quits")
    seeded = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7, spawn_key=(3, key))))
    expected = seeded.random(20)
    first = stream(7, 3, "quits")
    drawn = first.random(20)
    again = stream(7, 3, "quits")  # made after the first one was drawn from
    assert (drawn == expected).all()
    assert (again.random(20) == expected).all()
    assert first.random() != expected[0]  # each stream moves on by itself


def test_streams_differ_by_mechanism_replication_and_seed():
    draws = {
        (seed, rep, name): Streams(seed, rep)[name].random()
        for seed in (1, 2)
        for rep in (0, 1)
        for name in ("quits", "hiring")
    }
    assert len(set(draws.values())) == len(draws)
