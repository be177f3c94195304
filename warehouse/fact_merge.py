"""Merging a part's staged facts (``stage_fact``) into core.fact_trade, idempotent on the fact grain:
new keys inserted, changed values updated with their previous version kept in
core.fact_trade_revision, identical ones left alone; each change noted for the stored marts."""

from __future__ import annotations

import datetime as dt

import duckdb

from schemas.core.fact_trade import GRAIN
from warehouse import yearly_sums

MEASURES = ["value_usd", "quantity", "quantity_unit", "value_status"]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.sql(sql).fetchall()[0][0]


def merge_facts(con: duckdb.DuckDBPyConnection, run_id: str, now: dt.datetime) -> tuple[int, int, int]:
    """Insert new keys, update changed values (keeping the old ones), leave identical ones alone."""
    on = " AND ".join(f"f.{c} = s.{c}" for c in GRAIN)
    changed = " OR ".join(f"f.{c} IS DISTINCT FROM s.{c}" for c in MEASURES)
    cols = ", ".join([*GRAIN, *MEASURES])
    # constants, not a subquery, so DuckDB can skip row groups by their min/max zone maps
    keys = con.sql("SELECT DISTINCT source, period_id, flow_id FROM stage_fact").fetchall()
    sources, periods, flows = (sorted({k[i] for k in keys}) for i in range(3))
    overlap = keys and con.execute(
        "SELECT count(*) FROM (SELECT 1 FROM core.fact_trade WHERE list_contains(?, source) "
        "AND period_id >= ? AND period_id <= ? AND list_contains(?, period_id) AND list_contains(?, flow_id) LIMIT 1)",
        [sources, periods[0], periods[-1], periods, flows],
    ).fetchall()[0][0]
    if not overlap:  # new periods or flows (a new month, a rebuild): every row is an insert, no join needed
        con.execute(
            f"INSERT INTO core.fact_trade ({cols}, run_id, file_hash, loaded_at) "
            f"SELECT {cols}, ?, file_hash, ? FROM stage_fact",
            [run_id, now],
        )
        yearly_sums.note_inserted(con, "stage_fact")
        return _scalar(con, "SELECT count(*) FROM stage_fact"), 0, 0
    # only the fact rows of the sources and periods being loaded can match
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE stage_change AS
        WITH existing AS (
            SELECT * FROM core.fact_trade
            WHERE source IN (SELECT DISTINCT source FROM stage_fact)
              AND period_id BETWEEN (SELECT min(period_id) FROM stage_fact) AND (SELECT max(period_id) FROM stage_fact)
              AND period_id IN (SELECT DISTINCT period_id FROM stage_fact)
        )
        SELECT s.*,
               CASE WHEN f.source IS NULL THEN 'insert' WHEN {changed} THEN 'update' ELSE 'same' END AS change
        FROM stage_fact AS s
        LEFT JOIN existing AS f ON {on}
        """
    )
    counts = dict(con.sql("SELECT change, count(*) FROM stage_change GROUP BY ALL").fetchall())
    if counts.get("update"):
        _revise(con, run_id, now)
    if counts.get("insert"):
        con.execute(
            f"""
            INSERT INTO core.fact_trade ({cols}, run_id, file_hash, loaded_at)
            SELECT {cols}, ?, file_hash, ? FROM stage_change WHERE change = 'insert'
            """,
            [run_id, now],
        )
        yearly_sums.note_inserted(con, "(SELECT * FROM stage_change WHERE change = 'insert')")
    return counts.get("insert", 0), counts.get("update", 0), counts.get("same", 0)


def _revise(con: duckdb.DuckDBPyConnection, run_id: str, now: dt.datetime) -> None:
    """Keep the old versions of the changed facts in core.fact_trade_revision, then update them."""
    on = " AND ".join(f"f.{c} = s.{c}" for c in GRAIN)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE stage_replaced AS "
        f"SELECT f.* FROM core.fact_trade AS f JOIN stage_change AS s ON {on} WHERE s.change = 'update'"
    )
    con.execute("INSERT INTO core.fact_trade_revision SELECT *, ? AS superseded_at, ? AS superseded_by_run "
                "FROM stage_replaced", [now, run_id])
    yearly_sums.note_replaced(con, "stage_replaced", "(SELECT * FROM stage_change WHERE change = 'update')")
    con.execute("DROP TABLE stage_replaced")
    con.execute(
        f"""
        UPDATE core.fact_trade AS f
        SET {", ".join(f"{c} = s.{c}" for c in [*MEASURES, "file_hash"])}, run_id = ?, loaded_at = ?
        FROM (SELECT * FROM stage_change WHERE change = 'update') AS s
        WHERE {on}
        """,
        [run_id, now],
    )
