"""Loading reference tables that are not facts (the HS concordance) in one transaction.

A conversion table replaces every concordance row between its two vintages (both directions), so
loading the same or a corrected table again is idempotent. The landed file, quarantined rows and the
run are recorded as for facts; any error rolls everything back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse import clock
from warehouse.loader import arrow_view, record_meta
from warehouse.runs import RunRow, record_run, rollback


@dataclass(frozen=True)
class ReferenceBatch:
    run_id: str
    flow_name: str
    source: str
    started_at: dt.datetime
    concordance: pl.DataFrame
    quarantine: pl.DataFrame
    landed: pl.DataFrame
    rows_in: int
    rows_quarantined: int


@dataclass(frozen=True)
class ReferenceResult:
    run_id: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    rows_replaced: int
    rows_written: int


def load_concordance(con: duckdb.DuckDBPyConnection, batch: ReferenceBatch) -> ReferenceResult:
    """Replace the concordance between the batch's vintages and record the run."""
    return _replace(
        con, batch, batch.concordance, "core.hs_concordance",
        columns="from_vintage, from_code, to_vintage, to_code, level, weight, links",
        scope="EXISTS (SELECT 1 FROM stage AS s WHERE s.from_vintage = c.from_vintage AND s.to_vintage = c.to_vintage)",
        label="core.hs_concordance",
    )


def _replace(
    con: duckdb.DuckDBPyConnection, batch: ReferenceBatch | StagingNoteBatch, rows: pl.DataFrame, table: str, *,
    columns: str, scope: str, label: str, params: list | None = None,
) -> ReferenceResult:
    """In one transaction: delete the rows of ``table`` (aliased ``c``) within ``scope`` (a condition
    that may name the new rows as ``stage``), insert ``rows``' ``columns`` with the landed file's hash
    and the run id, record the landed file, the quarantine and the run. Any error rolls it all back."""
    now = clock.now()
    params = params or []
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("stage_rows", arrow_view(rows))
        con.execute("CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM stage_rows")
        replaced = con.execute(f"SELECT count(*) FROM {table} AS c WHERE {scope}", params).fetchall()[0][0]
        con.execute(f"DELETE FROM {table} AS c WHERE {scope}", params)
        con.execute(f"INSERT INTO {table} SELECT {columns}, ?, ? FROM stage", [batch.landed["file_hash"][0], batch.run_id])
        record_meta(con, batch.run_id, batch.landed, batch.quarantine, now)
        rows_loaded = batch.rows_in - batch.rows_quarantined
        record_run(con, RunRow(
            batch.run_id, batch.flow_name, batch.source, batch.started_at, clock.now(), batch.rows_in,
            rows_loaded, batch.rows_quarantined, message=f"{label}: {rows.height} rows written, {replaced} replaced",
        ))
        con.execute("DROP TABLE stage")
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    finally:
        con.unregister("stage_rows")
    return ReferenceResult(
        run_id=batch.run_id, rows_in=batch.rows_in, rows_loaded=rows_loaded,
        rows_quarantined=batch.rows_quarantined, rows_replaced=replaced, rows_written=rows.height,
    )


@dataclass(frozen=True)
class StagingNoteBatch:
    """The staging-category texts of one agreement and importer, to replace theirs."""

    run_id: str
    flow_name: str
    source: str
    agreement_id: str
    importer_id: str
    started_at: dt.datetime
    notes: pl.DataFrame
    quarantine: pl.DataFrame
    landed: pl.DataFrame
    rows_in: int
    rows_quarantined: int


def load_staging_notes(con: duckdb.DuckDBPyConnection, batch: StagingNoteBatch) -> ReferenceResult:
    """Replace core.fta_staging_note for the batch's agreement and importer and record the run, in
    one transaction (loading the same file again changes nothing but meta.runs)."""
    scope = [batch.agreement_id, batch.importer_id]
    return _replace(
        con, batch, batch.notes, "core.fta_staging_note", columns="*",
        scope="agreement_id = ? AND importer_id = ?", params=scope, label=f"core.fta_staging_note {'/'.join(scope)}",
    )
