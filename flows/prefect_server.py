"""A local Prefect server for the CLI's flow runs, started first thing and tied to the CLI's life.

When the user has configured no Prefect API URL (environment, ``.env``, ``prefect.toml``,
``pyproject.toml`` or the active profile), ``start`` launches ``prefect server start`` on
127.0.0.1 and a free port as a child process, with the default ``PREFECT_HOME`` database (the one
Prefect's own temporary server uses), and points the flow run at it through Prefect's documented
``PREFECT_API_URL`` setting, set in ``os.environ`` before Prefect is imported. Its start-up overlaps
the CLI's imports; ``wait_ready`` waits for its health endpoint before the flow runs.

The child never outlives the CLI: it asks the kernel for SIGTERM when its parent dies (even by
SIGKILL: ``PR_SET_PDEATHSIG``), runs in its own process group, and is stopped at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

PR_SET_PDEATHSIG = 1
SERVER_MARK = "ENTREPOT_PREFECT_SERVER_FOR"
"""Set in the child's environment to the CLI's PID (tests find the server by it)."""

_server: LocalServer | None = None


class ServerStartError(RuntimeError):
    """The local Prefect server did not come up."""


def configured_api_url(cwd: Path | None = None) -> str | None:
    """The API URL the user configured for Prefect, read the way Prefect reads it (environment,
    ``.env``, ``prefect.toml``, ``pyproject.toml`` in the working directory, the active profile),
    without importing Prefect; None when there is none."""
    cwd = cwd or Path.cwd()
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    dotenv = cwd / ".env"
    if dotenv.is_file():
        for line in dotenv.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.strip().removeprefix("export ").partition("=")
            if key.strip() == "PREFECT_API_URL" and value.strip().strip("'\""):
                return value.strip().strip("'\"")
    for path, keys in ((cwd / "prefect.toml", ("api",)), (cwd / "pyproject.toml", ("tool", "prefect", "api"))):
        table = _toml(path)
        for key in keys:
            table = table.get(key, {}) if isinstance(table, dict) else {}
        if isinstance(table, dict) and table.get("url"):
            return str(table["url"])
    home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    profiles = _toml(Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser())
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    url = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(url) if url else None


def _toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tie_to_parent(parent: int) -> None:
    """In the child before exec: SIGTERM when the parent dies; exit now if it already has."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


class LocalServer:
    """``prefect server start`` on 127.0.0.1 as a child of this process."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        parent = os.getpid()
        env = {**os.environ, SERVER_MARK: str(parent), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start",
             "--host", "127.0.0.1", "--port", str(self.port), "--no-ui"],
            env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            process_group=0, preexec_fn=lambda: _tie_to_parent(parent),  # no threads yet
        )
        atexit.register(self.stop)

    def wait_ready(self, timeout_s: float) -> None:
        """Poll the health endpoint until it answers; raise ``ServerStartError`` if the child exits
        or ``timeout_s`` passes first."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                break
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                if response.status == 200:
                    return
            time.sleep(0.1)
        self.log.seek(0)
        tail = self.log.read()[-1500:].decode(errors="replace").strip()
        raise ServerStartError(f"the local Prefect server on {self.url} did not start within {timeout_s:.0f} s: {tail}")

    def stop(self) -> None:
        """SIGTERM the child's process group; SIGKILL it after 10 s."""
        process, self.process = self.process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.log.close()


def start() -> str | None:
    """Start the local server and point Prefect at it, unless Prefect is already imported (a test
    harness or an embedding application owns its settings) or the user configured an API URL.
    Returns the API URL Prefect will use when this module chose it."""
    global _server
    if _server is None and "prefect" not in sys.modules and configured_api_url() is None:
        _server = LocalServer()
        os.environ["PREFECT_API_URL"] = _server.url
    return _server.url if _server else None


def wait_ready() -> None:
    """Block until the server from ``start`` answers (no-op without one)."""
    if _server is not None:
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
        _server.wait_ready(timeout)


def stop() -> None:
    """Stop the server from ``start`` now (also done at exit)."""
    global _server
    if _server is not None:
        _server.stop()
        _server = None
