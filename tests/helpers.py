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


VOLATILE = ("run_id", "first_run_id", "last_run_id", "superseded_by_run", "loaded_at", "last_loaded_at",
            "quarantined_at", "started_at", "finished_at", "superseded_at", "fetched_at")
"""Columns that name a run or its time: different for two runs that loaded the same data."""


def every_table(path: Path | str, *, stable: bool = False) -> dict[str, list[tuple]]:
    """Every row of every core and meta table and every stored mart (``mart_tables``), sorted (meta.schema_version without applied_at: a
    rebuilt file applies its migrations when it is rebuilt). ``stable`` leaves out the run ids and
    timestamps (``VOLATILE``), and meta.runs, to compare two runs of the same loads."""
    with duckdb.connect(str(path), read_only=True) as con:
        columns: dict[str, list[str]] = {}
        for schema, table, column in con.sql(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name IN ('core', 'meta', 'mart_tables') ORDER BY schema_name, table_name, column_index"
        ).fetchall():
            columns.setdefault(f"{schema}.{table}", []).append(column)
        dropped = {"applied_at", *(VOLATILE if stable else ())}
        tables = {t: c for t, c in columns.items() if not (stable and t == "meta.runs")}
        return {
            t: sorted(con.sql(f"SELECT {', '.join(x for x in c if x not in dropped) or '1'} FROM {t}").fetchall(), key=repr)
            for t, c in tables.items()
        }
