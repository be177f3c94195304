"""A rebuild from the landing directory replays Comtrade API responses, port-level extracts and HS
conversion tables exactly as they were first loaded."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import duckdb
import pytest

from flows.demo.server import DemoUpstream, serve
from flows.ingest_reference import reference_batch
from flows.pipeline import load_processed, process_payload, read_crosswalk
from flows.rebuild import rebuild
from flows.registry import SOURCES, kind_by_name
from flows.sources import comtrade_api
from flows.sources.comtrade_api import ComtradeQuery
from flows.sources.http import RetryPolicy
from flows.sources.landing import land_file
from warehouse.migrate import migrate
from warehouse.reference_loader import load_reference

pytestmark = pytest.mark.realdata
TABLES = ("core.fact_trade", "core.hs_concordance")


def rows(path: Path, table: str) -> list[tuple]:
    columns = {
        "core.fact_trade": "source, reporter_id, partner_id, product_id, period_id, flow_id, value_usd, quantity, "
        "value_status, file_hash",
        "core.hs_concordance": "from_vintage, from_code, to_vintage, to_code, level, weight, file_hash",
    }[table]
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()


def test_rebuild_replays_comtrade_api_porths_and_concordance(shared_data: Path, tmp_path: Path) -> None:
    landing, original = tmp_path / "landing", tmp_path / "w.duckdb"
    with serve(DemoUpstream(today=dt.date(2026, 11, 23))) as (url, _):
        client, access = comtrade_api.client(None, 5.0)
        with client:
            api = comtrade_api.fetch(
                client,
                base_url=url.removesuffix("/data"),
                access=access,
                landing_dir=landing,
                query=ComtradeQuery("A", ("842",), ("410", "0"), ("2023",)),
                policy=RetryPolicy(max_attempts=2),
            )
    porths = shared_data / "census_trade" / "porths_hs2_2024"
    files = [
        (kind_by_name("census-api-porths"), porths / f"census_porths_{d}_hs2_2024_cty5800.csv")
        for d in ("exports", "imports")
    ]
    with duckdb.connect(str(original)) as con:
        migrate(con)
        crosswalk = read_crosswalk(con)
        payloads = [(p, kind_by_name("comtrade-api-response")) for p in api]
        payloads += [(land_file(landing, source=kind.source, path=file), kind) for kind, file in files]
        for payload, kind in payloads:
            load_processed(
                con,
                [process_payload(payload, kind, landing, crosswalk)],
                run_id=str(uuid.uuid4()),
                flow_name="test",
                started_at=dt.datetime.now(dt.UTC),
                max_reject_share=0.0,
            )
        table = shared_data / "reference" / "hs_concordance" / "hs2022_to_hs2017_conversion.csv"
        landed = land_file(landing, source="hs_concordance", path=table)
        load_reference(
            con, reference_batch(SOURCES["hs-concordance"], landed, landing, {}, run_id="r", flow_name="t", max_reject_share=0.0)
        )
    rebuilt = tmp_path / "rebuilt.duckdb"
    result = rebuild(rebuilt, landing, max_reject_share=0.0)
    assert result.rows_quarantined == 0
    for table in TABLES:
        assert rows(rebuilt, table) == rows(original, table) and rows(original, table), table
    flows = {r[5] for r in rows(rebuilt, "core.fact_trade")}
    assert flows == {"M_CIF", "M_FOB", "X_FOB", "X_AIR", "X_CNT", "M_AIR", "M_CNT"}
