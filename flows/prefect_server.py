"""Prefect's temporary server, launched as soon as the CLI knows it will run a flow.

With no API URL configured, Prefect starts a temporary server (uvicorn serving
``prefect.server.api.server:create_app`` in a child process) the moment a flow run first needs its
API, and waits several seconds for it. ``launch`` starts that same child process first thing, before
the CLI imports the pipeline (which takes as long again), so the two overlap on separate cores.
``adopt`` then hands the child to Prefect as its temporary server (the ``SubprocessASGIServer``
singleton every client asks for), once Prefect's settings confirm that it would have started one:
if a server is configured, or the child did not come up, the child is stopped and Prefect behaves
exactly as without this module.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

_launched: _Launched | None = None


class _Launched:
    """The early child process and the port it listens on."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn",
                "--app-dir", str(_prefect_package().parent),
                "--factory", "prefect.server.api.server:create_app",
                "--host", "127.0.0.1", "--port", str(self.port),
                "--log-level", "error", "--lifespan", "on",
            ],
            # the environment Prefect gives its own temporary server
            env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"},
        )
        atexit.register(self.stop)

    def healthy(self, timeout_s: float) -> bool:
        """Poll the health endpoint until it answers 200 (True) or the child exits or time runs out."""
        deadline = time.monotonic() + timeout_s
        url = f"http://127.0.0.1:{self.port}/api/health"
        while time.monotonic() < deadline and self.process is not None and self.process.poll() is None:
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def _prefect_package() -> Path:
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("prefect")
    return Path(next(iter(spec.submodule_search_locations)))


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch() -> None:
    """Start the temporary server's child process now, unless Prefect is already imported (a test
    harness or an embedding application owns its settings) or an API URL is in the environment."""
    global _launched
    if _launched is None and "prefect" not in sys.modules and not os.environ.get("PREFECT_API_URL"):
        _launched = _Launched()


def adopt() -> None:
    """Give a launched child to Prefect as its temporary server, or stop it when Prefect would not
    start one (a configured API URL, ephemeral mode off) or it did not come up. No-op without ``launch``."""
    global _launched
    launched, _launched = _launched, None
    if launched is None:
        return
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        launched.stop()
        return
    from prefect.logging import get_logger
    from prefect.server.api.server import SubprocessASGIServer  # a long import: before the wait

    if not launched.healthy(timeout_s=settings.server.ephemeral.startup_timeout_seconds):
        launched.stop()  # Prefect will start (and report on) its own
        return
    server = SubprocessASGIServer()
    if server.running:
        launched.stop()
        return
    server.port, server.server_process, server.running = launched.port, launched.process, True
    launched.process = None  # Prefect's own stop() now ends it at exit
    atexit.register(server.stop)
    get_logger().info("Started temporary server on %s (launched with the command)", server.address)
