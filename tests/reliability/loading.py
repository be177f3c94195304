"""Loading a file the way ``entrepot ingest`` does, without Prefect (fast, and usable in a child process)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import duckdb

from flows.pipeline import load_processed, process_payload, read_crosswalk
from flows.registry import kind_by_name
from flows.runs import load_record, payload_records
from flows.settings import load_settings
from flows.sources.landing import land_file
from warehouse.clock import load_clock
from warehouse.connection import warehouse
from warehouse.loader import Checks, LoadResult
from warehouse.migrate import migrate
from warehouse.writer import writer_session

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
    """Migrate, land, validate, conform and load ``file`` in one transaction, journaled as the
    ingest flow journals it (without Prefect)."""
    kind = kind_by_name(source)
    run_id, started_at = str(uuid.uuid4()), dt.datetime.now(dt.UTC)
    with (
        writer_session(wh, lock_timeout_s=30, journal_dir=landing) as session,
        load_clock() as clock,
        warehouse(wh) as con,
    ):
        if migrate_first:
            migrate(con)
        payload = land_file(landing, source=kind.source, path=file)
        processed = process_payload(payload, kind, landing, read_crosswalk(con))
        result = load_processed(
            con, [processed], run_id=run_id, flow_name="test", started_at=started_at,
            max_reject_share=max_reject_share, checks=checks,
        )
        assert session.journal is not None
        session.journal.add(load_record(
            run_id=run_id, loader="trade", flow_name="test", started_at=started_at, stamps=clock.recorded(),
            payloads=payload_records([(payload, kind.name)]), max_reject_share=max_reject_share,
        ))
        return result


def ingest_tariff_plain(name: str, file: Path, wh: Path, landing: Path, valid_from: dt.date) -> None:
    """Land and load a tariff edition as the tariff ingest flow does, journaled, without Prefect."""
    from flows.ingest_tariffs import build_batch, load_batch, tariff_source

    settings = load_settings(warehouse=wh, landing_dir=landing)
    run_id, started_at = str(uuid.uuid4()), dt.datetime.now(dt.UTC)
    with writer_session(wh, lock_timeout_s=30, journal_dir=landing) as session, load_clock() as clock:
        with warehouse(wh) as con:
            migrate(con)
        payload = land_file(landing, source=tariff_source(name).source, path=file)
        load_batch.fn(build_batch.fn(name, payload, settings, valid_from, run_id, started_at), settings)
        assert session.journal is not None
        session.journal.add(load_record(
            run_id=run_id, loader="tariff", name=name, flow_name=f"ingest {name}", started_at=started_at,
            stamps=clock.recorded(), payloads=payload_records([(payload, name)]), max_reject_share=0.05,
            valid_from=valid_from.isoformat(),
        ))


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


def tariff_in_child(file: str, wh: str, landing: str, valid_from: str) -> None:
    """Target of a child process: one HTS edition loaded."""
    ingest_tariff_plain("usitc-hts", Path(file), Path(wh), Path(landing), dt.date.fromisoformat(valid_from))


def rebuild_in_child(wh: str, landing: str) -> None:
    """Target of a child process: a rebuild from the landing directory."""
    from flows.rebuild import rebuild

    rebuild(Path(wh), Path(landing), max_reject_share=1.0, lock_timeout_s=30)


def published_then_killed(source: str, file: str, wh: str, landing: str) -> None:
    """Target of a child process: a load killed right after it published the warehouse, before the
    journal's commit line."""
    import os
    import signal

    from warehouse.journal import Journal

    Journal.commit = lambda self: os.kill(os.getpid(), signal.SIGKILL)  # type: ignore[method-assign]
    load_in_child(source, file, wh, landing)
