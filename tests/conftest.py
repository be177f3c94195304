"""Shared fixtures: the real data directory, an isolated environment, Prefect, the demo upstream."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ENTREPOT_SHARED_DATA", REPO.parent / "shared" / "data"))


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
