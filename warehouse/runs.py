"""What every loader shares: the batch's run header, the one transaction, and the one writer of a
run's meta rows (``meta.runs``, ``meta.landed_files``, ``meta.quarantine``).

The trade, tariff and reference loaders implement ``Loader``: ``load(con, batch) -> result`` merges
one batch in one ``transaction`` and records the run with ``record_run`` before it commits, so a
failed load leaves the warehouse exactly as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from typing import Protocol, TypeVar

import duckdb
import polars as pl
import pyarrow as pa

from warehouse import clock

QUARANTINE_SCHEMA = {
    "source": pl.String, "file_hash": pl.String, "file_name": pl.String, "row_number": pl.Int64,
    "field": pl.String, "value": pl.String, "reason": pl.String, "raw_record": pl.String,
}
LANDED_SCHEMA = {
    "file_hash": pl.String, "request": pl.String, "source": pl.String, "fetched_at": pl.Datetime("us", "UTC"),
    "bytes": pl.Int64, "rows": pl.Int64, "landed_path": pl.String,
}


@dataclass(kw_only=True)
class RunBatch:
    """What every loader's batch carries: its run, the files it came from and the rows that failed."""

    run_id: str
    flow_name: str
    source: str
    started_at: dt.datetime
    quarantine: pl.DataFrame
    landed: pl.DataFrame
    rows_in: int
    rows_quarantined: int


@dataclass(frozen=True, kw_only=True)
class RunResult:
    """What every loader's result says first: the run, and its rows in and quarantined."""

    run_id: str
    rows_in: int
    rows_quarantined: int
    duration_s: float
    """From the run's start to its ``meta.runs`` row."""


B = TypeVar("B", bound=RunBatch, contravariant=True)
R = TypeVar("R", covariant=True)


class Loader(Protocol[B, R]):
    """A loader: merges ``batch`` in one transaction, records its run, commits; rolls back on any error."""

    def __call__(self, con: duckdb.DuckDBPyConnection, batch: B, /) -> R: ...


@dataclass(frozen=True)
class RunRow:
    """One ``meta.runs`` row (see its DDL in warehouse/migrations/0002_meta.sql)."""

    run_id: str
    flow_name: str
    source: str
    started_at: dt.datetime
    finished_at: dt.datetime
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    rows_skipped: int = 0
    facts_inserted: int = 0
    facts_updated: int = 0
    facts_unchanged: int = 0
    message: str | None = None
    status: str = "succeeded"


COLUMNS = (
    "run_id", "flow_name", "source", "started_at", "finished_at", "rows_in", "rows_loaded", "rows_quarantined",
    "rows_skipped", "facts_inserted", "facts_updated", "facts_unchanged", "message", "status",
)


def record_run(con: duckdb.DuckDBPyConnection, row: RunRow) -> None:
    """Insert the run's row, inside the caller's transaction."""
    con.execute(
        f"INSERT INTO meta.runs ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", list(astuple(row))
    )


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is open; never raise over the error that caused the rollback (a
    failed write, e.g. a full disk, may already have ended the transaction)."""
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One load's transaction: committed when the block ends, rolled back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise


def arrow_view(frame: pl.DataFrame) -> pa.Table:
    """The frame as Arrow for DuckDB to scan without copying its text: string views, as polars holds
    them (the default export copies every string into a new buffer, 100 MB and more per large payload)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.sql(sql).fetchall()[0][0]


def record_files(con: duckdb.DuckDBPyConnection, run_id: str, now: dt.datetime) -> int:
    """The staged landed files (``stage_landed``) and quarantine rows (``stage_quarantine``), each
    quarantine row once per (file, row, field); returns the quarantine rows written."""
    con.execute(
        """
        INSERT INTO meta.landed_files
        SELECT file_hash, request, source, fetched_at, bytes, rows, landed_path, ?, ?, ?
        FROM stage_landed
        ON CONFLICT (file_hash, request) DO UPDATE
            SET last_run_id = excluded.last_run_id, last_loaded_at = excluded.last_loaded_at
        """,
        [run_id, run_id, now],
    )
    before = _count(con, "SELECT count(*) FROM meta.quarantine")
    con.execute(
        """
        INSERT INTO meta.quarantine
        SELECT ?, q.source, q.file_hash, q.file_name, q.row_number, q.field, q.value, q.reason,
               q.raw_record, ?
        FROM stage_quarantine AS q
        WHERE NOT EXISTS (
            SELECT 1 FROM meta.quarantine AS m
            WHERE m.file_hash = q.file_hash
              AND m.row_number IS NOT DISTINCT FROM q.row_number
              AND m.field IS NOT DISTINCT FROM q.field
        )
        """,
        [run_id, now],
    )
    return _count(con, "SELECT count(*) FROM meta.quarantine") - before


def close_run(
    con: duckdb.DuckDBPyConnection, batch: RunBatch, now: dt.datetime, message: str,
    facts: tuple[int, int, int] = (0, 0, 0),
) -> dt.datetime:
    """A one-batch load's meta rows, inside its transaction: its landed files, quarantine rows and
    ``meta.runs`` row (``facts``: inserted, updated, unchanged); returns when it finished."""
    con.register("stage_landed", arrow_view(batch.landed.select(list(LANDED_SCHEMA)).cast(LANDED_SCHEMA)))
    con.register("stage_quarantine", arrow_view(batch.quarantine.select(list(QUARANTINE_SCHEMA)).cast(QUARANTINE_SCHEMA)))
    try:
        record_files(con, batch.run_id, now)
    finally:
        con.unregister("stage_landed")
        con.unregister("stage_quarantine")
    finished = clock.now()
    record_run(con, RunRow(
        batch.run_id, batch.flow_name, batch.source, batch.started_at, finished, batch.rows_in,
        batch.rows_in - batch.rows_quarantined, batch.rows_quarantined, 0, *facts, message,
    ))
    return finished
