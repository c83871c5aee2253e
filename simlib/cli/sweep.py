"""The ``sweep``, ``sensitivity`` and ``robustness`` commands of the ``simlib`` CLI.

::

    simlib sweep scenarios/baseline.yaml --vary behaviour.voluntary_quit_rate=0.05:0.2 \\
        --vary behaviour.raters.reliability=0.4:0.8 --samples 16 --method sobol --out sweep1
    simlib sensitivity sweep1
    simlib robustness sweep1 --objective workforce_potential=max \\
        --satisfice "voluntary_attrition < 0.12 and payroll_growth < 0.04"

Running the same ``sweep`` command again into the same ``--out`` resumes it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from simlib.cli.common import names, overrides, positive_int, seed
from simlib.experiments.sampling import METHODS
from simlib.i18n import _


def cmd_sweep(args: argparse.Namespace) -> int:
    from simlib.experiments.sweep import run_sweep
    from simlib.storage.store import read_manifest

    policies = [p.strip() for p in args.policies.split(",")] if args.policies else None
    if not args.quiet:  # drawing and checking a large design takes a while: say so first
        samples = f", --samples {args.samples:,}" if args.samples else ""
        said = _("sweep: drawing the {method} design{samples} and checking its size ...")
        print(
            said.format(method=args.method, samples=samples),
            file=sys.stderr,
            flush=True,
        )
    summary = run_sweep(
        args.file,
        args.vary,
        args.out,
        samples=args.samples,
        method=args.method,
        second_order=args.second_order,
        policies=policies,
        reps=args.reps,
        seed=args.seed,
        overrides=overrides(args.set),
        jobs=args.jobs,
        dask=args.dask,
        progress=not args.quiet,
        allow_large=args.force,
    )
    manifest = read_manifest(args.out)
    said = _("Sweep: {variants} variants ({method}) x {policies} policies x {reps} reps; {line}")
    print(
        said.format(
            variants=manifest["variants"],
            method=summary.design.method,
            policies=len(manifest["policies"]),
            reps=manifest["reps"],
            line=summary.line(),
        )
    )
    print(_("Next: simlib sensitivity {folder}").format(folder=args.out))
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from simlib.analysis.sensitivity import sensitivity
    from simlib.storage.atomic import atomic_write_text

    table = sensitivity(
        args.dir, metrics=names(args.metrics), policies=names(args.policies), versus=args.versus
    )
    index = table.attrs["main_index"]
    main = table[table["index"] == index]
    wide = main.pivot_table(
        index=["policy", "metric"], columns="factor", values="value", sort=False
    )
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        said = _("Sensitivity ({method} design), index {index}:")
        print(said.format(method=table.attrs["method"], index=index))
        print(wide.round(4).to_string())
    if table.attrs["skipped"]:
        skipped = ", ".join(table.attrs["skipped"])
        print(_("Skipped (missing values in some variant): {names}").format(names=skipped))
    if args.out:
        atomic_write_text(args.out, table.to_csv(index=False))
        print(_("Wrote {paths}").format(paths=args.out))
    return 0


def cmd_robustness(args: argparse.Namespace) -> int:
    from simlib.analysis.conditions import parse_condition
    from simlib.analysis.robustness import (
        SweepTable,
        explain_changes,
        parse_objectives,
        regret_summary,
        satisficing_summary,
    )

    objectives = parse_objectives(args.objective or [])
    condition = parse_condition(args.satisfice) if args.satisfice else None
    table = SweepTable.load(args.dir)
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        print(_("Regret against the best policy in each variant:"))
        print(regret_summary(table, objectives).round(4).to_string(index=False))
        if condition is not None:
            said = _("Satisficing: share of variants where {condition}")
            print("\n" + said.format(condition=condition.text))
            print(satisficing_summary(table, condition).round(3).to_string(index=False))
    for metric, direction in objectives.items():
        print()
        print(explain_changes(table, metric, direction))
    return 0


def add_commands(sub: Any) -> None:
    """Register the commands on the CLI's subparsers."""
    sweep = sub.add_parser(
        "sweep",
        help=_("simulate the policies across ranges of uncertain assumptions"),
        description=_(
            "Sweep behaviour.* and environment.* assumptions over ranges. Rerun the same "
            "command to resume an interrupted sweep."
        ),
    )
    sweep.add_argument("file", type=Path)
    sweep.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="PATH=LOW:HIGH",
        help=_("an assumption and its range, e.g. behaviour.voluntary_quit_rate=0.05:0.2"),
    )
    sweep.add_argument(
        "--samples",
        type=positive_int,
        help=_(
            "levels per factor (grid, default 5), variants (lhs, default 50), base samples "
            "(sobol, a power of 2, default 64) or trajectories (morris, default 10)"
        ),
    )
    sweep.add_argument("--method", choices=METHODS, default="lhs", help=_("design (default lhs)"))
    sweep.add_argument(
        "--second-order", action="store_true", help=_("sobol: allow second-order indices")
    )
    sweep.add_argument("--out", type=Path, required=True, help=_("sweep folder (resumable)"))
    sweep.add_argument("--reps", type=positive_int, help=_("replications per variant and policy"))
    sweep.add_argument("--seed", type=seed, help=_("experiment seed"))
    sweep.add_argument("--policies", help=_("comma-separated policy names"))
    sweep.add_argument(
        "--set", action="append", metavar="PATH=VALUE", help=_("override a base parameter")
    )
    sweep.add_argument("--jobs", type=positive_int, help=_("worker processes (default: all cores)"))
    sweep.add_argument(
        "--dask",
        metavar="local|tcp://HOST:PORT",
        help=_("run on a Dask LocalCluster or an existing scheduler"),
    )
    sweep.add_argument(
        "--force", action="store_true", help=_("run even if the sweep looks too large")
    )
    sweep.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    sweep.set_defaults(func=cmd_sweep)

    sens = sub.add_parser(
        "sensitivity", help=_("sensitivity indices per policy and metric from a finished sweep")
    )
    sens.add_argument("dir", type=Path)
    sens.add_argument("--metrics", help=_("comma-separated metrics (default: all)"))
    sens.add_argument("--policies", help=_("comma-separated policies (default: all)"))
    sens.add_argument("--out", type=Path, help=_("write every index to this CSV file"))
    sens.add_argument(
        "--versus",
        metavar="POLICY",
        help=_("analyse each policy's difference from POLICY (what moves the gap between them)"),
    )
    sens.set_defaults(func=cmd_sensitivity)

    rob = sub.add_parser("robustness", help=_("regret and satisficing across a finished sweep"))
    rob.add_argument("dir", type=Path)
    rob.add_argument(
        "--objective",
        action="append",
        required=True,
        metavar="METRIC=max|min",
        help=_("an outcome to optimize, e.g. workforce_potential=max"),
    )
    rob.add_argument(
        "--satisfice",
        metavar="CONDITION",
        help=_("thresholds, e.g. 'voluntary_attrition < 0.12 and payroll_growth < 0.04'"),
    )
    rob.set_defaults(func=cmd_robustness)
