"""Reference ingest flow for tables that are not facts: ``entrepot ingest hs-concordance --file PATH``.

Lands the UN conversion table untouched, validates its code pairs (failures go to meta.quarantine),
derives the concordance in both directions and replaces it in one transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from prefect import flow

from flows.journaled import journaled_load, read_checked, replay_one_file
from flows.pipeline import landed_frame, quarantine_frame
from flows.runs import current_run_id, ensure_warehouse, load_record, payload_records, writing
from flows.settings import load_settings
from flows.source_names import REFERENCES
from flows.sources.hs_reference import read_conversion
from flows.sources.landing import LandedPayload, land_file
from schemas.raw.hs_reference import HsConversionRaw
from transforms.hs_reference import conform_concordance
from warehouse.connection import warehouse
from warehouse.loader import latest_loaded_hashes
from warehouse.reference_loader import ReferenceBatch, ReferenceResult, load_concordance

SOURCE = "hs_concordance"
REFERENCE_SOURCES = REFERENCES


def concordance_batch(
    payload: LandedPayload,
    landing_dir: Path,
    *,
    run_id: str,
    flow_name: str,
    max_reject_share: float,
    started_at: dt.datetime | None = None,
) -> ReferenceBatch:
    """Read, validate and conform one landed conversion table; refuse it if too many rows fail."""
    started_at = started_at or dt.datetime.now(dt.UTC)
    file = read_checked(payload, landing_dir, read_conversion, HsConversionRaw, max_reject_share)
    quarantine = quarantine_frame(file.validated.rejects, SOURCE, payload.file_hash, file.name)
    return ReferenceBatch(
        run_id=run_id,
        flow_name=flow_name,
        source=SOURCE,
        started_at=started_at,
        concordance=conform_concordance(file.validated.valid),
        quarantine=quarantine,
        landed=landed_frame([payload], [file.raw.height]),
        rows_in=file.raw.height,
        rows_quarantined=file.rejected,
    )


def replay_concordance(
    warehouse_path: Path, landing_dir: Path, max_reject_share: float, payloads: list[LandedPayload]
) -> int:
    """Load these landed conversion tables again, in order (a rebuild of what an earlier version,
    without a load journal, landed); returns how many."""
    with warehouse(warehouse_path) as con:
        for payload in payloads:
            batch = concordance_batch(
                payload,
                landing_dir,
                run_id=str(uuid.uuid4()),
                flow_name="rebuild",
                max_reject_share=max_reject_share,
            )
            load_concordance(con, batch)
    return len(payloads)


def replay_reference_load(record: dict[str, object], warehouse_path: Path, landing_dir: Path) -> ReferenceResult:
    """Load a journaled conversion table again exactly as it was loaded (for a rebuild)."""
    return replay_one_file(
        record, warehouse_path, lambda payload, **run: concordance_batch(payload, landing_dir, **run), load_concordance
    )


@flow(name="ingest-reference")
def ingest_reference(
    source: str, file: str, warehouse_path: str | None = None, force: bool = False
) -> ReferenceResult | None:
    """Load a UN HS conversion table into core.hs_concordance; None when this content was the last
    one loaded under the same name (unless ``force``)."""
    if source not in REFERENCE_SOURCES:
        raise ValueError(
            f"unknown reference source {source!r}; reference sources: {', '.join(REFERENCE_SOURCES)}"
        )
    settings = load_settings(warehouse=warehouse_path)
    run_id, started_at = current_run_id(), dt.datetime.now(dt.UTC)
    with writing(settings, f"ingest {source}") as session:
        ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
        payload = land_file(settings.landing_dir, source=SOURCE, path=Path(file))
        with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
            if latest_loaded_hashes(con, SOURCE).get(payload.request) == payload.file_hash and not force:
                return None
        record = load_record(
            run_id=run_id, loader="reference", name=source, flow_name=f"ingest {source}", started_at=started_at,
            payloads=payload_records([(payload, source)]), max_reject_share=settings.quarantine_max_share,
        )

        def load() -> ReferenceResult:
            batch = concordance_batch(
                payload, settings.landing_dir, run_id=run_id, flow_name=f"ingest {source}",
                max_reject_share=settings.quarantine_max_share, started_at=started_at,
            )
            with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
                return load_concordance(con, batch)

        return journaled_load(session, record, load)
