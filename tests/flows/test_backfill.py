"""`entrepot run backfill`: progress, resume after a kill without refetching, Dask task runner."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest

from flows.demo.server import Fault
from flows.sources.landing import land_bytes, landed_by_request, read_manifest
from tests.conftest import REPO

pytestmark = pytest.mark.prefect
MONTHS = {f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)}


def _requested(paths: list[str]) -> list[tuple[str, str]]:
    """(endpoint, month) of each request the demo upstream received."""
    return [(urlparse(p).path.split("/")[-2], parse_qs(urlparse(p).query)["time"][0]) for p in paths]


def _landed(landing: Path) -> list[tuple[str, str]]:
    """(endpoint, month) of each manifest line."""
    return [(str(r["request"]).split("/")[2], str(r["request"]).rsplit("time=", 1)[1]) for r in read_manifest(landing)]


def test_landed_by_request_keeps_latest_payload_still_on_disk(tmp_path: Path) -> None:
    first = land_bytes(tmp_path, source="s", request="r1", content=b"old", suffix=".json")
    second = land_bytes(tmp_path, source="s", request="r1", content=b"new", suffix=".json")
    gone = land_bytes(tmp_path, source="s", request="r2", content=b"gone", suffix=".json")
    land_bytes(tmp_path, source="other", request="r1", content=b"x", suffix=".json")
    gone.path(tmp_path).unlink()
    with open(tmp_path / "manifest.jsonl", "a") as handle:
        handle.write('{"source": "s", "request": "r3", "file_h')  # a line cut short by a kill
    found = landed_by_request(tmp_path, "s")
    assert list(found) == ["r1"]
    assert found["r1"] == second and found["r1"].file_hash != first.file_hash


def test_backfill_killed_half_way_resumes_without_refetching(
    prefect_api_server: str, demo_upstream, tmp_path: Path
) -> None:
    url, state = demo_upstream
    for endpoint in ("exports", "imports"):  # slow enough to be killed half way
        state.inject(endpoint, *[Fault("timeout", delay_s=0.25)] * 24)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.update({
        "PREFECT_API_URL": prefect_api_server, "PREFECT_HOME": str(tmp_path / ".prefect"), "PYTHONPATH": str(REPO),
        "ENTREPOT_WAREHOUSE": str(tmp_path / "wh.duckdb"), "ENTREPOT_LANDING_DIR": str(tmp_path / "landing"),
        "ENTREPOT_UPSTREAM": "live", "ENTREPOT_CENSUS_API__BASE_URL": url,
        "ENTREPOT_CENSUS_API__MAX_CONCURRENCY": "1",
    })
    command = [sys.executable, "-m", "flows.cli", "run", "backfill", "--start", "2024-01", "--end", "2025-12",
               "--today", "2026-11-23"]
    first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(read_manifest(tmp_path / "landing")) < 30:  # all of 2024 and some of 2025
            assert first.poll() is None and time.monotonic() < deadline, "backfill ended before it could be killed"
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    before_kill = set(_landed(tmp_path / "landing"))
    asked_before = len(state.requests)
    assert 30 <= len(before_kill) < 48
    # one source at a time (max_concurrency 1): every 2024 request came before any 2025 one
    years = [month[:4] for _, month in _requested(state.requests[:asked_before])]
    assert years == sorted(years)

    second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert second.returncode == 0, second.stderr[-3000:]
    # not a terminal: a plain line per year (2024 had all landed before the kill)
    assert "census_api 2024: landed 0 payloads, reused 24 from landing" in second.stdout
    assert "census_api 2025: landed " in second.stdout

    asked_after = _requested(state.requests[asked_before:])
    assert not set(asked_after) & before_kill  # nothing that had landed was asked for again
    manifest = Counter(_landed(tmp_path / "landing"))
    assert set(manifest) == {(e, m) for e in ("exports", "imports") for m in MONTHS}
    assert set(manifest.values()) == {1}  # each month landed once over both attempts

    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        periods = {r[0] for r in con.sql("SELECT DISTINCT period_id FROM core.fact_trade").fetchall()}
        files = con.sql("SELECT count(*) FROM meta.landed_files").fetchall()[0][0]
        flows = con.sql("SELECT DISTINCT flow_name FROM meta.runs").fetchall()
    assert periods == MONTHS and files == 48 and flows == [("backfill",)]

    status = subprocess.run([sys.executable, "-m", "flows.cli", "status"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 0, status.stderr[-2000:]
    assert "census_api" in status.stdout and "2025-12" in status.stdout and "backfill" in status.stdout


def test_dask_task_runner_loads_the_same(env: Path, prefect_server, demo_upstream, monkeypatch) -> None:
    from prefect_dask import DaskTaskRunner

    from flows.backfill import api_for_workers, backfill

    url, _ = demo_upstream
    monkeypatch.setenv("ENTREPOT_UPSTREAM", "live")
    monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
    runner = DaskTaskRunner(cluster_kwargs={"n_workers": 1, "processes": True, "threads_per_worker": 2,
                                            "dashboard_address": None})
    with api_for_workers():  # the workers report to the test's Prefect server
        summary = backfill.with_options(task_runner=runner)("2025-11", "2026-02", today=dt.date(2026, 11, 23))
    assert summary.payloads_fetched == summary.payloads_new == 8
    assert summary.result.facts_inserted > 0 and summary.result.rows_quarantined == 0
    again = backfill("2025-11", "2026-02", today=dt.date(2026, 11, 23))  # thread runner, all reused
    assert again.payloads_fetched == 8 and again.payloads_new == 0 and again.result is None


def test_backfill_rejects_reversed_range(env: Path, prefect_server) -> None:
    from flows.backfill import backfill

    with pytest.raises(ValueError, match="--start 2025-02 is after --end 2025-01"):
        backfill("2025-02", "2025-01")
