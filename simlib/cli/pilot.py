"""``simlib pilot``: power, false positives and the estimate of a pilot before rollout."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simlib.cli import common
from simlib.i18n import _


def whole_numbers(text: str) -> list[int]:
    """Argument type: comma-separated whole numbers, e.g. ``5,10,20``."""
    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{given} is not a list of whole numbers").format(given=repr(text))
        ) from None
    if not values:
        raise argparse.ArgumentTypeError(_("give at least one whole number"))
    return values


def cmd_pilot(args: argparse.Namespace) -> int:
    from simlib.analysis.pilot import recommendations, run_pilot
    from simlib.present.pilot_page import pilot_heading, write_pilot_page
    from simlib.scenario.loading import load_scenario
    from simlib.storage.atomic import atomic_write_text

    scenario = load_scenario(args.file, overrides=common.overrides(args.set))
    metrics = common.names(args.metrics) or ["engagement", "voluntary_attrition"]
    table = run_pilot(
        scenario,
        policy=args.policy,
        baseline=args.baseline or scenario.baseline,
        metrics=metrics,
        units=args.units,
        cycles=args.cycles,
        sizes=args.sizes,
        reps=args.reps or scenario.experiment.reps,
        seed=args.seed,
        assignments=args.assignments,
        arms=args.arms,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    path = atomic_write_text(args.out / "pilot.csv", table.to_csv(index=False))
    advice = recommendations(table)
    baseline = args.baseline or scenario.baseline
    heading = pilot_heading(args.policy, baseline, args.units, args.arms)
    page, png = write_pilot_page(table, advice, args.out, heading)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print("\n" + "\n".join(advice))
    print("\n" + _("Wrote {table}, {page} and {chart}").format(table=path, page=page, chart=png))
    return 0


def add_command(sub: Any) -> None:
    """Add ``pilot`` to the command line's subcommands."""
    pilot = sub.add_parser(
        "pilot",
        help=_("how many units and cycles a pilot of a policy needs (power, false positives)"),
    )
    pilot.add_argument("file", type=Path, metavar="SCENARIO")
    pilot.add_argument("--policy", required=True, help=_("the policy the pilot units run"))
    pilot.add_argument("--baseline", help=_("the policy the other units run (default: baseline)"))
    pilot.add_argument(
        "--metrics",
        help=_("comma-separated observable metrics (default: engagement,voluntary_attrition)"),
    )
    pilot.add_argument(
        "--units", choices=("team", "department"), default="team", help=_("what is randomized")
    )
    pilot.add_argument(
        "--cycles", type=whole_numbers, default=[1, 2, 3], help=_("pilot lengths, in reviews")
    )
    pilot.add_argument(
        "--sizes", type=whole_numbers, default=[5, 10, 20, 40], help=_("numbers of pilot units")
    )
    pilot.add_argument(
        "--arms",
        choices=("together", "apart"),
        default="together",
        help=_(
            "together: pilot and other units in one organization, with its spillovers "
            "(the policies may not differ in grade scale, rating inputs or promotion); apart: "
            "whole-organization runs of each policy, no spillovers"
        ),
    )
    pilot.add_argument("--reps", type=common.positive_int, help=_("simulated organizations"))
    pilot.add_argument(
        "--assignments",
        type=common.positive_int,
        default=200,
        help=_(
            "random assignments of units per simulated organization (arms apart; together, "
            "one pilot per replication and size, and this many assignments of the baseline "
            "against itself for the false-positive rate)"
        ),
    )
    pilot.add_argument("--seed", type=common.seed, help=_("experiment seed"))
    pilot.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help=_("override a parameter, e.g. environment.years=3"),
    )
    pilot.add_argument(
        "--out", type=Path, required=True, help=_("folder for pilot.csv, pilot.html and pilot.png")
    )
    pilot.set_defaults(func=cmd_pilot)
