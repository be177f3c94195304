"""Loading a file the way ``entrepot ingest`` does, without Prefect (fast, and usable in a child process)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import duckdb

from flows.pipeline import load_processed, process_payload, read_crosswalk
from flows.registry import FILE_SOURCES
from flows.sources.landing import land_file
from warehouse.connection import warehouse
from warehouse.loader import Checks, LoadResult
from warehouse.migrate import migrate

CONTENT = {
    "core.fact_trade": "SELECT * EXCLUDE (run_id, loaded_at) FROM core.fact_trade",
    "core.fact_trade_revision": "SELECT * EXCLUDE (run_id, loaded_at, superseded_at, superseded_by_run) FROM core.fact_trade_revision",
    "core.dim_period": "SELECT * FROM core.dim_period",
    "core.dim_product": "SELECT * FROM core.dim_product",
    "meta.quarantine": "SELECT * EXCLUDE (run_id, quarantined_at) FROM meta.quarantine",
    "meta.landed_files": "SELECT file_hash, request, source, bytes, rows, landed_path FROM meta.landed_files",
}
"""Each table's content without run ids and timestamps: equal for two runs that loaded the same data."""


def ingest_plain(
    source: str,
    file: Path,
    wh: Path,
    landing: Path,
    *,
    checks: Checks | None = None,
    max_reject_share: float = 0.05,
    migrate_first: bool = True,
) -> LoadResult:
    """Migrate, land, validate, conform and load ``file`` in one transaction."""
    kind = FILE_SOURCES[source]
    with warehouse(wh, lock_timeout_s=30) as con:
        if migrate_first:
            migrate(con)
        payload = land_file(landing, source=kind.source, path=file)
        processed = process_payload(payload, kind, landing, read_crosswalk(con))
        return load_processed(
            con, [processed], run_id=str(uuid.uuid4()), flow_name="test", started_at=dt.datetime.now(dt.UTC),
            max_reject_share=max_reject_share, checks=checks,
        )


def content(wh: Path) -> dict[str, list[tuple]]:
    """The warehouse's data (see CONTENT), sorted, read on a read-only connection."""
    with duckdb.connect(str(wh), read_only=True) as con:
        return {t: sorted(con.sql(q).fetchall(), key=repr) for t, q in CONTENT.items()}


def duplicate_count(wh: Path) -> int:
    """Rows beyond the first of each fact grain key and of each quarantined (file, row, field, reason)."""
    with duckdb.connect(str(wh), read_only=True) as con:
        facts = con.sql(
            "SELECT count(*) - count(DISTINCT (source, reporter_id, partner_id, product_id, period_id, flow_id)) "
            "FROM core.fact_trade"
        ).fetchall()[0][0]
        quarantine = con.sql(
            "SELECT count(*) - count(DISTINCT (file_hash, row_number, field, reason)) FROM meta.quarantine"
        ).fetchall()[0][0]
    return facts + quarantine


def load_in_child(source: str, file: str, wh: str, landing: str) -> None:
    """Target of a child process (picklable by reference): one plain load, no quality gate."""
    ingest_plain(source, Path(file), Path(wh), Path(landing), max_reject_share=1.0)
