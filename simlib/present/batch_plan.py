"""Planning a batch: which scenarios run, their folder names, and whether they are up to date.

Each scenario gets a safe, unique folder name under ``OUT`` and a *resume key* (its scenario
hash, the notebook's content, the parameters, the simlib version and its code): ``--resume``
skips a scenario whose folder holds a successful run with the same key.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simlib.errors import ScenarioError
from simlib.storage.paths import inside, unique_names
from simlib.version import __version__

DEFAULT_NOTEBOOK = "notebooks/compare.ipynb"
STAGING = ".staging"
RECORD = "batch.json"
REPORT = "report.html"
PDF_REPORT = "report.pdf"
RESERVED_PARAMETERS = ("scenario", "output_dir")
INDEX = "index.html"
RESERVED_NAMES = (INDEX,)
"""Names of the batch's own files in ``OUT``: no scenario folder may take one."""


@dataclass
class ScenarioRun:
    """What happened to one scenario of a batch."""

    source: str  # the scenario file, as given
    name: str  # its folder under OUT
    key: str  # resume key: scenario, notebook, parameters, simlib version and code
    status: str = "pending"  # ok | failed | skipped | interrupted
    seconds: float = 0.0
    error: str | None = None
    files: list[str] = field(default_factory=list)
    finished_utc: str | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def scenario_identity(path: Path, parameters: dict[str, Any]) -> str:
    """The scenario's hash as the notebook will see it, or its file's hash if it is invalid."""
    from simlib.present.briefing import run_overrides
    from simlib.scenario.loading import load_scenario

    try:
        overrides = run_overrides(
            parameters.get("overrides") if isinstance(parameters.get("overrides"), dict) else {},
            policies=parameters.get("policies"),
            reps=parameters.get("reps"),
            seed=parameters.get("seed"),
            years=parameters.get("years"),
        )
        return "scenario:" + load_scenario(path, overrides=overrides).hash
    except (ScenarioError, TypeError, ValueError):
        try:
            return "file:" + _sha256(path.read_bytes())
        except OSError:
            return "missing"


@functools.cache
def code_fingerprint() -> str:
    """A hash of simlib's own files (code, presets): a model changed without a new version
    number changes the outputs too, so a resumed batch must not keep the old ones."""
    return files_fingerprint(Path(__file__).resolve().parents[1])


def files_fingerprint(root: Path) -> str:
    """A hash of the names and contents of the ``.py``, ``.yaml`` and ``.json`` files
    below ``root`` (caches left out)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml", ".json") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def resume_key(scenario: Path, notebook: Path, parameters: dict[str, Any]) -> str:
    """Same key = same outputs: scenario hash, notebook content, parameters, simlib version
    and simlib's own files (:func:`code_fingerprint`)."""
    blob = json.dumps(
        {
            "scenario": scenario_identity(scenario, parameters),
            "notebook": _sha256(notebook.read_bytes()),
            "parameters": parameters,
            "simlib": __version__,
            "code": code_fingerprint(),
        },
        sort_keys=True,
        default=str,
    )
    return _sha256(blob.encode())[:24]


def _display_name(path: Path) -> str:
    """The scenario's own ``name`` if its YAML has one, else the file name without suffix."""
    from simlib.scenario.loading import read_yaml  # size, nesting and alias-bomb limits

    try:
        data = read_yaml(path)
    except ScenarioError:  # the notebook reports the problem; the folder takes the file name
        data = None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name.strip() else path.stem


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """The parameters a notebook declares in its cell tagged ``parameters``."""
    import papermill

    return dict(papermill.inspect_notebook(str(notebook)))


def check_parameters(notebook: Path, parameters: dict[str, Any]) -> None:
    """Refuse parameters the notebook does not declare, with the closest valid name."""
    from simlib.scenario.schema import closest

    declared = notebook_parameters(notebook)
    missing = [p for p in RESERVED_PARAMETERS if p not in declared]
    if missing:
        raise ScenarioError(
            f"{notebook}: its cell tagged 'parameters' must define {', '.join(missing)}"
        )
    problems = []
    for key in parameters:
        if key in RESERVED_PARAMETERS:
            problems.append(f"--param {key}: set by the batch itself; leave it out")
        elif key not in declared:
            close = closest(key, declared)
            hint = f"; did you mean '{close}'?" if close else "."
            allowed = ", ".join(p for p in declared if p not in RESERVED_PARAMETERS)
            problems.append(
                f"--param {key}: not a parameter of {notebook.name}{hint} Allowed: {allowed}"
            )
    if problems:
        raise ScenarioError(problems)


def plan(
    scenarios: Sequence[str | Path], notebook: Path, parameters: dict[str, Any]
) -> list[tuple[Path, ScenarioRun]]:
    """Resolve scenario files, give each a unique safe folder name and a resume key."""
    paths = []
    missing = []
    for given in scenarios:
        path = Path(given).expanduser()
        if not path.is_file():
            missing.append(f"{given}: scenario file not found")
        paths.append(path.resolve())
    if missing:
        raise ScenarioError(missing)
    if not paths:
        raise ScenarioError("no scenario files given")
    names = unique_names([_display_name(p) for p in paths], reserved=RESERVED_NAMES)
    return [
        (
            path,
            ScenarioRun(source=str(given), name=name, key=resume_key(path, notebook, parameters)),
        )
        for path, given, name in zip(paths, scenarios, names, strict=True)
    ]


def up_to_date(out: Path, run: ScenarioRun) -> bool:
    """True if ``out/<name>`` holds a successful run with the same resume key."""
    folder = inside(out, run.name)
    try:
        record = json.loads((folder / RECORD).read_text())
    except (OSError, ValueError):
        return False
    return (
        record.get("status") == "ok"
        and record.get("key") == run.key
        and all((folder / f).is_file() for f in record.get("files", []))
    )
