"""The ``simlib`` command line.

Bad input never shows a traceback: every problem is printed as one line naming the field
and what is allowed, and the command exits with code 2.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from simlib.cli import common
from simlib.cli.common import overrides as _overrides
from simlib.cli.failures import PrintableOutput, describe, printable
from simlib.errors import ScenarioError
from simlib.i18n import ENV, N_, _, check, ngettext

ARGPARSE_ERRORS = (
    (
        re.compile(r"^the following arguments are required: (?P<names>.+)$"),
        N_("the following arguments are required: {names}"),
    ),
    (re.compile(r"^unrecognized arguments: (?P<names>.+)$"), N_("unrecognized arguments: {names}")),
    (
        re.compile(
            r"^argument (?P<name>.+?): invalid choice: (?P<given>.+) \(choose from (?P<names>.+)\)$"
        ),
        N_("argument {name}: invalid choice: {given} (choose from {names})"),
    ),
    (
        re.compile(r"^argument (?P<name>.+?): invalid \w+ value: (?P<given>.+)$"),
        N_("argument {name}: invalid value: {given}"),
    ),
    (
        re.compile(r"^argument (?P<name>.+?): expected one argument$"),
        N_("argument {name}: expected one argument"),
    ),
    (re.compile(r"^argument (?P<name>.+?): (?P<problem>.+)$"), N_("argument {name}: {problem}")),
)
"""argparse's own error messages, read back into the catalog's words."""


def argparse_said(message: str) -> str:
    """An argparse error message in the reader's language (other messages as they are)."""
    for pattern, words in ARGPARSE_ERRORS:
        found = pattern.match(message)
        if found:
            return _(words).format(**found.groupdict())
    return message


class _Parser(argparse.ArgumentParser):
    """argparse with its own words (usage, section titles, -h) in the reader's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = _("show this help message and exit")

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if kwargs.get("action") == "version":
            kwargs.setdefault("help", _("show the version number and exit"))
        return super().add_argument(*args, **kwargs)

    def _usage(self, formatter: argparse.HelpFormatter) -> None:
        formatter.add_usage(
            self.usage, self._actions, self._mutually_exclusive_groups, prefix=_("usage: ")
        )

    def format_usage(self) -> str:
        formatter = self._get_formatter()
        self._usage(formatter)
        return formatter.format_help()

    def format_help(self) -> str:
        formatter = self._get_formatter()
        self._usage(formatter)
        formatter.add_text(self.description)
        for group in self._action_groups:
            formatter.start_section(group.title)
            formatter.add_text(group.description)
            formatter.add_arguments(group._group_actions)
            formatter.end_section()
        formatter.add_text(self.epilog)
        return formatter.format_help()

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        said = _("simlib: error: {message}").format(message=printable(argparse_said(message)))
        print(said, file=sys.stderr)
        raise SystemExit(2)


def cmd_check(args: argparse.Namespace) -> int:
    from simlib.engine.guards import check_resources
    from simlib.metrics.catalogue import check_metric_names
    from simlib.scenario.loading import load_scenario
    from simlib.state.workforce import OrgChart

    scenario = load_scenario(args.file, overrides=_overrides(args.set))
    check_metric_names(scenario.report.metrics)
    # The same resource guard as compare, before anything is allocated: never call valid a
    # scenario this machine cannot run.
    estimate = check_resources(scenario, allow_large=args.force)
    chart = OrgChart.build(scenario.organization)
    teams = int((~chart.team_is_management).sum())
    said = _(
        "OK {file}: scenario '{name}' (hash {hash}), {positions} positions in {teams} teams, "
        "{years} years, policies: {policies} (baseline {baseline}); a full run needs {needs}"
    )
    print(
        said.format(
            file=args.file,
            name=scenario.name,
            hash=scenario.hash,
            positions=chart.positions,
            teams=teams,
            years=scenario.environment.years,
            policies=", ".join(scenario.policy_names),
            baseline=scenario.baseline,
            needs=estimate.describe(),
        )
        + ("" if estimate.fits else _(" (beyond this machine; allowed by --force)"))
    )
    if args.explain:
        from simlib.present.briefing import assumptions_register

        register = assumptions_register(scenario, source=args.file, overrides=_overrides(args.set))
        print("\n" + _("parameter = value  [set in]  meaning"))
        for row in register.itertuples(index=False):
            value = " ".join(str(row.value).split())
            value = value if len(value) <= 60 else value[:57] + "..."
            description = cast(str, row.description)  # the register's descriptions are text
            meaning = f"  {_(description)}" if description else ""
            print(f"{row.parameter} = {value}  [{row.set_in}]{meaning}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from simlib.scenario.loading import load_scenario

    overrides = _overrides(args.set)
    if args.years is not None:
        overrides["environment.years"] = args.years
    scenario = load_scenario(args.file, overrides=overrides)
    policies = [p.strip() for p in args.policies.split(",")] if args.policies else None
    if args.out:  # refuse a file or another kind of folder, and a second writer, at once
        from simlib.storage.lock import folder_lock
        from simlib.storage.store import comparison_target

        comparison_target(args.out)
        with folder_lock(args.out):
            return _compare_and_save(args, scenario, policies)
    return _compare_and_save(args, scenario, policies)


def _compare_and_save(args: argparse.Namespace, scenario: Any, policies: list[str] | None) -> int:
    from simlib.experiments.compare import compare
    from simlib.experiments.executors import worker_pool
    from simlib.present.tables import render

    if args.debug:  # set before the worker processes start, so they inherit it
        os.environ["SIMLIB_CHECK_INVARIANTS"] = "1"
    executor = worker_pool(args.jobs) if args.jobs > 1 else None
    try:
        results = compare(
            scenario,
            policies=policies,
            reps=args.reps,
            seed=args.seed,
            executor=executor,
            progress=not args.quiet,
            allow_large=args.force,
            posterior=getattr(args, "posterior", None),
        )
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    print(render(results))
    if args.out:
        paths = results.save(args.out)
        print("\n" + _("Wrote {paths}").format(paths=", ".join(str(p) for p in paths.values())))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every published finding by simulating.

    Exit 0 when every finding holds but the held-out predictions the model is known to miss
    (each printed with its reason), 1 when any other finding fails.
    """
    from simlib.analysis.findings import (
        DEFAULT_SEED,
        check_findings,
        resolve_reps,
        results_frame,
        save_validation,
    )
    from simlib.analysis.findings.report import render_table

    ids = [i.strip() for i in args.findings.split(",") if i.strip()] if args.findings else None
    seed = DEFAULT_SEED if args.seed is None else args.seed

    def progress(finding_id: str) -> None:
        if not args.quiet:
            said = _("checking {finding} ...").format(finding=printable(finding_id))
            print(said, file=sys.stderr, flush=True)

    if args.out.exists() and not args.out.is_dir():
        raise ScenarioError(_("--out: {path} exists and is not a folder").format(path=args.out))
    reps = resolve_reps(args.reps, args.quick)
    results = check_findings(ids, reps=reps, seed=seed, quick=args.quick, progress=progress)
    print(render_table(results_frame(results)))
    paths = save_validation(results, args.out, reps=reps, seed=seed, quick=args.quick)
    failed = [r.finding for r in results if not r.holds]
    print("\n" + _("Wrote {paths}").format(paths=", ".join(str(p) for p in paths.values())))
    for kind, reading in (
        ("held_out", _("predictions: nothing was tuned to them")),
        ("calibrated", _("fits: a parameter was set to hit them")),
        ("structural", _("hold by the model's form")),
    ):
        of_kind = [r for r in results if r.kind == kind]
        if of_kind:
            held = sum(r.holds for r in of_kind)
            said = _("{kind}: {held} of {count} hold ({reading})")
            print(said.format(kind=kind, held=held, count=len(of_kind), reading=reading))
    for r in results:
        if r.known_miss and not r.holds:
            print(
                _("known miss, {finding}: {reason}").format(finding=r.finding, reason=r.known_miss)
            )
    if not failed:
        print(_("All {count} findings hold.").format(count=len(results)))
        return 0
    said = _("{failed} of {count} findings do not hold: {names}")
    print(said.format(failed=len(failed), count=len(results), names=", ".join(failed)))
    unexpected = [r.finding for r in results if not r.holds and not r.known_miss]
    if unexpected:
        print(_("Not known misses: {names}").format(names=", ".join(unexpected)))
        return 1
    print(_("Each is a known miss of a held-out prediction (reason above); every fit holds."))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    """Execute the report notebook once per scenario; exit 1 if any scenario failed."""
    from simlib.present.batch import run_batch
    from simlib.present.batch_parameters import read_parameter_file

    parameters = read_parameter_file(args.params) if args.params else {}
    parameters.update(_overrides(args.param))
    if args.no_ensemble:
        parameters["ensemble"] = False

    def done(run) -> None:
        if args.quiet:
            return
        if run.status == "ok":
            report = args.out / run.name / "report.html"
            line = _("ok      {name} ({seconds} s): {report}").format(
                name=run.name, seconds=f"{run.seconds:.1f}", report=report
            )
        elif run.status == "skipped":
            line = _(
                "skipped {name}: up to date (same scenario, notebook, parameters and code)"
            ).format(name=run.name)
        else:
            first = (run.error or "").splitlines()[0] if run.error else ""
            line = _("FAILED  {name} ({seconds} s): {first}").format(
                name=run.name, seconds=f"{run.seconds:.1f}", first=first
            )
        print(line, flush=True)

    started = time.monotonic()
    try:
        runs = run_batch(
            args.scenarios,
            args.out,
            notebook=args.notebook,
            parameters=parameters,
            jobs=args.jobs,
            resume=args.resume,
            timeout=args.timeout,
            on_done=done,
        )
    except KeyboardInterrupt:
        said = _(
            "simlib: interrupted; finished scenarios are listed in {index}, no partial files "
            "were left"
        )
        print(said.format(index=args.out / "index.html"), file=sys.stderr)
        return 130
    index = (args.out / "index.html").resolve()
    failed = [r.name for r in runs if r.status == "failed"]
    print(_("Index: {index}").format(index=index))
    if not args.quiet:
        from simlib.present.batch_summary import summary_lines

        print("\n".join(summary_lines(args.out, runs, time.monotonic() - started)))
    if failed:
        said = ngettext(
            "{failed} of {count} scenario failed: {names}",
            "{failed} of {count} scenarios failed: {names}",
            len(runs),
        )
        print(said.format(failed=len(failed), count=len(runs), names=", ".join(failed)))
        return 1
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from simlib.analysis.results import Results
    from simlib.present.tables import render

    folder = args.folder
    missing = [n for n in ("results.parquet", "manifest.json") if not (folder / n).is_file()]
    if missing:
        said = _(
            "{folder}: no saved comparison here (missing {missing}); point at a folder "
            "written by 'simlib compare --out' or 'simlib batch'"
        )
        raise ScenarioError(said.format(folder=folder, missing=", ".join(missing)))
    print(render(Results.load(folder)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from simlib.version import __version__

    parser = _Parser(
        prog="simlib",
        description=_("Simulate performance-management policies before rolling them out."),
    )
    parser.add_argument("--version", action="version", version=f"simlib {__version__}")
    parser.add_argument(
        "--lang",
        type=_language,
        metavar="LANG",
        help=_(
            "language of messages, reports and charts: en (English) or zh (简体中文); "
            "default: the SIMLIB_LANG environment variable, else en"
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help=_("validate a scenario file"))
    check.add_argument("file", type=Path)
    check.add_argument(
        "--explain",
        action="store_true",
        help=_("also list every parameter: value, where it was set, and what it means"),
    )
    check.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help=_("override a parameter, e.g. organization.headcount=200"),
    )
    check.add_argument(
        "--force", action="store_true", help=_("accept a run estimated beyond this machine")
    )
    check.set_defaults(func=cmd_check)

    show = sub.add_parser("show", help=_("print the comparison saved in a results folder"))
    show.add_argument("folder", type=Path, help=_("a folder written by compare --out or batch"))
    show.set_defaults(func=cmd_show)

    for name in ("compare", "run"):
        cmp = sub.add_parser(
            name,
            help=_("compare the scenario's policies")
            + ("" if name == "compare" else _(" (same as compare)")),
        )
        cmp.add_argument("file", type=Path)
        cmp.add_argument("--reps", type=common.positive_int, help=_("replications per policy"))
        cmp.add_argument("--seed", type=common.seed, help=_("experiment seed"))
        cmp.add_argument("--years", type=common.positive_int, help=_("simulated years"))
        cmp.add_argument("--policies", help=_("comma-separated policy names to compare"))
        cmp.add_argument(
            "--set",
            action="append",
            metavar="PATH=VALUE",
            help=_("override a parameter, e.g. hiring.selection_ratio=0.2"),
        )
        cmp.add_argument("--jobs", type=common.positive_int, default=1, help=_("worker processes"))
        cmp.add_argument(
            "--out", type=Path, help=_("folder for results.parquet, summary.csv, manifest.json")
        )
        cmp.add_argument("--quiet", action="store_true", help=_("no progress bar"))
        cmp.add_argument(
            "--posterior",
            type=Path,
            help=_("a calibration's posterior.parquet: each replication draws its assumptions"),
        )
        cmp.add_argument(
            "--force",
            action="store_true",
            help=_("run even if the estimated memory or time is beyond this machine"),
        )
        cmp.add_argument(
            "--debug", action="store_true", help=_("check the model's invariants in every run")
        )
        cmp.set_defaults(func=cmd_compare)

    from simlib.present.voila import add_command as add_present_command

    add_present_command(sub)

    val = sub.add_parser(
        "validate", help=_("check that the model reproduces the published findings")
    )
    val.add_argument(
        "--reps", type=common.positive_int, help=_("replications per simulated condition")
    )
    val.add_argument("--seed", type=common.seed, help=_("experiment seed"))
    val.add_argument("--quick", action="store_true", help=_("a reduced run (fewer replications)"))
    val.add_argument("--findings", help=_("comma-separated finding ids (default: all)"))
    val.add_argument(
        "--out", type=Path, required=True, help=_("folder for validation.csv and manifest.json")
    )
    val.add_argument("--quiet", action="store_true", help=_("no progress lines"))
    val.set_defaults(func=cmd_validate)

    from simlib.cli.sweep import add_commands as add_sweep_commands

    add_sweep_commands(sub)
    from simlib.cli.pilot import add_command as add_pilot_command

    add_pilot_command(sub)
    from simlib.cli.hr_import import add_command as add_import_command

    add_import_command(sub)
    from simlib.cli.calibrate import add_command as add_calibrate_command

    add_calibrate_command(sub)
    bat = sub.add_parser(
        "batch", help=_("execute the report notebook for each scenario (papermill) into --out")
    )
    bat.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO")
    bat.add_argument("--notebook", type=Path, help=_("notebook to execute (default: compare)"))
    bat.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help=_(
            "notebook parameter for every scenario, e.g. reps=5 (value read as YAML; only "
            "text, numbers, true/false, null and lists or maps of them)"
        ),
    )
    bat.add_argument(
        "--params",
        type=Path,
        metavar="FILE.json",
        help=_('notebook parameters from a JSON object, e.g. {"reps": 5}; --param wins'),
    )
    bat.add_argument("--out", type=Path, required=True, help=_("folder for the reports"))
    bat.add_argument("--jobs", type=common.positive_int, default=1, help=_("scenarios run at once"))
    bat.add_argument(
        "--resume", action="store_true", help=_("skip scenarios already done with the same inputs")
    )
    bat.add_argument(
        "--timeout", type=common.positive_int, help=_("seconds allowed per notebook cell")
    )
    bat.add_argument(
        "--no-ensemble",
        action="store_true",
        help=_(
            "skip the report's 'what we don't know' runs (each behavioural assumption at the "
            "ends of its range); same as --param ensemble=false"
        ),
    )
    bat.add_argument("--quiet", action="store_true", help=_("no per-scenario lines"))
    bat.set_defaults(func=cmd_batch)
    return parser


def _language(text: str) -> str:
    """Argument type: a language simlib speaks."""
    try:
        return check(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _choose_language(argv: Sequence[str]) -> None:
    """Apply ``--lang`` before the parser is built (its help is translated too): it sets
    ``SIMLIB_LANG`` so the report notebooks and worker processes speak the same language.
    A bad value is left for the parser to refuse."""
    for i, arg in enumerate(argv):
        value = None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value is not None:
            try:
                os.environ[ENV] = check(value)
            except ValueError:
                pass
            return


def main(argv: Sequence[str] | None = None) -> int:
    _choose_language(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    stdout = sys.stdout
    sys.stdout = PrintableOutput(stdout)
    try:
        return int(args.func(args))
    except ScenarioError as exc:
        print(
            _("simlib: error: {message}").format(message=printable(exc.render())), file=sys.stderr
        )
        return 2
    except BrokenPipeError:  # output piped into a pager or head that closed early
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(_("simlib: interrupted; no partial result files were left"), file=sys.stderr)
        return 130
    except BaseException as exc:  # the disk, an Arrow file or a Dask cluster failing
        told = describe(exc)
        if told is None:
            raise
        line, code = told
        print(_("simlib: error: {message}").format(message=printable(line)), file=sys.stderr)
        return code
    finally:
        sys.stdout = stdout


if __name__ == "__main__":
    raise SystemExit(main())
