"""Provenance: what every output records about how it was made.

One helper builds the common part of every manifest (a comparison's ``manifest.json``, an
experiment folder's ``manifest.json``, a validation run's ``manifest.json``): the simlib
version, the scenario's name and hash, the seed and replications, the random streams, the
resolved parameters, the time and the Python version. Each caller adds its own entries.
"""

from __future__ import annotations

import datetime as _dt
import platform
from typing import Any

from simlib.version import __version__

STREAMS = "SeedSequence(seed, spawn_key=(rep, crc32(mechanism)))"
"""How the random streams derive from the experiment seed."""


def now_utc() -> str:
    """The current time, UTC, to the second (ISO 8601)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def seeds_record(
    seed: int, replications: int | None = None, streams_note: str = ""
) -> dict[str, Any]:
    """The ``seeds`` entry: the experiment seed, optionally the replications, the streams."""
    record: dict[str, Any] = {"experiment_seed": seed}
    if replications is not None:
        record["replications"] = list(range(replications))
    record["streams"] = STREAMS + streams_note
    return record


def provenance(
    seed: int,
    reps: int,
    *,
    scenario: Any | None = None,
    list_replications: bool = False,
    streams_note: str = "",
    timestamp: bool = True,
) -> dict[str, Any]:
    """The entries every manifest shares.

    Parameters
    ----------
    seed, reps
        The experiment seed and the replications per condition.
    scenario
        A scenario (anything with ``name``, ``hash`` and ``to_dict()``): adds
        ``scenario_name``, ``scenario_hash`` and its resolved ``parameters``.
    list_replications
        Also list the replication numbers under ``seeds``.
    streams_note
        Appended to the description of the random streams.
    timestamp
        Add ``created_utc`` (now).

    Returns
    -------
    dict
        ``simlib_version``, [``scenario_name``, ``scenario_hash``,] ``seed``, ``reps``,
        ``seeds``, [``parameters``,] [``created_utc``,] ``python``.
    """
    record: dict[str, Any] = {"simlib_version": __version__}
    if scenario is not None:
        record["scenario_name"] = scenario.name
        record["scenario_hash"] = scenario.hash
    record["seed"] = seed
    record["reps"] = reps
    record["seeds"] = seeds_record(seed, reps if list_replications else None, streams_note)
    if scenario is not None:
        record["parameters"] = scenario.to_dict()
    if timestamp:
        record["created_utc"] = now_utc()
    record["python"] = platform.python_version()
    return record
