"""Prefect artifacts of every run: a markdown summary and a table of row counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from flows.artifacts import COUNTS_KEY, SUMMARY_KEY, summary_markdown
from flows.settings import load_settings
from flows.summary import RunSummary

ROW = {"source": "census_api", "loads": 2, "rows_extracted": 1000, "rows_loaded": 940, "rows_quarantined": 60,
       "facts_inserted": 2000, "revisions": 7}


def test_summary_markdown_reports_sources_revisions_and_checks(env) -> None:
    settings = load_settings()
    text = summary_markdown(RunSummary("backfill", "wh.duckdb", "demo", 4, 3), [ROW], settings)
    assert "| census_api | 2 | 1,000 | 940 | 60 | 2,000 | 7 |" in text
    assert "60 of 1,000 rows quarantined (6.00%, threshold 5.00%): **failed**" in text
    assert "Data Docs: `" in text and "(not built yet)" in text
    lenient = settings.model_copy(update={"quarantine_max_share": 0.1})
    assert "**passed**" in summary_markdown(RunSummary("nightly", "wh", "demo"), [ROW], lenient)


@pytest.mark.prefect
def test_nightly_publishes_summary_and_row_counts(env, prefect_server, monkeypatch) -> None:
    import httpx
    from prefect.settings import PREFECT_API_URL

    from flows.nightly import nightly

    monkeypatch.setenv("ENTREPOT_CENSUS_API__START_MONTH", "2026-09")
    monkeypatch.setenv("ENTREPOT_REVISION_WINDOW_YEARS", "0")
    monkeypatch.setenv("ENTREPOT_KCS_TRADE__ENABLED", "false")  # one source: its row is the run's totals
    summary = nightly(today=dt.date(2026, 11, 23))

    def latest(key: str) -> dict:  # the REST API: the 3.8 client sends nulls the pinned server rejects
        body = {"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1, "offset": 0}
        response = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json=body, timeout=30)
        response.raise_for_status()
        return response.json()[0]

    markdown, table = latest(SUMMARY_KEY), latest(COUNTS_KEY)
    assert markdown["flow_run_id"] == summary.result.run_id and markdown["type"] == "markdown"
    assert f"| census_api | 1 | {summary.result.rows_in:,} | {summary.result.rows_loaded:,} | 0 |" in markdown["data"]
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    counts = {r["table"]: r["rows"] for r in rows}
    assert counts["core.fact_trade"] == summary.result.facts_inserted > 0
    assert "Data Docs" in table["description"]
