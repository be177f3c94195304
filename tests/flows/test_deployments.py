"""`entrepot serve` against a real Prefect server: deployments registered, a triggered run completes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, stop_process_group

pytestmark = pytest.mark.prefect


async def _deployment(client, name: str):
    from prefect.exceptions import ObjectNotFound

    try:
        return await client.read_deployment_by_name(name)
    except ObjectNotFound:
        return None


async def _wait_for_deployments(url: str, names: list[str], serve: subprocess.Popen, timeout_s: float) -> list:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    deadline = time.monotonic() + timeout_s
    with temporary_settings({PREFECT_API_URL: url}):
        async with get_client() as client:
            while time.monotonic() < deadline:
                assert serve.poll() is None, "entrepot serve exited early"
                found = [await _deployment(client, n) for n in names]
                if all(found):
                    return found
                await asyncio.sleep(1)
    pytest.fail(f"deployments {names} not registered within {timeout_s} s")


def test_serve_registers_deployments_and_runs_nightly(prefect_api_server, tmp_path: Path) -> None:
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.update({
        "PREFECT_API_URL": prefect_api_server, "PREFECT_HOME": str(tmp_path / ".prefect"),
        "PYTHONPATH": str(REPO), "ENTREPOT_LANDING_DIR": str(tmp_path / "landing"),
        "ENTREPOT_CENSUS_API__START_MONTH": "2026-08", "ENTREPOT_REVISION_WINDOW_YEARS": "0",
    })
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 (closed below)
    serve = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "--warehouse", str(tmp_path / "wh.duckdb"), "serve"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        nightly, backfill = asyncio.run(
            _wait_for_deployments(prefect_api_server, ["nightly/nightly", "backfill/backfill"], serve, 90)
        )
        assert [s.schedule.cron for s in nightly.schedules] == ["0 6 * * *"]
        assert nightly.parameters == {"warehouse_path": str(tmp_path / "wh.duckdb")}
        assert backfill.schedules == [] and set(backfill.parameter_openapi_schema["required"]) == {"start", "end"}

        with temporary_settings({PREFECT_API_URL: prefect_api_server}):
            run = run_deployment("nightly/nightly", parameters={"today": "2026-11-23"}, timeout=180, poll_interval=2)
        assert run.state is not None and run.state.is_completed(), (run.state, (tmp_path / "serve.log").read_text()[-3000:])
    finally:
        stop_process_group(serve)
        log.close()

    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        months = con.sql("SELECT DISTINCT period_id FROM core.fact_trade WHERE source = 'census_api' ORDER BY 1").fetchall()
        runs = con.sql("SELECT run_id, flow_name FROM meta.runs").fetchall()
    assert [m[0] for m in months] == ["2026-08", "2026-09"]  # the demo publishes through 2026-09
    assert runs == [(str(run.id), "nightly")]


def test_serve_without_a_prefect_server_says_how_to_start_one(tmp_path: Path, monkeypatch, capsys) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.cli import main

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert main(["--warehouse", str(tmp_path / "wh.duckdb"), "serve"]) == 2
    assert "entrepot serve needs a Prefect server: start one with `prefect server start`" in capsys.readouterr().err
