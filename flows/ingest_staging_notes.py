"""``entrepot ingest staging-notes --file PATH --agreement CODE --importer ISO3``.

Lands an FTA schedule's general-notes texts untouched, validates them (a row without a category or
with a non-integer ``years`` goes to meta.quarantine with its reason) and replaces the agreement's
rows of core.fta_staging_note in one transaction. Journaled as a reference load, so a rebuild
replays it exactly. The texts never override the reviewed rules (core.dim_staging_category);
marts.fta_staging_rules sets both side by side.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow

from flows.journaled import journaled_load, read_checked, replay_one_file
from flows.pipeline import landed_frame, quarantine_frame
from flows.runs import current_run_id, ensure_warehouse, load_record, payload_records, writing
from flows.settings import load_settings
from flows.source_names import STAGING_NOTES
from flows.sources.korea_tariff import read_staging_notes
from flows.sources.landing import LandedPayload, land_file
from flows.tariff_options import check_scope
from schemas.raw.korea_tariff import StagingNoteRaw
from transforms import staging_notes
from warehouse.connection import warehouse
from warehouse.reference_loader import ReferenceResult, StagingNoteBatch, load_staging_notes


def notes_batch(
    payload: LandedPayload, landing_dir: Path, options: dict[str, str], *, run_id: str, flow_name: str,
    max_reject_share: float, started_at: dt.datetime,
) -> StagingNoteBatch:
    """Read, validate and conform one landed notes file; refused if too many rows fail."""
    file = read_checked(payload, landing_dir, read_staging_notes, StagingNoteRaw, max_reject_share)
    return StagingNoteBatch(
        run_id=run_id, flow_name=flow_name, source=staging_notes.SOURCE, agreement_id=options["agreement"],
        importer_id=options["importer"], started_at=started_at,
        notes=staging_notes.conform(file.validated.valid, options["agreement"], options["importer"]),
        quarantine=quarantine_frame(file.validated.rejects, staging_notes.SOURCE, payload.file_hash, file.name),
        landed=landed_frame([payload], [file.raw.height]), rows_in=file.raw.height, rows_quarantined=file.rejected,
    )


def replay_staging_notes(record: dict[str, object], warehouse_path: Path, landing_dir: Path) -> ReferenceResult:
    """Load a journaled notes file again exactly as it was loaded (for a rebuild)."""
    options = dict(record["options"])
    return replay_one_file(
        record, warehouse_path, lambda payload, **run: notes_batch(payload, landing_dir, options, **run),
        load_staging_notes,
    )


@flow(name="ingest-staging-notes")
def ingest_staging_notes(
    file: str, agreement: str | None, importer: str | None, warehouse_path: str | None = None
) -> ReferenceResult:
    """Load an FTA schedule's staging-category texts into core.fta_staging_note (replacing the
    agreement's and importer's earlier ones)."""
    options = check_scope(agreement, importer)
    settings = load_settings(warehouse=warehouse_path)
    run_id, started_at = current_run_id(), dt.datetime.now(dt.UTC)
    flow_name = f"ingest {STAGING_NOTES}"
    with writing(settings, flow_name) as session:
        ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
        payload = land_file(settings.landing_dir, source=staging_notes.SOURCE, path=Path(file))
        record = load_record(
            run_id=run_id, loader="reference", name=STAGING_NOTES, flow_name=flow_name, started_at=started_at,
            payloads=payload_records([(payload, STAGING_NOTES)]), max_reject_share=settings.quarantine_max_share,
            options=options,
        )

        def load() -> ReferenceResult:
            batch = notes_batch(
                payload, settings.landing_dir, options, run_id=run_id, flow_name=flow_name,
                max_reject_share=settings.quarantine_max_share, started_at=started_at,
            )
            with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
                return load_staging_notes(con, batch)

        return journaled_load(session, record, load)
