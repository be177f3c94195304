"""`entrepot run nightly` as a user runs it, in a subprocess on the embedded default (empty working
directory, demo upstream, no Prefect API configured): what it prints, what it leaves running."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from flows.prefect_server import SERVER_MARK
from tests.conftest import REPO
from tests.helpers import snapshot
from tests.reliability import tally

MARK = "ENTREPOT_TEST_RUN_MARK"
IMPORTED = "<<prefect imported>>"
# Runs the CLI and prints IMPORTED on stdout the moment anything imports Prefect.
WRAPPER = f"""
import sys

class Marker:
    def find_spec(self, name, path=None, target=None):
        if name == "prefect":
            sys.meta_path.remove(self)
            print({IMPORTED!r}, flush=True)
        return None

sys.meta_path.insert(0, Marker())
from flows.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


class Run:
    """One CLI process; its stdout read line by line on a thread."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.mark = uuid.uuid4().hex
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ENTREPOT_", "PREFECT_API_URL"))}
        env.update({"PREFECT_HOME": str(cwd / ".prefect"), "PYTHONPATH": str(REPO), MARK: self.mark,
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
        self.stderr = (cwd / f"stderr-{self.mark}.txt").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRAPPER, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
            stderr=self.stderr, text=True, start_new_session=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, needle: str, timeout_s: float = 400) -> None:
        deadline = time.monotonic() + timeout_s
        while not any(needle in line for line in self.lines):
            assert self.process.poll() is None or self.reader.is_alive(), f"exited before {needle!r}: {self.lines}"
            assert time.monotonic() < deadline, f"no {needle!r} in {timeout_s} s: {self.lines[-20:]}"
            time.sleep(0.1)

    def finish(self, timeout_s: float = 600) -> int:
        code = self.process.wait(timeout=timeout_s)
        self.reader.join(timeout=10)
        self.stderr.close()
        return code

    def started(self) -> list[int]:
        """PIDs of live processes carrying this run's environment (the CLI and all it started)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    environ = (entry / "environ").read_bytes().split(b"\0")
                except OSError:
                    continue
                if f"{MARK}={self.mark}".encode() in environ:
                    found.append(int(entry.name))
        return found

    def cleanup(self) -> None:
        for pid in self.started():
            os.kill(pid, signal.SIGKILL)


def gone_within(run: Run, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while run.started() and time.monotonic() < deadline:
        time.sleep(0.2)
    return run.started()


@pytest.fixture(scope="module")
def first_night(tmp_path_factory) -> tuple[Path, Run]:
    """A complete `entrepot run nightly` in an empty directory."""
    cwd = tmp_path_factory.mktemp("nightly")
    run = Run(cwd, "run", "nightly")
    try:
        assert run.finish() == 0, Path(run.stderr.name).read_text()[-3000:]
    finally:
        run.cleanup()
    return cwd, run


def test_first_line_comes_before_prefect_is_imported(first_night) -> None:
    _, run = first_night
    assert run.lines[0] == "entrepot: nightly on data/entrepot.duckdb (upstream demo) starting..."
    assert IMPORTED in run.lines[1:]


def test_plain_progress_lines_per_source_and_month_when_not_a_terminal(first_night) -> None:
    _, run = first_night
    for line in (
        "census_api export 2026-01: landed 1 payload (375 rows)",
        "census_api import 2025-12: validated 375 rows (0 quarantined)",
        "census_api import 2025-12: loaded",
    ):
        assert line in run.lines
    assert not any("\x1b[" in line for line in run.lines)  # no terminal control codes in a pipe


def test_no_nanobind_leak_lines_and_nothing_left_running(first_night) -> None:
    _, run = first_night
    assert "nanobind" not in Path(run.stderr.name).read_text()
    assert run.started() == []


def test_kill_9_leaves_no_process_it_started(tmp_path) -> None:
    run = Run(tmp_path, "run", "nightly")
    try:
        run.wait_for(": landed 1 payload")
        started = run.started()
        servers = [p for p in started if f"{SERVER_MARK}={run.process.pid}".encode()
                   in Path(f"/proc/{p}/environ").read_bytes().split(b"\0")]
        assert servers, "the local Prefect server is not among the processes it started"
        os.kill(run.process.pid, signal.SIGKILL)
        run.finish()
        assert gone_within(run, 10) == []
        tally.counts["kill points"] += 1
    finally:
        run.cleanup()


def test_sigterm_during_a_load_exits_soon_and_leaves_the_warehouse_unchanged(first_night) -> None:
    cwd, _ = first_night
    warehouse = cwd / "data" / "entrepot.duckdb"
    before = snapshot(warehouse)
    later = (dt.date.today() + dt.timedelta(days=120)).isoformat()  # new months in the demo upstream
    run = Run(cwd, "run", "nightly", "--today", later)
    try:
        run.wait_for("loading ")
        sent = time.monotonic()
        run.process.send_signal(signal.SIGTERM)
        code = run.finish(timeout_s=60)
        took = time.monotonic() - sent
        assert code != 0
        assert took < 20, f"SIGTERM took {took:.1f} s"
        assert snapshot(warehouse) == before
        assert gone_within(run, 10) == []
        tally.counts["kill points"] += 1
    finally:
        run.cleanup()
