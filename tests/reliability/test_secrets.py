"""Secrets: a known fake API key, from the environment or a Prefect Secret block, reaches the upstream
and appears nowhere the run wrote: landing, manifest, warehouse, Data Docs, logs, artifacts,
Prefect's records of the run, exceptions."""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from pathlib import Path

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
    TaskRunFilter,
)
from prefect.client.schemas.sorting import ArtifactSort, TaskRunSort
from prefect.logging.handlers import APILogHandler

from flows.demo.server import DemoUpstream, Fault, serve
from flows.nightly import nightly
from flows.sources.http import UpstreamError
from tests.reliability import tally

KEY = "FAKE-census-key-7f3a9c1e5b"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def live_env(live_env, monkeypatch):
    """The shared live settings over a shorter window (2026-08 on) with fewer retries."""
    monkeypatch.setenv("ENTREPOT_CENSUS_API__START_MONTH", "2026-08")
    monkeypatch.setenv("ENTREPOT_CENSUS_API__MAX_ATTEMPTS", "2")
    monkeypatch.setenv("ENTREPOT_CENSUS_API__MAX_BACKOFF_S", "0.1")
    return live_env


def files_text(root: Path) -> dict[str, str]:
    """Every file under ``root`` (landing, manifest, warehouse dumps, Data Docs) as text."""
    return {str(p): p.read_bytes().decode("utf-8", "replace") for p in root.rglob("*") if p.is_file()
            and p.suffix != ".duckdb" and ".wal" not in p.suffixes}


def warehouse_text(path: Path) -> str:
    """All tables of the warehouse, every row, as text."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.sql(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
        return "\n".join(f"{t}: {con.sql(f'SELECT * FROM {t}').fetchall()!r}" for (t,) in tables)


def prefect_text(flow_run_id: str) -> str:
    """What Prefect recorded of the run: the flow run, its task runs, logs and artifacts."""
    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id])),
            limit=200, sort=TaskRunSort.EXPECTED_START_TIME_ASC,
        )
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run.id])), limit=200, offset=0
        )
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id])),
            flow_run_filter=FlowRunFilter(), task_run_filter=TaskRunFilter(), sort=ArtifactSort.CREATED_DESC,
            limit=50, offset=0,
        )
    assert tasks and logs, "the search covers the run's task runs and logs"
    return "\n".join(m.model_dump_json() for m in [flow_run, *tasks, *logs, *artifacts])


def prefect_database_text(expected: str, timeout_s: float = 20.0) -> str:
    """The raw bytes of the Prefect test server's SQLite database (and its WAL) as text, once they
    hold ``expected`` (the server writes logs, states and events a little after the run)."""
    import prefect.settings
    from prefect.events.worker import EventsWorker

    APILogHandler().flush()
    EventsWorker.drain_all()
    url = str(prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL.value())
    database = Path(url.split(":///", 1)[1])
    deadline = time.monotonic() + timeout_s
    while True:
        text = "\n".join(
            p.read_bytes().decode("utf-8", "replace") for p in database.parent.glob(database.name + "*") if p.is_file()
        )
        if expected in text or time.monotonic() > deadline:
            assert expected in text, f"Prefect's database never recorded {expected!r}"
            return text
        time.sleep(0.5)


def occurrences(texts: dict[str, str]) -> dict[str, int]:
    found = {where: text.count(KEY) for where, text in texts.items() if KEY in text}
    tally.counts["secrets found"] += sum(found.values())
    return found


def log_everything(caplog) -> None:
    """Capture every log record, and send the run's records down to DEBUG to Prefect's API."""
    for name in (None, "prefect.flow_runs", "prefect.task_runs"):
        caplog.set_level(logging.DEBUG, logger=name)


def run_and_search(env: Path, state: DemoUpstream, caplog, monkeypatch) -> dict[str, int]:
    log_everything(caplog)
    with serve(state) as (url, _):
        monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
        summary = nightly(today=TODAY)
    assert summary.payloads_fetched == 4 and summary.result.rows_loaded > 0
    assert all(f"key={KEY}" in r for r in state.requests)  # the key did reach the upstream
    texts = files_text(env)
    assert any("manifest.jsonl" in p for p in texts) and any("data_docs" in p for p in texts)
    texts["warehouse"] = warehouse_text(env / "wh.duckdb")
    texts["captured logs"] = caplog.text
    texts["prefect"] = prefect_text(summary.result.run_id)
    return occurrences(texts)


def test_key_from_the_environment_is_written_nowhere(live_env, prefect_server, caplog, monkeypatch) -> None:
    monkeypatch.setenv("ENTREPOT_CENSUS_API__API_KEY", KEY)
    assert run_and_search(live_env, DemoUpstream(today=TODAY, api_key=KEY), caplog, monkeypatch) == {}


def test_key_from_a_prefect_secret_block_is_written_nowhere(live_env, prefect_server, caplog, monkeypatch) -> None:
    from prefect.blocks.system import Secret

    Secret(value=KEY).save("entrepot-census-key", overwrite=True)
    monkeypatch.setenv("ENTREPOT_CENSUS_API__API_KEY_BLOCK", "entrepot-census-key")
    assert run_and_search(live_env, DemoUpstream(today=TODAY, api_key=KEY), caplog, monkeypatch) == {}


@pytest.mark.parametrize("fault", ["500", "html"])
def test_failed_runs_keep_the_key_out_of_exceptions(fault, live_env, prefect_server, caplog, monkeypatch) -> None:
    monkeypatch.setenv("ENTREPOT_CENSUS_API__API_KEY", KEY)
    log_everything(caplog)
    state = DemoUpstream(today=TODAY, api_key=KEY)
    state.inject("imports", *[Fault(fault)] * 5)
    with serve(state) as (url, _), pytest.raises(UpstreamError) as err:
        monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
        nightly(today=TODAY)
    texts = files_text(live_env)
    texts["exception"] = "".join(traceback.format_exception(err.value))
    texts["captured logs"] = caplog.text
    assert "census_api" in texts["exception"] and "time=2026-08" in texts["exception"]
    assert occurrences(texts) == {}


def test_the_search_finds_a_planted_key(tmp_path) -> None:
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "manifest.jsonl").write_text(f'{{"request": "x?key={KEY}"}}\n')
    texts = files_text(tmp_path)
    assert sum(t.count(KEY) for t in texts.values()) == 1


ECHOES = [  # an upstream that repeats the key it was sent, in the places real servers do
    ("key echoed in the body", Fault("echo_400")),
    ("key echoed in an html title", Fault("echo_html")),
    ("key echoed in a redirect", Fault("redirect", echo_key=True)),
]


@pytest.mark.parametrize(("kind", "fault"), ECHOES, ids=[e[0] for e in ECHOES])
def test_a_key_the_upstream_echoes_is_stored_nowhere(
    kind, fault, live_env, prefect_server, caplog, capfd, monkeypatch
) -> None:
    monkeypatch.setenv("ENTREPOT_CENSUS_API__API_KEY", KEY)
    log_everything(caplog)
    state = DemoUpstream(today=TODAY, api_key=KEY)
    state.inject("imports", fault)
    with serve(state) as (url, _), pytest.raises(UpstreamError) as err:
        monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
        nightly(today=TODAY)
    message = str(err.value)
    assert message.startswith("census_api: ") and "time=2026-08" in message
    assert "[redacted]" in message, "the upstream did echo the key, and it was masked"
    texts = files_text(live_env)
    if (live_env / "wh.duckdb").exists():
        texts["warehouse"] = warehouse_text(live_env / "wh.duckdb")
    texts["exception"] = "".join(traceback.format_exception(err.value))
    texts["captured logs"] = caplog.text
    texts["stdout"], texts["stderr"] = capfd.readouterr()
    texts["prefect database"] = prefect_database_text(message[:40])
    tally.fault_kinds.add(kind)
    assert occurrences(texts) == {}
