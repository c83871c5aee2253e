"""``simlib import``: a user's HR export in, the organization's scenario and moments out.

Reads the export (CSV or .xlsx, history or snapshot shape), checks it, and writes
``DIR/organization.yaml`` (a scenario of the imported organization with its own rating
policy as ``status_quo``), ``DIR/observed.csv`` (the moments the data show) and
``DIR/manifest.json`` (simlib version, the inputs' content hashes, the mapping). Nothing is
written until every check has passed; each file is written atomically. No id, name,
manager id or exact salary from the input reaches an output file or a message.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from simlib.errors import ScenarioError
from simlib.i18n import _, ngettext

ORGANIZATION = "organization.yaml"
OBSERVED = "observed.csv"


def import_export(
    employees: Path, reviews: Path | None, mapping_path: Path | None, out: Path
) -> tuple[dict[str, Path], list[str], str]:
    """Import the export into ``out``: the files written, the warnings, a one-line summary."""
    from simlib.hr.history import read_export
    from simlib.hr.mapping import read_mapping
    from simlib.hr.moments import observed_moments
    from simlib.hr.organization import imported_scenario
    from simlib.scenario.problems import validate
    from simlib.storage.atomic import atomic_write_text
    from simlib.storage.checksums import sha256
    from simlib.storage.provenance import now_utc
    from simlib.storage.store import write_manifest
    from simlib.version import __version__

    if out.exists() and not out.is_dir():
        raise ScenarioError(_("--out: {path} exists and is not a folder").format(path=out))
    mapping = read_mapping(mapping_path)
    tables, warnings = read_export(employees, reviews, mapping)
    moments = observed_moments(tables)
    scenario = imported_scenario(
        tables, moments, span_default=mapping.span_of_control, currency=mapping.currency
    )
    checked, problems = validate(scenario.data)
    if checked is None:
        raise ScenarioError(problems, source=ORGANIZATION)
    created = now_utc()
    organization_text = scenario.to_yaml(created)
    observed_text = moments.to_csv(index=False)
    inputs = [("employees", employees), ("reviews", reviews), ("mapping", mapping_path)]
    manifest: dict[str, Any] = {
        "simlib_version": __version__,
        "command": "import",
        "created_utc": created,
        "shape": tables.shape,
        "inputs": {
            role: {"file": path.name, "sha256": sha256(path.read_bytes())}
            for role, path in inputs
            if path is not None
        },
        "mapping": mapping.model_dump(mode="json"),
        "files": {
            ORGANIZATION: sha256(organization_text.encode("utf-8")),
            OBSERVED: sha256(observed_text.encode("utf-8")),
        },
        "scenario_hash": checked.hash,
    }
    written = {
        "organization": atomic_write_text(out / ORGANIZATION, organization_text),
        "observed": atomic_write_text(out / OBSERVED, observed_text),
        "manifest": write_manifest(out, manifest),
    }
    people = int(len(tables.employees))
    cycles = len(tables.cycle_ends)
    summary = ngettext(
        "Imported a {shape} export: {people} people, {cycles} review cycle; the scenario "
        "has {headcount} positions in {departments} departments",
        "Imported a {shape} export: {people} people, {cycles} review cycles; the scenario "
        "has {headcount} positions in {departments} departments",
        cycles,
    ).format(
        shape=_("history") if tables.shape == "history" else _("snapshot"),
        people=people,
        cycles=cycles,
        headcount=checked.organization.headcount,
        departments=len(checked.organization.departments),
    )
    return written, warnings, summary


def cmd_import(args: argparse.Namespace) -> int:
    employees, reviews, mapping = args.employees, args.reviews, args.mapping
    if args.example is not None:
        from simlib.hr.example import write_example

        write_example(args.example)
        folder = Path(args.example)
        employees, reviews, mapping = (
            folder / "employees.csv",
            folder / "reviews.csv",
            folder / "mapping.yaml",
        )
    if employees is None:
        raise ScenarioError(_("give the employees table, or --example DIR"))
    written, warnings, summary = import_export(employees, reviews, mapping, args.out)
    for warning in warnings:
        print(_("simlib: warning: {message}").format(message=warning), file=sys.stderr)
    print(summary)
    print(_("Wrote {paths}").format(paths=", ".join(str(p) for p in written.values())))
    return 0


def add_command(sub: Any) -> None:
    """Add ``import`` to the command line's subcommands."""
    command = sub.add_parser(
        "import",
        help=_("read an HR export (CSV or .xlsx) into a scenario and its observed moments"),
    )
    command.add_argument(
        "employees", type=Path, nargs="?", metavar="EMPLOYEES", help=_("the employees table")
    )
    command.add_argument(
        "reviews",
        type=Path,
        nargs="?",
        metavar="REVIEWS",
        help=_("the reviews table (one row per person and cycle); leave out for a snapshot"),
    )
    command.add_argument(
        "--mapping",
        type=Path,
        metavar="MAP.yaml",
        help=_("which of your columns and values mean what (default: the canonical names)"),
    )
    command.add_argument(
        "--out",
        type=Path,
        required=True,
        help=_("folder for organization.yaml, observed.csv and manifest.json"),
    )
    command.add_argument(
        "--example",
        type=Path,
        metavar="DIR",
        help=_("write the shipped synthetic export into DIR and import it"),
    )
    command.set_defaults(func=cmd_import)
