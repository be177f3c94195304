"""The nightly as a service: a real `prefect server start` (with its UI) and `entrepot serve --cron`.

The server's scheduler, not the test, creates the run; it must complete, and Prefect's own CLI and
UI must show it with its artifacts (they broke under SQLAlchemy 2.1 and fastapi >= 0.151).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.chromium import wait_for_text
from tests.conftest import REPO, prefect_server_process, stop_process_group

pytestmark = pytest.mark.prefect

SCHEDULED_WITHIN_S = 180
ARTIFACT_KEYS = ("entrepot-run-summary", "entrepot-row-counts")


async def _first_scheduled_run_completed(url: str, serve: subprocess.Popen, log: Path, server_log: Path):
    """The first nightly run that the server's scheduler created, once COMPLETED (fail on a final other state)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.settings import PREFECT_API_URL, temporary_settings

    deadline = time.monotonic() + SCHEDULED_WITHIN_S
    with temporary_settings({PREFECT_API_URL: url}):
        async with get_client() as client:
            while time.monotonic() < deadline:
                assert serve.poll() is None, f"entrepot serve exited early: {log.read_text()[-3000:]}"
                runs = await client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=["auto-scheduled"])),
                    sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=1,
                )
                run = runs[0] if runs else None
                if run is not None and run.state is not None and run.state.is_final():
                    assert run.state.is_completed(), (run.state, log.read_text()[-3000:])
                    return run
                await asyncio.sleep(2)
    errors = [line for line in server_log.read_text().splitlines() if "Error" in line][-5:]
    pytest.fail(f"no scheduled run completed within {SCHEDULED_WITHIN_S} s; server errors: {errors}; "
                f"entrepot serve: {log.read_text()[-2000:]}")


async def _artifact_keys(url: str, flow_run_id) -> set[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: url}):
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
            )
    return {a.key for a in found}


def prefect_cli(env: dict[str, str], *args: str) -> str:
    """`prefect <args>` as a user types it (a wide terminal, so that rich does not cut names); its output."""
    done = subprocess.run(
        [sys.executable, "-m", "prefect", *args], env={**env, "COLUMNS": "250"},
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def test_the_scheduler_runs_the_nightly_and_prefect_cli_and_ui_show_it(tmp_path: Path, chromium: str) -> None:
    from flows.demo.server import DemoUpstream

    home = tmp_path / ".prefect"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENTREPOT_", "PREFECT_API_URL"))}
    with prefect_server_process(home, ui=True) as url:
        env.update({
            "PREFECT_API_URL": url, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PYTHONPATH": str(REPO), "ENTREPOT_LANDING_DIR": str(tmp_path / "landing"),
            # one month of the embedded demo upstream: the newest it publishes today
            "ENTREPOT_CENSUS_API__START_MONTH": DemoUpstream().last_published_month(),
            "ENTREPOT_REVISION_WINDOW_YEARS": "0",
        })
        log = tmp_path / "serve.log"
        with open(log, "w") as out:
            serve = subprocess.Popen(
                [sys.executable, "-m", "flows.cli", "--warehouse", str(tmp_path / "wh.duckdb"),
                 "serve", "--cron", "* * * * *"],
                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
            try:
                run = asyncio.run(_first_scheduled_run_completed(url, serve, log, home / "server.log"))
            finally:
                stop_process_group(serve)
        # made by the scheduler from the cron schedule, not by hand
        assert run.auto_scheduled and (run.idempotency_key or "").startswith("scheduled ")
        assert run.created_by is not None and run.created_by.type == "SCHEDULE"
        assert asyncio.run(_artifact_keys(url, run.id)) == set(ARTIFACT_KEYS)

        assert "nightly/nightly" in prefect_cli(env, "deployment", "ls")
        assert run.name in prefect_cli(env, "flow-run", "ls", "--state-type", "COMPLETED")
        listed = prefect_cli(env, "artifact", "ls")
        assert all(key in listed for key in ARTIFACT_KEYS), listed
        assert str(run.id) in prefect_cli(env, "artifact", "inspect", "entrepot-run-summary")

        ui = url.removesuffix("/api")
        seen = wait_for_text(chromium, f"{ui}/runs", run.name, profile=tmp_path / "chromium",
                             screenshot=tmp_path / "runs.png")
        assert run.name in seen, seen[-2000:]
        assert "Something went wrong" not in seen and "Can't connect to Server API" not in seen
