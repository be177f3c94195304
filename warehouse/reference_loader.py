"""Loading reference tables that are not facts (the HS concordance, FTA staging texts) in one transaction.

A batch replaces every row of its table within its scope (a conversion table: both directions
between its two vintages; staging texts: its agreement and importer), so loading the same or a
corrected file again is idempotent. The landed file, quarantined rows and the run are recorded as
for facts (``warehouse.runs``); any error rolls everything back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from warehouse import clock
from warehouse.runs import RunBatch, RunResult, arrow_view, close_run, transaction


@dataclass(frozen=True)
class Replace:
    """How a table's rows are replaced: the columns inserted from the batch's rows, and the scope
    (a condition on the table, aliased ``c``, that may name the new rows as ``stage``)."""

    columns: str
    scope: str
    scope_params: tuple[str, ...] = ()
    """The batch's scope values the condition takes, in order (``?`` placeholders)."""


TABLES = {
    "core.hs_concordance": Replace(
        "from_vintage, from_code, to_vintage, to_code, level, weight, links",
        "EXISTS (SELECT 1 FROM stage AS s WHERE s.from_vintage = c.from_vintage AND s.to_vintage = c.to_vintage)",
    ),
    "core.fta_staging_note": Replace("*", "agreement_id = ? AND importer_id = ?", ("agreement", "importer")),
}
"""The reference tables and how each is replaced."""


@dataclass(kw_only=True)
class ReferenceBatch(RunBatch):
    """A reference file's rows, to replace ``table``'s rows within their scope."""

    table: str
    rows: pl.DataFrame
    scope: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ReferenceResult(RunResult):
    """A reference load: rows loaded, and the table's rows it replaced and wrote."""

    rows_loaded: int
    rows_replaced: int
    rows_written: int


def load_reference(con: duckdb.DuckDBPyConnection, batch: ReferenceBatch) -> ReferenceResult:
    """In one transaction: delete the rows of the batch's table within its scope, insert the batch's
    rows with the landed file's hash and the run id, record the landed file, the quarantine and the
    run (loading the same file again changes nothing but meta.runs). Any error rolls it all back."""
    spec = TABLES[batch.table]
    params = [batch.scope[k] for k in spec.scope_params]
    label = " ".join([batch.table, "/".join(params)]) if params else batch.table
    now = clock.now()
    con.register("stage_rows", arrow_view(batch.rows))
    try:
        with transaction(con):
            con.execute("CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM stage_rows")
            replaced = con.execute(f"SELECT count(*) FROM {batch.table} AS c WHERE {spec.scope}", params).fetchall()[0][0]
            con.execute(f"DELETE FROM {batch.table} AS c WHERE {spec.scope}", params)
            con.execute(f"INSERT INTO {batch.table} SELECT {spec.columns}, ?, ? FROM stage",
                        [batch.landed["file_hash"][0], batch.run_id])
            finished = close_run(con, batch, now, f"{label}: {batch.rows.height} rows written, {replaced} replaced")
            con.execute("DROP TABLE stage")
    finally:
        con.unregister("stage_rows")
    return ReferenceResult(
        run_id=batch.run_id, rows_in=batch.rows_in, rows_loaded=batch.rows_in - batch.rows_quarantined,
        rows_quarantined=batch.rows_quarantined, rows_replaced=replaced, rows_written=batch.rows.height,
        duration_s=(finished - batch.started_at).total_seconds(),
    )
