"""A migrated in-memory warehouse and a one-line way to put facts in it (the stored marts refreshed
for it, as a load refreshes them), for the mart tests."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest

from warehouse import mart_tables, yearly_sums
from warehouse.migrate import migrate


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        migrate(connection)
        yield connection


def _period(con: duckdb.DuckDBPyConnection, period_id: str) -> None:
    year, _, month = period_id.partition("-")
    y, m = int(year), int(month) if month else None
    start = dt.date(y, m or 1, 1)
    end = dt.date(y, m, calendar.monthrange(y, m)[1]) if m else dt.date(y, 12, 31)
    con.execute("INSERT INTO core.dim_period VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [period_id, "month" if m else "year", y, m, start, end])


def _product(con: duckdb.DuckDBPyConnection, product_id: str) -> None:
    if product_id == "TOTAL":
        row = ["TOTAL", "TOTAL", None, "TOTAL", 0]
    else:
        vintage, code = product_id.split(":")
        row = [product_id, "HS", vintage, code, len(code)]
    con.execute("INSERT INTO core.dim_product VALUES (?, ?, ?, ?, ?, NULL, NULL) ON CONFLICT DO NOTHING", row)


def add_fact(
    con: duckdb.DuckDBPyConnection, source: str, partner: str, period_id: str, flow_id: str, value: float | None,
    product_id: str = "TOTAL", reporter: str = "USA", status: str = "reported",
) -> None:
    """One core.fact_trade row, with the period and product it needs."""
    _period(con, period_id)
    _product(con, product_id)
    row = [source, reporter, partner, product_id, period_id, flow_id, value, status]
    # written past the loader, so refresh the stored marts as a load does for what it added
    yearly_sums.start(con)
    con.execute("CREATE OR REPLACE TEMP TABLE added_fact AS SELECT * FROM core.fact_trade LIMIT 0")
    for table in ("core.fact_trade", "added_fact"):
        con.execute(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, 'run', 'hash', now())", row)
    yearly_sums.note_inserted(con, "added_fact")
    mart_tables.refresh(con)


def months(year: int, count: int) -> list[str]:
    """The first ``count`` months of ``year`` as period ids."""
    return [f"{year}-{m:02d}" for m in range(1, count + 1)]
