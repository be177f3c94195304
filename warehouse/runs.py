"""The one writer of ``meta.runs``: a row per committed load run, and a rollback that never masks."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import astuple, dataclass

import duckdb


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
