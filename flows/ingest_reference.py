"""The reference path of the ingest flow: tables that are not facts (``entrepot ingest hs-concordance
--file PATH``, ``entrepot ingest staging-notes --file PATH --agreement CODE --importer ISO3``).

Lands the file untouched, validates it against its declaration's raw model (failures go to
meta.quarantine), conforms it with the declaration's transform (given the load's scope) and replaces
its table's rows within that scope in one transaction (``warehouse.reference_loader``). The staging
texts never override the reviewed rules (core.dim_staging_category); marts.fta_staging_rules sets
both side by side.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from flows.journaled import IngestRequest, journaled_load, read_checked, replay_one_file
from flows.pipeline import landed_frame, quarantine_frame
from flows.registry import SOURCES, Source, declaration
from flows.runs import load_record, payload_records
from flows.sources.landing import LandedPayload, land_file, verify_landed
from warehouse.connection import warehouse
from warehouse.reference_loader import ReferenceBatch, ReferenceResult, load_reference
from warehouse.writer import WriterSession


def reference_batch(
    source: Source, payload: LandedPayload, landing_dir: Path, scope: dict[str, str], *, run_id: str,
    flow_name: str, max_reject_share: float, started_at: dt.datetime | None = None,
) -> ReferenceBatch:
    """Read, validate and conform one landed reference file; refused if too many rows fail."""
    file = read_checked(payload, landing_dir, source.code("read"), source.code("model"), max_reject_share)
    return ReferenceBatch(
        run_id=run_id, flow_name=flow_name, source=source.source, started_at=started_at or dt.datetime.now(dt.UTC),
        table=source.params["table"], rows=source.code("conform")(file.validated.valid, **scope), scope=scope,
        quarantine=quarantine_frame(file.validated.rejects, source.source, payload.file_hash, file.name),
        landed=landed_frame([payload], [file.raw.height]), rows_in=file.raw.height, rows_quarantined=file.rejected,
    )


def ingest_reference(request: IngestRequest, session: WriterSession) -> ReferenceResult | None:
    """A reference file replacing its table's rows within its scope; None when it was the content
    last loaded under its name (unless ``--force``)."""
    settings, source = request.settings, request.source
    payload = land_file(settings.landing_dir, source=source.source, path=request.file)
    if request.already_loaded(payload):
        return None
    extra = {"options": request.options} if request.options else {}
    record = load_record(
        run_id=request.run_id, loader="reference", name=source.name, flow_name=request.flow_name,
        started_at=request.started_at, payloads=payload_records([(payload, source.name)]),
        max_reject_share=settings.quarantine_max_share, **extra,
    )

    def load() -> ReferenceResult:
        batch = reference_batch(
            source, payload, settings.landing_dir, request.options, run_id=request.run_id,
            flow_name=request.flow_name, max_reject_share=settings.quarantine_max_share, started_at=request.started_at,
        )
        with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
            return load_reference(con, batch)

    return journaled_load(session, record, load)


def replay_reference_load(record: dict[str, object], warehouse_path: Path, landing_dir: Path) -> ReferenceResult:
    """Load a journaled reference file again exactly as it was loaded (for a rebuild)."""
    source, scope = declaration(str(record["name"])), dict(record.get("options") or {})
    return replay_one_file(
        record, warehouse_path, lambda payload, **run: reference_batch(source, payload, landing_dir, scope, **run),
        load_reference,
    )


def unscoped_references() -> dict[str, Source]:
    """The reference sources a load needs no scope for, by landed source name: those a landing
    directory of an earlier version, without a load journal, is replayed with."""
    return {d.source: d for d in SOURCES.values() if d.loader == "reference" and not d.required}


def replay_references(
    warehouse_path: Path, landing_dir: Path, max_reject_share: float, payloads: list[LandedPayload]
) -> int:
    """Load these landed reference files again, in order (a rebuild of what an earlier version,
    without a load journal, landed); returns how many."""
    sources = unscoped_references()
    with warehouse(warehouse_path) as con:
        for payload in payloads:
            verify_landed(payload, Path(landing_dir))
            batch = reference_batch(
                sources[payload.source], payload, landing_dir, {}, run_id=str(uuid.uuid4()), flow_name="rebuild",
                max_reject_share=max_reject_share,
            )
            load_reference(con, batch)
    return len(payloads)
