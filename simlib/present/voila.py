"""Present the explorer in a browser: a notebook served as a web app with no code on it.

``simlib present`` starts a Voila server on this computer only (127.0.0.1) for the explorer
notebook, waits until it answers and prints the address to open. Voila runs the notebook in a
fresh kernel for every visitor and shows the markdown, widgets and charts, never the code
cells. The server runs until interrupted (Ctrl-C) or terminated; either way Voila is stopped
and waited for, so no server is left behind.

``simlib present --scenario FILE`` opens the explorer on any scenario file, wherever it is:
the file is checked first (a bad one is reported and no server starts), then its absolute
path is handed to the explorer's kernel in the environment (``SIMLIB_EXPLORER_SCENARIO``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from simlib.errors import ScenarioError
from simlib.i18n import _
from simlib.storage.paths import locate

DEFAULT_NOTEBOOK = "notebooks/explore.ipynb"
SCENARIO_ENV = "SIMLIB_EXPLORER_SCENARIO"  # read by simlib.present.explorer.Explorer
DEFAULT_PORT = 8866  # Voila's own default
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 60.0  # seconds to wait for the server to answer
STOP_TIMEOUT = 10.0  # seconds to wait after SIGTERM before killing


@dataclass(frozen=True)
class Presentation:
    """A running Voila server.

    Attributes
    ----------
    process
        The Voila process; stop it with :func:`stop`.
    url
        The address of the app, e.g. ``http://127.0.0.1:8866/``.
    notebook
        The notebook being served.
    """

    process: subprocess.Popen
    url: str
    notebook: Path
    sockets: Path | None = None  # the private folder of the kernels' IPC sockets


def default_notebook() -> Path:
    """The explorer notebook shipped with simlib (``notebooks/explore.ipynb``).

    Found relative to the working folder or a folder above it, then next to the package
    (a source checkout or editable install).
    """
    found = locate(DEFAULT_NOTEBOOK)
    if found.exists():
        return found
    return Path(__file__).resolve().parents[1] / DEFAULT_NOTEBOOK


def resolve_notebook(notebook: str | Path | None) -> Path:
    """The notebook to serve, checked to exist and to be a ``.ipynb`` file.

    Raises
    ------
    ScenarioError
        If the file is missing or not a notebook (reported as one line, exit code 2).
    """
    path = default_notebook() if notebook is None else Path(notebook).expanduser()
    if not path.is_file():
        raise ScenarioError(
            _("notebook: {path} does not exist; give the path of a .ipynb file").format(path=path)
        )
    if path.suffix != ".ipynb":
        raise ScenarioError(
            _("notebook: {path} is not a Jupyter notebook (.ipynb)").format(path=path)
        )
    return path.resolve()


def resolve_scenario(scenario: str | Path) -> Path:
    """The scenario file to open, checked to load; its absolute path.

    Raises
    ------
    ScenarioError
        If the file is missing or is not a valid scenario (every problem, one per line).
    """
    from simlib.scenario.loading import load_scenario

    path = Path(scenario).expanduser()
    if not path.is_file():
        raise ScenarioError(
            _("--scenario: {path} does not exist; give the path of a .yaml file").format(path=path)
        )
    load_scenario(path)
    return path.resolve()


def port_is_free(port: int, host: str = HOST) -> bool:
    """Whether a server could listen on ``host:port`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    """A port on ``host`` that nothing listens on (chosen by the operating system)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def choose_port(port: int | None) -> int:
    """The port to serve on: ``port`` if given (it must be free), else 8866 or any free port.

    Raises
    ------
    ScenarioError
        If the requested port is outside 1–65535 or already in use.
    """
    if port is None:
        return DEFAULT_PORT if port_is_free(DEFAULT_PORT) else free_port()
    if not 1 <= port <= 65535:
        raise ScenarioError(
            _("--port: {port} is out of range; allowed 1 to 65535").format(port=port)
        )
    if not port_is_free(port):
        raise ScenarioError(
            _(
                "--port: {port} is already in use on {host}; choose another port or leave "
                "--port out to pick a free one"
            ).format(port=port, host=HOST)
        )
    return port


def voila_command(notebook: Path, port: int, sockets: Path | None = None) -> list[str]:
    """The command line that serves ``notebook`` with Voila on ``127.0.0.1:port``.

    Code cells are stripped from the page (``strip_sources``); error tracebacks are shown
    so that a failing cell says what went wrong instead of a generic notice. With
    ``sockets`` (a private folder) the kernels talk to Voila over Unix sockets in it rather
    than unencrypted TCP on the loopback, which any local user could connect to (and which
    the kernel warns about at every start).
    """
    ipc = (
        ["--KernelManager.transport=ipc", f"--KernelManager.ip={sockets / 'kernel'}"]
        if sockets is not None
        else []
    )
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={HOST}",
        "--Voila.port_retries=0",  # exactly this port, or fail: never drift to another one
        "--strip_sources=True",
        "--show_tracebacks=True",
        *ipc,
    ]


def trust_if_without_outputs(notebook: Path) -> bool:
    """Sign ``notebook`` as trusted if it holds no outputs; whether it is signed.

    Jupyter's trust is about stored outputs (HTML and scripts a notebook would show as
    saved); a notebook without outputs has none, so signing it, as ``jupyter trust`` does,
    takes no risk and spares the "not trusted" warning. A notebook with outputs is left as
    it is: Voila then rightly warns.
    """
    try:
        import nbformat
        from nbformat.sign import NotebookNotary

        nb = nbformat.read(str(notebook), as_version=4)
        if any(cell.get("outputs") for cell in nb.cells):
            return False
        notary = NotebookNotary()
        if not notary.check_signature(nb):
            notary.sign(nb)
        return True
    except (ImportError, OSError, ValueError, json.JSONDecodeError):
        return False  # not signed: Voila's warning stays, nothing else changes


def _listening(port: int, host: str = HOST) -> bool:
    """Whether a server accepts connections on ``host:port``.

    A connection test, not a page request: asking Voila for its page would start a kernel
    and run the whole notebook just to find out that the server is up.
    """
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def start(
    notebook: str | Path | None = None,
    port: int | None = None,
    timeout: float = STARTUP_TIMEOUT,
    scenario: str | Path | None = None,
) -> Presentation:
    """Start Voila for ``notebook`` and wait until its page answers.

    Parameters
    ----------
    notebook
        The notebook to serve; default the shipped explorer.
    port
        Port on 127.0.0.1; default 8866, or any free port if 8866 is taken.
    timeout
        Seconds to wait for the server to answer before giving up.
    scenario
        A scenario file for the explorer to open (anywhere on disk); checked before start.

    Raises
    ------
    ScenarioError
        Bad notebook or port, Voila not installed, or a server that exits or does not answer
        in time (the process is stopped before raising).
    """
    path = resolve_notebook(notebook)
    env = dict(os.environ)
    if scenario is not None:
        env[SCENARIO_ENV] = str(resolve_scenario(scenario))
    if importlib.util.find_spec("voila") is None:
        raise ScenarioError(
            _(
                "voila is not installed; install the notebooks extra: "
                "pip install 'simlib[notebooks]'"
            )
        )
    chosen = choose_port(port)
    url = f"http://{HOST}:{chosen}/"
    trust_if_without_outputs(path)
    sockets = Path(tempfile.mkdtemp(prefix="simlib-kernels-"))  # readable by this user only
    # The kernel runs in the notebook's folder, as it does in Jupyter. A session of its own
    # keeps a terminal's Ctrl-C away from Voila (it would ask "Shutdown?"); simlib stops it.
    process = subprocess.Popen(
        voila_command(path, chosen, sockets),
        cwd=path.parent,
        start_new_session=True,
        env=env,
    )
    presentation = Presentation(process=process, url=url, notebook=path, sockets=sockets)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ScenarioError(
                    _("voila exited with code {code} before serving {url}").format(
                        code=process.returncode, url=url
                    )
                )
            if _listening(chosen):
                return presentation
            time.sleep(0.2)
        raise ScenarioError(
            _("voila did not answer at {url} within {seconds} s").format(
                url=url, seconds=f"{timeout:.0f}"
            )
        )
    except BaseException:
        stop(presentation)
        raise


def stop(presentation: Presentation, timeout: float = STOP_TIMEOUT) -> int:
    """Stop the Voila server by its process id: SIGTERM, wait, then SIGKILL if needed.

    Returns
    -------
    int
        The server's exit code.
    """
    process = presentation.process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if presentation.sockets is not None:
        shutil.rmtree(presentation.sockets, ignore_errors=True)
    return int(process.returncode)


def serve(
    notebook: str | Path | None = None,
    port: int | None = None,
    announce: Callable[[str], None] | None = None,
    scenario: str | Path | None = None,
) -> int:
    """Serve the notebook until Ctrl-C or SIGTERM, then stop Voila; the command's exit code.

    SIGTERM is turned into the same clean shutdown as Ctrl-C, so whoever stops this process
    by its id also stops the Voila server it started.
    """
    if announce is None:

        def announce(line: str) -> None:
            print(line, flush=True)

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    presentation: Presentation | None = None
    try:
        presentation = start(notebook, port, scenario=scenario)
        announce(
            _("Presenting {notebook} at {url} (code hidden; Ctrl-C to stop)").format(
                notebook=presentation.notebook.name, url=presentation.url
            )
        )
        code = presentation.process.wait()
        announce(_("voila stopped by itself with exit code {code}").format(code=code))
        return 1 if code else 0
    except KeyboardInterrupt:
        announce(_("Stopping the presentation server"))
        return 0
    finally:
        if presentation is not None:
            stop(presentation)
        signal.signal(signal.SIGTERM, previous)


def add_command(subparsers) -> None:
    """Register ``simlib present [NOTEBOOK] [--port N] [--scenario FILE]``."""
    cmd = subparsers.add_parser(
        "present",
        help=_("serve the explorer as a web app with no code (Voila on 127.0.0.1)"),
        description=_(
            "Serve a notebook (default: the explorer) as a Voila web app on 127.0.0.1, code "
            "cells hidden, and print its address. Ctrl-C stops the server."
        ),
    )
    cmd.add_argument(
        "notebook", nargs="?", type=Path, help=_("notebook to serve (default: the explorer)")
    )
    cmd.add_argument(
        "--port",
        type=int,
        help=_("port on {host} (default {port}, or a free one)").format(
            host=HOST, port=DEFAULT_PORT
        ),
    )
    cmd.add_argument(
        "--scenario",
        type=Path,
        metavar="FILE",
        help=_(
            "scenario file for the explorer to open (any folder; default scenarios/baseline.yaml)"
        ),
    )
    cmd.set_defaults(func=lambda args: serve(args.notebook, args.port, scenario=args.scenario))
