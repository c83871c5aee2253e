"""Compile the engine's loops ahead of the first simulation (where numba is installed).

The compiled loops (``simlib.state.compiled``) are compiled the first time they run and
cached on disk; from a fresh install that first time costs some 15 seconds. Setup runs
``python -m simlib.engine.compile_ahead`` once after installing, so that the first
simulation a user starts (the demo, the explorer) loads them from the cache instead: one
short run of every policy of every shipped scenario, which calls every loop with the
argument types a full run uses. Without numba it does nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simlib.engine.simulation import simulate
from simlib.scenario.loading import load_scenario
from simlib.state.compiled import KERNELS

SHORT = {"organization.headcount": 60, "environment.years": 1}


def compile_ahead(folder: Path) -> int:
    """Run every policy of every scenario in ``folder`` briefly; the number of runs."""
    if KERNELS is None:
        return 0
    runs = 0
    for path in sorted(folder.glob("*.yaml")):
        scenario = load_scenario(path, overrides=SHORT)
        for policy in scenario.policies:
            simulate(scenario, policy, scenario.experiment.seed, 0)
            runs += 1
    return runs


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "scenarios")
    compile_ahead(folder)


if __name__ == "__main__":
    main()
