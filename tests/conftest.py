from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Every simulation in the tests checks the model's invariants (simlib.engine.invariants); worker
# processes and CLI subprocesses inherit the setting.
os.environ.setdefault("SIMLIB_CHECK_INVARIANTS", "1")
# The tests read English unless they choose Chinese themselves (``i18n.use("zh")`` or their own
# SIMLIB_LANG): a reader's shell setting must not change what the English tests see.
os.environ["SIMLIB_LANG"] = "en"

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def lock_held_elsewhere(folder: Path, command: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``folder``'s writer lock (as ``command``) until the block
    ends; it is then killed with SIGKILL, so the operating system releases the lock."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from simlib.storage.lock import folder_lock\n"
            f"with folder_lock({str(folder)!r}, {command!r}):\n"
            "    print('held', flush=True); time.sleep(60)",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()


SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def tiny() -> dict:
    """A 10-person team with a deterministic rater and no luck: outcomes are exact."""
    return {
        "name": "tiny",
        "organization": {"headcount": 10, "span_of_control": 10, "include_managers": False},
        "environment": {"years": 3, "exit_check_weeks": 52, "pay_drift": 0.0},
        "behaviour": {
            "performance_noise_sd": 0.0,
            "voluntary_quit_rate": 0.0,
            "raters": {"reliability": 1.0},
            "incentives": None,
            "engagement": None,
            "exits": None,
        },
        "hiring": {"time_to_fill_weeks": 0, "recruiters": None, "ramp_up_weeks": 0},
        "policies": {
            "fire_bottom": {
                "rating": {"scheme": "forced_distribution", "bottom_cut": 0.1},
                "consequences": {"terminate_bottom_grade": True},
            },
            "keep_all": {"rating": {"scheme": "forced_distribution", "bottom_cut": 0.1}},
        },
        "experiment": {"reps": 2, "seed": 7, "baseline": "keep_all"},
    }
