"""Real-browser fixtures: the system Chromium driven by Playwright, Voila and JupyterLab servers.

The browser is the Chromium of the operating system (Debian's ``chromium`` package); no
browser is downloaded. If Chromium or the Playwright package is missing the browser tests are
skipped with a message naming what is missing, unless ``SIMLIB_REQUIRE_BROWSER=1`` is set (CI
sets it), in which case they fail: CI must really run them.

Every server a fixture starts is stopped by its process id when the fixture ends, whatever
happened in the test.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from explorer_page import ARTIFACTS, EXPLORER, ROOT

from simlib.present.voila import free_port

# Without the background-networking switches Chromium's own connections (updates, field
# trials, sync) are refused on a closed network and slow the start down.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 90.0  # seconds; a loaded 2-core machine needs 10-15 s for Voila
SERVER_STOP_TIMEOUT = 15.0  # seconds after SIGTERM before SIGKILL (Voila takes about 3 s)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives the system Chromium against a live server (tests/browser)"
    )
    config.stash[_FIGURES] = []


_FIGURES = pytest.StashKey[list]()


@pytest.fixture
def report(request: pytest.FixtureRequest):
    """``report(line)``: a measured figure, printed at the end of the run even with ``-q``."""
    figures = request.config.stash[_FIGURES]

    def say(line: str) -> None:
        print(line)
        figures.append(f"{request.node.name}: {line}")

    return say


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    figures = config.stash.get(_FIGURES, [])
    if figures:
        terminalreporter.section("browser tests: measured")
        for line in figures:
            terminalreporter.write_line(line)


def chromium_path() -> Path | None:
    """The system Chromium executable, or None.

    ``SIMLIB_CHROMIUM`` names another Chromium-based browser executable (e.g. on a machine
    without the Debian package).
    """
    chosen = os.environ.get("SIMLIB_CHROMIUM")
    if chosen:
        return Path(chosen) if Path(chosen).is_file() else None
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return Path(found)
    default = Path("/usr/bin/chromium")
    return default if default.exists() else None


def _missing_browser_parts() -> list[str]:
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package 'playwright' (pip install -e '.[dev]')")
    if chromium_path() is None:
        where = os.environ.get("SIMLIB_CHROMIUM")
        missing.append(
            f"a Chromium executable at SIMLIB_CHROMIUM={where}"
            if where
            else "the system Chromium (apt-get install -y chromium)"
        )
    return missing


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("SIMLIB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SIMLIB_REQUIRE_BROWSER=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(servers: dict) -> Iterator[object]:
    """A headless system Chromium, shared by the browser tests.

    It asks for the servers first, so that they boot while Chromium starts.
    """
    missing = _missing_browser_parts()
    if missing:
        _skip_or_fail("browser tests need " + " and ".join(missing))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(chromium_path()), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageLog:
    """What the page reported while a test drove it: uncaught script errors."""

    page_errors: list[str] = field(default_factory=list)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser tab (own context) at a slide-sized viewport; ``page.log`` has its errors.

    When the test fails, the tab is saved as ``reports/browser/failed-<test>.png``.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.log = PageLog()
    tab.on("pageerror", lambda exc: tab.log.page_errors.append(str(exc)))
    try:
        yield tab
        if getattr(request.node, "browser_test_failed", False):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}.png"))
    finally:
        context.close()


@dataclass
class Server:
    """A server started for a test: its process, address and log file."""

    process: subprocess.Popen
    url: str
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def stop_processes(processes: list[subprocess.Popen], timeout: float = SERVER_STOP_TIMEOUT) -> None:
    """Stop servers by their process ids: SIGTERM to all, wait, SIGKILL any that stay.

    All are signalled first and then waited for, so stopping two servers costs the time of
    the slower one (Voila takes about 3 s to shut its kernels down).
    """
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


LAB_SETTINGS = {
    # No news or update pop-ups (they would cover the notebook; the network is closed anyway).
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Running the notebook in the test must not write its outputs back into the source tree.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


OWN_SCENARIO = "my-organization.yaml"  # a scenario file of the user's own, outside scenarios/


def _launch_voila(
    folder: Path, env: dict[str, str] | None = None, own_scenario: bool = True
) -> tuple[subprocess.Popen, int, Path]:
    """``simlib present EXPLORER --port P [--scenario FILE]`` through the real command line
    (not waited for); FILE is a copy of the baseline scenario in a folder of its own."""
    port = free_port()
    log = folder / "voila.log"
    command = [sys.executable, "-m", "simlib.cli.main", "present", str(EXPLORER)]
    command += ["--port", str(port)]
    if own_scenario:
        own = folder / "own" / OWN_SCENARIO
        own.parent.mkdir()
        shutil.copy(ROOT / "scenarios" / "baseline.yaml", own)
        command += ["--scenario", str(own)]
    with log.open("w") as err:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=err, text=True, cwd=ROOT, env=env
        )
    return process, port, log


def _launch_jupyterlab(home: Path) -> tuple[subprocess.Popen, int, Path]:
    """JupyterLab on loopback without a token, serving the notebooks folder (not waited for).

    User settings, workspaces, checkpoints and Jupyter configuration live in ``home`` so the
    test neither reads nor changes the user's own nor writes into the source tree.
    """
    for relative, values in LAB_SETTINGS.items():
        target = home / "settings" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    (home / "config").mkdir()
    port = free_port()
    log = home / "jupyterlab.log"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"))
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.token=",
        "--ServerApp.password=",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={EXPLORER.parent}",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        # Opening a notebook makes a checkpoint copy; keep it out of the source tree.
        f"--FileCheckpoints.root_dir={home / 'checkpoints'}",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=EXPLORER.parent, env=env
        )
    return process, port, log


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Voila (through ``simlib present``) and JupyterLab, started together, stopped together.

    Both start as soon as the first browser test needs a server, so that their start-up
    overlaps; each test then waits only for its own. At the end of the session both are
    stopped by their process ids, whatever happened. ``simlib present`` must then have exited
    cleanly and taken Voila down with it: nothing may answer on its port any more.
    """
    missing = _missing_browser_parts()
    if missing:  # no point starting servers for tests that will skip
        _skip_or_fail("browser tests need " + " and ".join(missing))
    if not EXPLORER.exists():
        pytest.fail(f"the explorer notebook {EXPLORER.relative_to(ROOT)} is missing")
    launched: dict = {}
    try:
        launched["voila"] = _launch_voila(tmp_path_factory.mktemp("voila"))
        launched["jupyterlab"] = _launch_jupyterlab(tmp_path_factory.mktemp("jupyterlab"))
        yield launched
    finally:
        stop_processes([process for process, _, _ in launched.values()])
        if "voila" in launched:
            launched["voila"][0].stdout.close()
    present, port, _ = launched["voila"]
    assert present.returncode == 0, f"simlib present exited with {present.returncode}"
    assert not _answers(f"http://127.0.0.1:{port}/"), f"a server still answers on port {port}"


def _read_first_line(process: subprocess.Popen, timeout: float) -> str:
    """The first line the process writes to its stdout, or '' after ``timeout`` seconds."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return box[0] if box else ""


@pytest.fixture(scope="session")
def voila_app(servers: dict) -> Server:
    """The explorer served by ``simlib present``, once it has printed its address."""
    process, port, log = servers["voila"]
    line = _read_first_line(process, SERVER_START_TIMEOUT)
    url = f"http://127.0.0.1:{port}/"
    server = Server(process=process, url=url, log=log)
    assert url in line, f"simlib present printed {line!r}, not {url}:\n{server.log_tail()}"
    return server


@pytest.fixture(scope="session")
def jupyterlab(servers: dict) -> Server:
    """JupyterLab serving the notebooks folder, once it answers."""
    process, port, log = servers["jupyterlab"]
    server = Server(process=process, url=f"http://127.0.0.1:{port}/", log=log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not _answers(server.url + "api/status"):
        assert process.poll() is None, f"JupyterLab exited:\n{server.log_tail()}"
        assert time.monotonic() < deadline, f"JupyterLab did not answer:\n{server.log_tail()}"
        time.sleep(0.25)
    return server


@pytest.fixture(scope="module")
def voila_chinese(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The explorer served by ``simlib present`` with ``SIMLIB_LANG=zh`` (a server of its
    own, stopped by its process id when the module's tests end)."""
    missing = _missing_browser_parts()
    if missing:
        _skip_or_fail("browser tests need " + " and ".join(missing))
    folder = tmp_path_factory.mktemp("voila-zh")
    env = dict(os.environ, SIMLIB_LANG="zh")
    process, port, log = _launch_voila(folder, env=env, own_scenario=False)
    try:
        url = f"http://127.0.0.1:{port}/"
        server = Server(process=process, url=url, log=log)
        line = _read_first_line(process, SERVER_START_TIMEOUT)
        assert url in line, f"simlib present printed {line!r}, not {url}:\n{server.log_tail()}"
        yield server
    finally:
        stop_processes([process])
        process.stdout.close()
