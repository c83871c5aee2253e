"""Run one fuzz case: ``simlib check`` on a file, then, if it is accepted, a tiny simulation.

Every case ends one of two ways. Either the scenario is refused: exit code 2, one readable
line per problem on stderr, each naming a field (or, for a file that is not a scenario at
all, saying why), and no traceback. Or it is accepted: it loads, a shrunken copy (at most
two years, about 200 positions) runs every policy with the invariant checks on, and every
recorded metric is finite. A case that takes longer than ``CASE_SECONDS`` is a hang.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from simlib.cli.main import main
from simlib.engine.simulation import simulate
from simlib.errors import ScenarioError
from simlib.scenario.definition import Scenario
from simlib.scenario.loading import load_scenario
from tests.fuzz.settings import TALLY

CASE_SECONDS = 60
TINY_HEADCOUNT = 200
TINY_YEARS = 2
MAX_POLICIES_RUN = 3

# Refusals about the file itself rather than a field.
FILE_PROBLEMS = (
    "file not found",
    "is a directory",
    "not UTF-8 text",
    "YAML syntax error",
    "the scenario is empty",
    "a scenario must be a mapping of sections",
    "possible alias bomb",
    "nested too deeply",
    "scenarios are limited to",
    "run too large for this machine",
)
SECTIONS = tuple(Scenario.model_fields) + ("(top level)",)
FIELD_START = re.compile(r"^(" + "|".join(re.escape(s) for s in SECTIONS) + r")([.\[: ]|$)")


UNKNOWN_KEY = re.compile(r"^.+: unknown key")


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expired(signum, frame):  # noqa: ARG001
        raise Hang(f"case still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(argv: Sequence[str]) -> tuple[int, str, str]:
    """``simlib ARGV`` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse refusing an argument
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def problems(stderr: str, source: str) -> list[str]:
    """The problem lines of a refusal, checked for the CLI's one-line-per-problem form."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.rstrip("\n").splitlines()
    assert lines, "refused without a message"
    if lines[0].startswith("usage: "):  # argparse refusing an argument: usage, then the error
        assert len(lines) == 2 and lines[1].startswith("simlib: error: argument "), lines
        return [lines[1][len("simlib: error: ") :]]
    head = f"simlib: error: {source}: "
    if lines[0].startswith(head):
        first = lines[0][len(head) :]
    else:  # messages about an override or the run carry no file name
        assert lines[0].startswith("simlib: error: "), lines[0]
        first = lines[0][len("simlib: error: ") :]
    found = re.fullmatch(r"(\d+) problems", first)
    if not found:
        assert len(lines) == 1, lines
        return [first]
    rest = lines[1:]
    assert len(rest) == int(found.group(1)), lines
    assert all(line.startswith("  - ") for line in rest), rest
    return [line[4:] for line in rest]


def names_a_field(message: str) -> bool:
    """Whether a problem line names where the problem is (a field, an override, the file)."""
    return bool(
        FIELD_START.match(message)
        or UNKNOWN_KEY.match(message)
        or message.startswith(("override ", "argument "))
        or any(p in message for p in FILE_PROBLEMS)
    )


def check_refusal(stderr: str, source: str) -> list[str]:
    lines = problems(stderr, source)
    for line in lines:
        assert names_a_field(line), f"problem does not name a field: {line!r}"
        assert "Value error," not in line and "<class" not in line, line
        assert len(line) < 2_000, line[:200]
    return lines


def tiny(scenario: Scenario) -> Scenario:
    """A copy at most ``TINY_YEARS`` long and about ``TINY_HEADCOUNT`` positions."""
    org = scenario.organization
    caps: dict[str, object] = {
        "environment.years": min(scenario.environment.years, TINY_YEARS),
        "experiment.reps": 1,
    }
    if org.headcount > TINY_HEADCOUNT:
        team = org.span_of_control + (1 if org.include_managers else 0)
        caps["organization.headcount"] = max(TINY_HEADCOUNT, len(org.departments) * team)
    return load_scenario(scenario, overrides=caps)


def run_tiny(scenario: Scenario) -> int:
    """Simulate each policy of a shrunken copy with invariants on; return records made."""
    small = tiny(scenario)
    records = 0
    for policy in small.policy_names[:MAX_POLICIES_RUN]:
        frame = simulate(small, policy, seed=small.experiment.seed, check_invariants=True)
        assert list(frame.columns) == ["policy", "rep", "week", "metric", "value"]
        assert len(frame) > 0
        values = frame["value"].to_numpy(dtype=float)
        assert np.isfinite(values).all(), frame[~np.isfinite(values)]
        assert all(math.isfinite(w) for w in frame["week"])
        records += len(frame)
    return records


def run_case(path: Path, kind: str, *, extra: Sequence[str] = (), must_load: bool = False) -> str:
    """Check ``path`` (with ``extra`` CLI arguments) and run it if accepted.

    Returns ``"refused"`` or ``"ran"``; fails the test on a traceback, an unnamed problem,
    a non-finite metric, a broken invariant or a hang.
    """
    TALLY["tried"] += 1
    TALLY[f"tried:{kind}"] += 1
    with time_limit(CASE_SECONDS):
        code, out, err = run_cli(["check", str(path), *extra])
        if code != 0:
            assert code == 2, (code, out, err)
            assert out == "", out
            assert not must_load, err
            check_refusal(err, str(path))
            TALLY["refused"] += 1
            return "refused"
        assert out.startswith("OK "), out
        assert err == "", err
        try:
            scenario = load_scenario(path, overrides=_parsed(extra))
        except ScenarioError as exc:  # check accepted it: loading must too
            raise AssertionError(f"check said OK but loading failed: {exc}") from None
        run_tiny(scenario)
        TALLY["ran"] += 1
        return "ran"


def _parsed(extra: Sequence[str]) -> dict[str, object]:
    from simlib.scenario.loading import parse_override

    out: dict[str, object] = {}
    for flag, pair in zip(extra[::2], extra[1::2], strict=True):
        assert flag == "--set"
        key, value = parse_override(pair)
        out[key] = value
    return out
