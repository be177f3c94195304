"""Small helpers shared by tests: table snapshots and fact frames."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from transforms.conformed import FACT_SCHEMA, PERIOD_SCHEMA, PRODUCT_SCHEMA
from transforms.periods import period_rows
from warehouse.loader import LANDED_SCHEMA, QUARANTINE_SCHEMA, LoadBatch

DATA_TABLES = [
    "core.fact_trade",
    "core.fact_trade_revision",
    "core.dim_product",
    "core.dim_period",
    "core.dim_country",
    "meta.quarantine",
    "meta.landed_files",
    "meta.runs",
]


def snapshot(path: Path | str, tables: list[str] = DATA_TABLES) -> dict[str, list[tuple]]:
    """Every row of each table, sorted, for before/after comparisons."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: sorted(con.sql(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


def facts(rows: list[tuple[str, str, str, float | None]], file_hash: str = "c" * 64) -> pl.DataFrame:
    """Fact rows (partner_id, period_id, flow_id, value_usd) for reporter USA, product TOTAL."""
    return pl.DataFrame(
        [
            {
                "source": "test_source",
                "reporter_id": "USA",
                "partner_id": p,
                "product_id": "TOTAL",
                "period_id": period,
                "flow_id": flow,
                "value_usd": value,
                "quantity": None,
                "quantity_unit": None,
                "value_status": "reported",
                "file_hash": file_hash,
            }
            for p, period, flow, value in rows
        ],
        schema=FACT_SCHEMA,
    )


def batch(fact_frame: pl.DataFrame, run_id: str = "run-1", quarantine: pl.DataFrame | None = None) -> LoadBatch:
    products = pl.DataFrame(
        [{"product_id": "TOTAL", "classification": "TOTAL", "hs_vintage": None, "code": "TOTAL", "level": 0,
          "parent_id": None, "description": "All goods"}],
        schema=PRODUCT_SCHEMA,
    )
    landed = pl.DataFrame(
        [{"file_hash": h, "request": f"file:{h[:4]}", "source": "test_source",
          "fetched_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "bytes": 1, "rows": 1, "landed_path": h}
         for h in fact_frame["file_hash"].unique()],
        schema=LANDED_SCHEMA,
    )
    q = quarantine if quarantine is not None else pl.DataFrame(schema=QUARANTINE_SCHEMA)
    return LoadBatch(
        run_id=run_id,
        flow_name="test",
        source="test_source",
        started_at=dt.datetime.now(dt.UTC),
        facts=fact_frame,
        products=products,
        periods=period_rows(fact_frame["period_id"]).cast(PERIOD_SCHEMA) if fact_frame.height else pl.DataFrame(schema=PERIOD_SCHEMA),
        quarantine=q,
        landed=landed,
        rows_in=fact_frame.height + q.height,
        rows_quarantined=q.height,
    )


def every_table(path: Path | str) -> dict[str, list[tuple]]:
    """Every row of every core and meta table and every stored mart (``mart_tables``), sorted
    (meta.schema_version without applied_at: a rebuilt file applies its migrations when it is rebuilt)."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            f"{s}.{t}" for s, t in con.sql(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN ('core', 'meta', 'mart_tables') ORDER BY ALL"
            ).fetchall()
        ]
        query = {"meta.schema_version": "SELECT * EXCLUDE (applied_at) FROM meta.schema_version"}
        return {t: sorted(con.sql(query.get(t, f"SELECT * FROM {t}")).fetchall(), key=repr) for t in names}
