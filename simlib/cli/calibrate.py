"""``simlib calibrate``: fit the model's assumptions to an organization's own HR data.

::

    simlib calibrate DIR/organization.yaml --observed DIR/observed.csv --out CAL \\
        [--trials N] [--reps R] [--jobs N] [--dask ADDRESS] [--holdout last] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from simlib.cli import common
from simlib.i18n import _


def trial_budget(text: str) -> int:
    """Argument type: a trial budget (at least 1)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            _("{given}: give a whole number of trials, at least 1").format(given=repr(text))
        )
    return value


def resume_key(scenario: Any, args: argparse.Namespace) -> str:
    """Same key, same outputs: the scenario's content (not the file's comments), the
    observed moments' bytes, the budget, seed and holdout, the language, simlib's version
    and its own files."""
    from simlib.i18n import language
    from simlib.present.batch_plan import code_fingerprint
    from simlib.storage.checksums import sha256
    from simlib.version import __version__

    blob = json.dumps(
        {
            "scenario": scenario.hash,
            "observed": sha256(Path(args.observed).read_bytes()),
            "budget": [args.trials, args.particles, args.reps, args.seed, args.holdout],
            "language": language(),
            "simlib": __version__,
            "code": code_fingerprint(),
        },
        sort_keys=True,
    )
    return sha256(blob.encode())[:24]


def done_before(out: Path, key: str) -> bool:
    """Whether ``out`` holds a finished calibration with ``key`` whose files are intact."""
    from simlib.storage.checksums import file_sha256

    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        files = {**manifest["outputs"], **manifest["report"]}
        return manifest.get("resume_key") == key and all(
            file_sha256(out / name) == digest for name, digest in files.items()
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def cmd_calibrate(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from simlib.calibration.fit import COVARIANCE_REPS, calibrate
    from simlib.calibration.observed import read_observed
    from simlib.calibration.outputs import write_outputs
    from simlib.calibration.report import write_report
    from simlib.experiments.executors import open_executor
    from simlib.scenario.loading import load_scenario
    from simlib.storage.checksums import file_sha256

    scenario = load_scenario(args.file)
    grades = scenario.policies[scenario.baseline].rating.grades
    observed = read_observed(args.observed, grades)
    key = resume_key(scenario, args)
    if args.resume and done_before(args.out, key):
        print(
            _("{folder} is up to date (same inputs, budget and simlib): kept").format(
                folder=args.out
            )
        )
        return 0
    from simlib.calibration.grades import STEPS

    absolute = scenario.policies[scenario.baseline].rating.scheme == "absolute"
    total = (args.trials + args.particles + (2 * STEPS + 1 if absolute else 0)) * args.reps
    total += max(args.reps, COVARIANCE_REPS)
    bar = tqdm(total=total, desc="calibrating", unit="run", disable=args.quiet, file=sys.stderr)
    try:
        with open_executor(args.jobs, args.dask) as executor:
            cal = calibrate(
                scenario,
                observed,
                trials=args.trials,
                particles=args.particles,
                reps=args.reps,
                seed=args.seed,
                holdout=args.holdout,
                executor=executor,
                progress=bar.update,
            )
    finally:
        bar.close()
    budget = {"trials": args.trials, "particles": args.particles, "reps": args.reps}
    args.out.mkdir(parents=True, exist_ok=True)
    page, png = write_report(cal, args.out)
    paths = write_outputs(
        cal,
        args.out,
        {"scenario": args.file, "observed": args.observed},
        budget,
        extra={"resume_key": key, "report": {p.name: file_sha256(p) for p in (page, png)}},
    )
    for a in cal.identified:
        low, high = cal.interval(a.path)
        print(f"{a.path}: {cal.point(a.path):.4g}  (90%: {low:.4g} – {high:.4g})")
    for a in cal.unidentified:
        print(
            _("{path}: not identified by the data; range {low:g} – {high:g}").format(
                path=a.path, low=a.low, high=a.high
            )
        )
    print(_("effective sample size of the posterior: {ess:.1f}").format(ess=cal.ess))
    written = [*paths.values(), page, png]
    print(_("Wrote {paths}").format(paths=", ".join(str(p) for p in written)))
    return 0


def add_command(sub: Any) -> None:
    """Add ``calibrate`` to the command line's subcommands."""
    from simlib.calibration.fit import DEFAULT_PARTICLES, DEFAULT_REPS, DEFAULT_TRIALS

    cal = sub.add_parser(
        "calibrate", help=_("fit the model's assumptions to an organization's HR data")
    )
    cal.add_argument("file", type=Path, help=_("organization.yaml written by simlib import"))
    cal.add_argument(
        "--observed", type=Path, required=True, help=_("observed.csv written by simlib import")
    )
    cal.add_argument("--out", type=Path, required=True, help=_("folder for the calibration"))
    cal.add_argument(
        "--trials",
        type=trial_budget,
        default=DEFAULT_TRIALS,
        help=_("search trials (default {n})").format(n=DEFAULT_TRIALS),
    )
    cal.add_argument(
        "--particles",
        type=trial_budget,
        default=DEFAULT_PARTICLES,
        help=_("posterior draws (default {n})").format(n=DEFAULT_PARTICLES),
    )
    cal.add_argument(
        "--reps",
        type=common.positive_int,
        default=DEFAULT_REPS,
        help=_("replications per trial (default {n})").format(n=DEFAULT_REPS),
    )
    cal.add_argument(
        "--jobs", type=common.positive_int, help=_("worker processes (default: all cores)")
    )
    cal.add_argument(
        "--dask", metavar="ADDRESS", help=_("run on a Dask cluster: local or tcp://HOST:PORT")
    )
    cal.add_argument(
        "--holdout",
        choices=["last"],
        help=_("fit without the last cycle and forecast it (writes backtest.csv)"),
    )
    cal.add_argument(
        "--seed", type=common.seed, default=0, help=_("seed of the search and the simulations")
    )
    cal.add_argument(
        "--resume",
        action="store_true",
        help=_("keep --out as it is when it was calibrated with the same inputs and budget"),
    )
    cal.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    cal.set_defaults(func=cmd_calibrate)
