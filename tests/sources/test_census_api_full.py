"""Census API in full: every import measure, extracts saved as CSV, mixed levels and aggregates."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import duckdb
import httpx
import polars as pl
import pytest

from flows.pipeline import load_processed, process_payload, read_crosswalk
from flows.registry import census_api_kind, kind_by_name
from flows.sources import census_api
from flows.sources.http import RetryPolicy
from flows.sources.landing import land_bytes, land_file
from warehouse.migrate import migrate

IMPORT_HEADER = [
    "CTY_CODE",
    "CTY_NAME",
    "I_COMMODITY",
    "I_COMMODITY_LDESC",
    "GEN_VAL_MO",
    "CON_VAL_MO",
    "GEN_CIF_MO",
    "CAL_DUT_MO",
    "DUT_VAL_MO",
    "GEN_QY1_MO",
    "UNIT_QY1",
    "SUMMARY_LVL",
    "COMM_LVL",
    "time",
]


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        migrate(connection)
        yield connection


def load(con, payloads, kind, landing: Path):
    crosswalk = read_crosswalk(con)
    processed = [process_payload(p, kind, landing, crosswalk) for p in payloads]
    return load_processed(
        con,
        processed,
        run_id=str(uuid.uuid4()),
        flow_name="test",
        started_at=dt.datetime.now(dt.UTC),
        max_reject_share=0.05,
    )


def imports_row(cty: str, name: str, code: str, level: str, value: int, summary: str = "DET") -> list[str]:
    return [
        cty,
        name,
        code,
        f"desc {code}",
        str(value),
        str(value - 1),
        str(value + 5),
        str(value // 20),
        str(value // 4),
        "0",
        "-",
        summary,
        level,
        "2024-05",
    ]


def test_mixed_levels_and_aggregates_total_the_hs2_country_rows(con, tmp_path: Path) -> None:
    rows = [
        imports_row("5800", "KOREA, SOUTH", "85", "HS2", 1000),
        imports_row("5800", "KOREA, SOUTH", "87", "HS2", 500),
        imports_row("5800", "KOREA, SOUTH", "8542", "HS4", 600),
        imports_row("5800", "KOREA, SOUTH", "8703", "HS4", 450),
        imports_row("1220", "CANADA", "85", "HS2", 300),
        imports_row("1220", "CANADA", "8542", "HS4", 100),
        imports_row("5XXX", "ASIA", "85", "HS2", 1000, "CGP"),
        imports_row("0003", "EUROPEAN UNION", "85", "HS2", 70, "CGP"),
        imports_row("-", "TOTAL FOR ALL COUNTRIES", "85", "HS2", 2000),
        imports_row("-", "TOTAL FOR ALL COUNTRIES", "87", "HS2", 900),
        imports_row("-", "TOTAL FOR ALL COUNTRIES", "8542", "HS4", 800),
    ]
    body = json.dumps([IMPORT_HEADER, *rows]).encode()
    payload = land_bytes(tmp_path, source="census_api", request="imports mixed", content=body, suffix=".json")
    result = load(con, [payload], census_api_kind("import"), tmp_path)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (11, 11, 0)

    balance = dict(
        con.sql(
            """SELECT partner_iso3, imports_usd FROM marts.trade_balance
               WHERE source = 'census_api' AND year = 2024"""
        ).fetchall()
    )
    assert {k: float(v) for k, v in balance.items()} == {
        "KOR": 1000 + 500,  # the HS2 rows alone: HS4 rows are never added to them
        "CAN": 300,
        "ASIA": 1000,  # an aggregate keeps its own published figure, never a sum of its members
        "EU": 70,
        "WORLD": 2000 + 900,
    }
    ranked = con.sql("SELECT partner_iso3 FROM marts.partner_rank WHERE source = 'census_api' ORDER BY rank")
    assert ranked.fetchall() == []  # an imports-only extract is not total trade: never ranked (issue 13)
    bases = con.sql("SELECT DISTINCT imports_basis FROM marts.trade_balance WHERE source = 'census_api'")
    assert bases.fetchall() == [("customs",)]


def test_duty_and_dutiable_value_are_their_own_flows(con, tmp_path: Path) -> None:
    body = json.dumps([IMPORT_HEADER, imports_row("5800", "KOREA, SOUTH", "85", "HS2", 1000)]).encode()
    payload = land_bytes(tmp_path, source="census_api", request="imports one", content=body, suffix=".json")
    load(con, [payload], census_api_kind("import"), tmp_path)
    flows = con.sql(
        """SELECT f.flow_id, d.value_basis, d.is_trade_value, f.value_usd FROM core.fact_trade AS f
           JOIN core.dim_flow AS d USING (flow_id) ORDER BY flow_id"""
    ).fetchall()
    assert [(f, b, t, float(v)) for f, b, t, v in flows] == [
        ("M_CAL_DUTY", "duty", False, 50.0),
        ("M_CON_CUSTOMS", "customs", True, 999.0),
        ("M_DUTIABLE", "customs", False, 250.0),
        ("M_GEN_CIF", "CIF", True, 1005.0),
        ("M_GEN_CUSTOMS", "customs", True, 1000.0),
    ]


def test_demo_upstream_serves_every_import_measure(demo_upstream, tmp_path: Path) -> None:
    url, _ = demo_upstream
    with httpx.Client(timeout=5) as client:
        payload = census_api.fetch_month(
            client,
            base_url=url,
            api_key=None,
            request=census_api.CensusRequest("import", "2024-03", "HS2"),
            landing_dir=tmp_path,
            policy=RetryPolicy(max_attempts=2, base_delay_s=0.01),
        )
    with duckdb.connect() as connection:
        migrate(connection)
        processed = process_payload(payload, census_api_kind("import"), tmp_path, read_crosswalk(connection))
    facts = processed.conformed.facts
    assert set(facts["flow_id"]) == {
        "M_GEN_CUSTOMS",
        "M_CON_CUSTOMS",
        "M_GEN_CIF",
        "M_CAL_DUTY",
        "M_DUTIABLE",
    }
    kor = facts.filter((pl.col("partner_id") == "KOR") & (pl.col("product_id") == "HS2022:87"))
    values = dict(zip(kor["flow_id"], kor["value_usd"], strict=True))
    assert 0 < values["M_CAL_DUTY"] < values["M_DUTIABLE"] < values["M_CON_CUSTOMS"]


def test_extract_with_year_and_month_columns_and_a_subset_of_measures(tmp_path: Path) -> None:
    path = tmp_path / "extract.csv"
    path.write_text(
        "CTY_CODE,CTY_NAME,GEN_VAL_MO,AIR_VAL_MO,MONTH,SUMMARY_LVL,COMM_LVL,I_COMMODITY,YEAR\n"
        '5800,"KOREA, SOUTH",1200,1000,03,DET,HS6,030111,2019\n'
        "-,TOTAL FOR ALL COUNTRIES,9000,8000,3,DET,HS6,030111,2019\n"
    )
    kind = kind_by_name("census-api-imports")
    raw = kind.read(path)
    assert raw["time"].to_list() == ["2019-03", "2019-03"] and raw["source_row"].to_list() == [2, 3]
    with duckdb.connect() as connection:
        migrate(connection)
        payload = land_file(tmp_path / "landing", source="census_api", path=path)
        processed = process_payload(payload, kind, tmp_path / "landing", read_crosswalk(connection))
    facts = processed.conformed.facts.sort("partner_id")
    assert facts.select("partner_id", "product_id", "period_id", "flow_id", "value_usd").rows() == [
        ("KOR", "HS2017:030111", "2019-03", "M_GEN_CUSTOMS", 1200.0),
        ("WORLD", "HS2017:030111", "2019-03", "M_GEN_CUSTOMS", 9000.0),
    ]


@pytest.mark.realdata
def test_real_hs6_extracts_load_through_the_same_code(con, shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "census_trade" / "api_hs6_imports_seafood"
    kind = kind_by_name("census-api-imports")
    landed = [
        land_file(tmp_path, source="census_api", path=folder / name)
        for name in (
            "census_api_imports_hs6_seafood_2018_2020_cty5800_and_total.csv",
            "census_api_imports_hs6_seafood_2019_all_countries.csv",
        )
    ]
    first = load(con, landed[:1], kind, tmp_path)
    second = load(con, landed[1:], kind, tmp_path)
    assert (first.rows_in, first.rows_loaded, first.rows_quarantined) == (11_821, 11_821, 0)
    assert (second.rows_in, second.rows_loaded, second.rows_quarantined) == (63_761, 63_761, 0)
    # the 2019 Korea and world rows of the subset are the same values as in the full 2019 file
    assert second.facts_updated == 0 and second.facts_unchanged == 3_921
    yearly = con.sql(
        """SELECT year, value_usd FROM marts.trade_yearly
           WHERE source = 'census_api' AND partner_id = 'KOR' AND flow_id = 'M_GEN_CUSTOMS' ORDER BY year"""
    ).fetchall()
    assert [(y, float(v)) for y, v in yearly] == [
        (2018, 151_242_918.0),
        (2019, 153_702_908.0),
        (2020, 143_331_975.0),
    ]


@pytest.mark.realdata
def test_real_port_level_extracts_load_their_all_ports_rows(con, shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "census_trade" / "porths_hs2_2024"
    kind = kind_by_name("census-api-porths")
    landed = [
        land_file(tmp_path, source=kind.source, path=folder / f"census_porths_{d}_hs2_2024_cty5800.csv")
        for d in ("exports", "imports")
    ]
    results = [load(con, [p], kind, tmp_path) for p in landed]
    assert [(r.rows_in, r.rows_loaded, r.rows_quarantined) for r in results] == [
        (3_020, 3_020, 0),
        (3_948, 3_948, 0),
    ]
    totals = con.sql(
        """SELECT flow_id, sum(value_usd), count(*) FROM core.fact_trade
           WHERE partner_id = 'KOR' AND period_id = '2024' GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    assert [(f, float(v), n) for f, v, n in totals] == [  # air and containerised vessel only, not total trade
        ("M_AIR", 26_128_155_165.0, 94),
        ("M_CNT", 57_150_139_301.0, 94),
        ("X_AIR", 21_944_151_447.0, 96),
        ("X_CNT", 13_993_818_316.0, 96),
    ]
    assert con.sql("SELECT count(*) FROM marts.trade_balance").fetchall() == [(0,)]
    notes = con.sql("SELECT message FROM meta.runs ORDER BY started_at").fetchall()
    assert notes[0][0].startswith("2924 port rows kept out of the facts")
    assert "AIR all ports 21,944,151,447 vs ports summed 21,944,151,447" in notes[0][0]
