"""The nightly flow end to end, into a temporary warehouse, against the local upstream."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from flows.demo.server import DemoUpstream, Fault, serve
from flows.nightly import nightly
from flows.sources.http import UpstreamError
from tests.helpers import snapshot

TODAY = dt.date(2026, 11, 23)  # the demo publishes through 2026-09


def counts(path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            t: con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("core.fact_trade", "meta.landed_files", "meta.runs", "meta.quarantine")
        }


def test_demo_nightly_loads_and_rerun_duplicates_nothing(env, prefect_server, monkeypatch) -> None:
    monkeypatch.setenv("ENTREPOT_CENSUS_API__START_MONTH", "2026-01")
    monkeypatch.setenv("ENTREPOT_KCS_TRADE__START_MONTH", "2026-01")
    first = nightly(today=TODAY)
    r = first.result
    assert first.upstream == "demo"
    # Census: 2026-01..2026-09, both directions (2026-10 is not out yet); KCS: one 2026 page per HS chapter
    assert first.payloads_fetched == 18 + 25
    assert r.rows_in == r.rows_loaded > 0 and r.rows_quarantined == 0
    assert r.facts_inserted == counts(env / "wh.duckdb")["core.fact_trade"]
    before = snapshot(env / "wh.duckdb", ["core.fact_trade", "core.fact_trade_revision", "meta.landed_files"])

    second = nightly(today=TODAY)
    assert second.payloads_fetched == 18 + 25 and second.payloads_new == 0
    assert second.result.facts_inserted == second.result.facts_updated == 0
    after = snapshot(env / "wh.duckdb", ["core.fact_trade", "core.fact_trade_revision", "meta.landed_files"])
    assert after == before
    assert counts(env / "wh.duckdb")["meta.runs"] == 2

    with duckdb.connect(str(env / "wh.duckdb"), read_only=True) as con:
        balance = con.sql(
            "SELECT year, months_covered, exports_usd > 0, imports_usd > exports_usd FROM marts.trade_balance "
            "WHERE reporter_iso3 = 'USA' AND partner_iso3 = 'KOR'"
        ).fetchall()
        # World comes from the API's "-" rows and is never ranked; HS2 chapters sum to partner totals
        ranked = con.sql("SELECT count(*) FROM marts.partner_rank WHERE partner_iso3 IN ('WORLD', 'EU', 'ASIA')").fetchall()
    assert balance == [(2026, 9, True, True)]
    assert ranked == [(0,)]


def test_next_night_fetches_new_month_and_window(live_env, prefect_server, monkeypatch) -> None:
    state = DemoUpstream(today=dt.date(2026, 10, 15))  # publishes through 2026-08
    with serve(state) as (url, _):
        monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
        first = nightly(today=dt.date(2026, 10, 15))
        assert first.payloads_fetched == 6  # 2026-06..08 x 2
        state.today = TODAY  # a month later 2026-09 is out
        second = nightly(today=TODAY)
    assert second.payloads_fetched == 8 and second.payloads_new == 2
    with duckdb.connect(str(live_env / "wh.duckdb"), read_only=True) as con:
        months = con.sql("SELECT DISTINCT period_id FROM core.fact_trade ORDER BY 1").fetchall()
    assert [m[0] for m in months] == ["2026-06", "2026-07", "2026-08", "2026-09"]


def test_transient_faults_still_load_everything(live_env, prefect_server, monkeypatch) -> None:
    state = DemoUpstream(today=TODAY)
    state.inject("exports", Fault("429", retry_after="0"), Fault("truncate"))
    state.inject("imports", Fault("500"), Fault("reset"))
    with serve(state) as (url, _):
        monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
        summary = nightly(today=TODAY)
    assert summary.payloads_fetched == 8 and summary.result.rows_quarantined == 0


def test_upstream_failure_leaves_warehouse_unchanged_and_keeps_landed(live_env, prefect_server, monkeypatch) -> None:
    state = DemoUpstream(today=TODAY)
    with serve(state) as (url, _):
        monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
        nightly(today=dt.date(2026, 10, 1))
        before = snapshot(live_env / "wh.duckdb")
        state.inject("imports", *[Fault("503")] * 20)
        with pytest.raises(UpstreamError, match="census_api: gave up after 3 attempts, last: HTTP 503"):
            nightly(today=TODAY)
    assert snapshot(live_env / "wh.duckdb") == before
    landed = list((live_env / "landing" / "census_api").rglob("*.json"))
    assert len(landed) == 8  # the exports fetched before the failure stay in landing


def test_renamed_field_fails_clearly_and_loads_nothing(live_env, prefect_server, monkeypatch) -> None:
    from schemas.validation import PayloadSchemaError

    state = DemoUpstream(today=TODAY)
    state.inject("imports", Fault("rename"))
    with serve(state) as (url, _):
        monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
        with pytest.raises(PayloadSchemaError, match="missing column 'CTY_CODE'"):
            nightly(today=TODAY)
    assert not (live_env / "wh.duckdb").exists()  # the first run failed: nothing was published, not even a schema
    assert not list(live_env.glob("wh.duckdb.next*"))
