"""The SQL ``entrepot bench`` times: DuckDB's own load of the landed files, and dashboard queries."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import duckdb

QUERIES = {
    "partner_rank, one reporter and year": "SELECT * FROM marts.partner_rank WHERE reporter_iso3 = $r AND year = $y",
    "trade_balance, one pair": "SELECT * FROM marts.trade_balance WHERE reporter_iso3 = $r AND partner_iso3 = $p",
    "trade_by_sector, one pair and year": (
        "SELECT * FROM marts.trade_by_sector WHERE reporter_iso3 = $r AND partner_iso3 = $p AND year = $y"
    ),
    "mirror_flows, one pair": (
        "SELECT * FROM marts.mirror_flows WHERE (exporter_iso3 = $r AND importer_iso3 = $p) "
        "OR (exporter_iso3 = $p AND importer_iso3 = $r)"
    ),
    "tariff_indicators, one importer and year": (
        "SELECT * FROM marts.tariff_indicators WHERE importer_iso3 = $r AND year = $y"
    ),
}
"""What a dashboard tile asks, timed warm by ``entrepot bench`` (the median of ``RUNS`` after a first run)."""
RUNS = 5


def duckdb_alone(files: str, out: Path) -> dict[str, object]:
    """DuckDB's bare load: every landed JSON array of ``files`` (a glob) into one untyped table."""
    with duckdb.connect(str(out)) as con:
        con.execute(f"CREATE TABLE raw AS SELECT * FROM read_json('{files}', format = 'array')")
        rows = con.sql("SELECT count(*) FROM raw").fetchall()[0][0]
    return {"rows": rows}


def time_queries(warehouse: Path) -> dict[str, object]:
    """Each of ``QUERIES`` for USA with KOR in the last year: its rows and its warm median in ms."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        year = con.sql("SELECT max(year) FROM core.dim_period").fetchall()[0][0]
        params = {"r": "USA", "p": "KOR", "y": year}
        figures: dict[str, object] = {"year": year}
        for name, sql in QUERIES.items():
            used = {k: v for k, v in params.items() if f"${k}" in sql}
            rows = len(con.sql(sql, params=used).fetchall())
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                con.sql(sql, params=used).fetchall()
                times.append(time.perf_counter() - started)
            figures[name] = {"ms": 1000 * statistics.median(times), "rows": rows}
    return figures
