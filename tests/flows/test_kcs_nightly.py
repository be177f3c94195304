"""The nightly flow end to end with two pairs (USA-KOR, USA-JPN) against the demo upstream: Korea's own
statistics from the KCS API beside the US's, both pairs in every mart and the report, revisions."""

from __future__ import annotations

import datetime as dt

import duckdb

from flows.nightly import nightly
from warehouse.report import render_report

TWO_PAIRS = """
[[pairs]]
reporter = "USA"
partner = "KOR"

[[pairs]]
reporter = "USA"
partner = "JPN"
"""
PROVISIONAL = dt.date(2026, 11, 10)  # Census publishes through 2026-09, KCS through 2026-10 (not revised yet)
REVISED = dt.date(2026, 11, 20)  # KCS has revised 2026-10


def monthly_ratio(con: duckdb.DuckDBPyConnection, exporter: str, importer: str, exporter_flow: str,
                  importer_flow: str) -> list:
    """Per month both sides report: the importer's value / the exporter's, over the HS chapters."""
    side = """SELECT period_id, sum(value_usd) AS v FROM core.fact_trade
              WHERE reporter_id = ? AND partner_id = ? AND flow_id = ? AND length(product_id) = 9 GROUP BY ALL"""
    return con.execute(
        f"WITH m AS ({side}), x AS ({side}) SELECT period_id, m.v / x.v FROM m JOIN x USING (period_id) ORDER BY 1",
        [importer, exporter, importer_flow, exporter, importer, exporter_flow],
    ).fetchall()


def test_two_pairs_end_to_end_with_korea_reporting_its_side(env, prefect_server, monkeypatch) -> None:
    (env / "entrepot.toml").write_text(TWO_PAIRS)
    for name, value in {"ENTREPOT_REVISION_WINDOW_YEARS": "0", "ENTREPOT_CENSUS_API__START_MONTH": "2026-06",
                        "ENTREPOT_KCS_TRADE__START_MONTH": "2026-06"}.items():
        monkeypatch.setenv(name, value)
    first = nightly(today=PROVISIONAL)
    assert first.result.rows_quarantined == 0
    wh = env / "wh.duckdb"
    with duckdb.connect(str(wh), read_only=True) as con:
        balance = con.sql("SELECT source, reporter_iso3, partner_iso3, year, exports_basis, imports_basis "
                          "FROM marts.trade_balance WHERE partner_iso3 IN ('KOR', 'JPN', 'USA') ORDER BY ALL").fetchall()
        mirror = con.sql(
            "SELECT exporter_iso3, importer_iso3, exporter_source, importer_source, exporter_flow_id, importer_flow_id, "
            "count(*) FROM marts.mirror_flows WHERE year = 2026 AND product_level = 2 GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        cif_over_fas = monthly_ratio(con, "USA", "KOR", "X_FAS", "M_CIF")
        customs_over_fob = monthly_ratio(con, "KOR", "USA", "X_FOB", "M_GEN_CUSTOMS")
        html = render_report(con, [("USA", "KOR"), ("USA", "JPN")], "wh.duckdb")
        by_sector = con.sql("SELECT DISTINCT reporter_iso3, partner_iso3 FROM marts.trade_by_sector "
                            "WHERE partner_iso3 IN ('KOR', 'JPN', 'USA') ORDER BY ALL").fetchall()
    assert balance == [
        ("census_api", "USA", "JPN", 2026, "FAS", "customs"),
        ("census_api", "USA", "KOR", 2026, "FAS", "customs"),
        ("kcs_trade", "KOR", "USA", 2026, "FOB", "CIF"),
    ]
    assert mirror == [
        ("KOR", "USA", "kcs_trade", "census_api", "X_FOB", "M_GEN_CUSTOMS", 25),
        ("USA", "KOR", "census_api", "kcs_trade", "X_FAS", "M_CIF", 25),
    ]
    assert [m for m, _ in cif_over_fas] == ["2026-06", "2026-07", "2026-08", "2026-09"]
    assert all(1.03 <= r <= 1.08 for _, r in cif_over_fas)  # CIF above FAS by freight and insurance
    assert all(1 / 1.03 <= r <= 1 / 0.97 for _, r in customs_over_fob)  # a few percent apart
    assert ("KOR", "USA") in by_sector and ("USA", "JPN") in by_sector and ("USA", "KOR") in by_sector
    assert "USA trade with KOR" in html and "USA trade with JPN" in html and "No trade between" not in html

    second = nightly(today=REVISED)
    assert second.result.facts_updated > 0 and second.result.facts_inserted == 0
    assert second.result.rows_quarantined == 0
    with duckdb.connect(str(wh), read_only=True) as con:
        revised = con.sql("SELECT DISTINCT source, period_id FROM core.fact_trade_revision").fetchall()
        months = con.sql("SELECT max(period_id) FROM core.fact_trade WHERE source = 'kcs_trade'").fetchall()
    assert revised == [("kcs_trade", "2026-10")] and months == [("2026-10",)]

    third = nightly(today=REVISED)
    assert third.payloads_new == 0 and third.result.facts_updated == 0
