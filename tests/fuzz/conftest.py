"""Prints the fuzzing tally (cases tried, refused with a message, run) after the tests."""

from __future__ import annotations

from tests.fuzz.settings import TALLY


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    if not TALLY["tried"]:
        return
    terminalreporter.write_sep("-", "scenario fuzzing")
    terminalreporter.write_line(
        f"fuzz cases tried: {TALLY['tried']}, refused with a message: {TALLY['refused']}, "
        f"loaded and ran: {TALLY['ran']}"
        + "".join(f"; {k}: {v}" for k, v in sorted(TALLY.items()) if k.startswith("tried:"))
    )
