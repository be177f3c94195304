"""Shared fixtures: the real data directory, an isolated environment, Prefect, the demo upstream."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ENTREPOT_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _default_interrupt(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with Python's own SIGINT handler (Ctrl-C raises KeyboardInterrupt), and a test
    that leaves another one installed is named on stderr and undone: in the whole suite some earlier
    in-process run left one that swallowed the SIGINT the interrupt tests of the sources send."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        print(f"\n{request.node.nodeid} left a SIGINT handler installed: restored", file=sys.stderr)
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public files beside the repository (../shared/data); skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data directory {SHARED_DATA} is absent (CI always has it)")
    return SHARED_DATA


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory with warehouse and landing under it, no config file, no keys."""
    for name in list(os.environ):
        if name.startswith("ENTREPOT_") and name != "ENTREPOT_SHARED_DATA":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENTREPOT_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("ENTREPOT_LANDING_DIR", str(tmp_path / "landing"))
    return tmp_path


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server (SQLite) for every test that runs a flow."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def demo_upstream():
    """The demo upstream on 127.0.0.1: yields (base URL, state) for injecting faults."""
    import datetime as dt

    from flows.demo.server import DemoUpstream, serve

    with serve(DemoUpstream(today=dt.date(2026, 11, 23))) as (url, state):
        yield url, state


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def prefect_server_process(home: Path, *, ui: bool = False) -> Iterator[str]:
    """A real `prefect server start` on a free 127.0.0.1 port with PREFECT_HOME=home; yields its API URL.

    PREFECT_API_URL is set in the server's environment so that its UI calls this server's API (the
    UI's API URL ignores ``--port`` and would otherwise point at port 4200). Stopped at exit.
    """
    import subprocess
    import sys
    import time

    import httpx

    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_API_URL": url}
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    log = open(home / "server.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [*command, *([] if ui else ["--no-ui"])], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"prefect server exited: {(home / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"prefect server did not start in 120 s: {(home / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        stop_process_group(server)
        log.close()


@pytest.fixture(scope="session")
def prefect_api_server(tmp_path_factory) -> Iterator[str]:
    """A real `prefect server start` on 127.0.0.1 (own PREFECT_HOME, no UI); yields its API URL, killed at the end."""
    with prefect_server_process(tmp_path_factory.mktemp("prefect-server")) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> str:
    """Headless Chromium (`.ci/run` installs Debian's package); skipped when absent, except under CI=true."""
    import shutil

    found = shutil.which("chromium")
    if found:
        return found
    message = "chromium is not installed (Debian: apt-get install chromium; .ci/run does it)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message}: CI must run the Chromium tests, not skip them")
    pytest.skip(message)


def stop_process_group(process) -> None:
    """SIGTERM a process started with ``start_new_session=True`` and its children; SIGKILL after 20 s."""
    import signal
    import subprocess

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with contextlib.suppress(ProcessLookupError):  # children that outlived their parent
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def live_env(env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``env`` with the Census source in live mode, for a local server the test starts and points
    ENTREPOT_CENSUS_API__BASE_URL at: a short window (from 2026-06) and fast retries."""
    for name, value in {
        "ENTREPOT_UPSTREAM": "live",
        "ENTREPOT_CENSUS_API__START_MONTH": "2026-06",
        "ENTREPOT_REVISION_WINDOW_YEARS": "0",
        "ENTREPOT_CENSUS_API__MAX_ATTEMPTS": "3",
        "ENTREPOT_CENSUS_API__MAX_BACKOFF_S": "0.2",
    }.items():
        monkeypatch.setenv(name, value)
    return env
