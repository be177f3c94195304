"""The ingest flow: land one local file of a file-based source untouched, validate, load."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow

from flows.artifacts import publish_run_artifacts
from flows.pipeline import read_crosswalk
from flows.registry import FILE_SOURCES, PayloadKind, UnknownSourceError
from flows.runs import current_run_id, ensure_warehouse, writing
from flows.settings import Settings, load_settings
from flows.sources.landing import land_file
from flows.summary import RunSummary
from flows.tasks import conform_payloads, load_warehouse
from warehouse.connection import warehouse
from warehouse.loader import latest_loaded_hashes


@flow(name="ingest-file")
def ingest_file(source: str, file: str, warehouse_path: str | None = None, force: bool = False) -> RunSummary:
    """Load ``file`` as ``source``; a file whose content was already the last one loaded under the
    same name is skipped unless ``force`` (the merge is idempotent either way)."""
    if source not in FILE_SOURCES:
        raise UnknownSourceError(f"unknown source {source!r}; file sources: {', '.join(sorted(FILE_SOURCES))}")
    kind = FILE_SOURCES[source]
    settings = load_settings(warehouse=warehouse_path)
    run_id, started_at = current_run_id(), dt.datetime.now(dt.UTC)
    summary = RunSummary(f"ingest {source}", str(settings.warehouse), f"file {file}")
    with writing(settings, f"ingest {source}"):
        _ingest(kind, source, Path(file), settings, force, run_id, started_at, summary)
    return summary


def _ingest(
    kind: PayloadKind, source: str, file: Path, settings: Settings, force: bool, run_id: str,
    started_at: dt.datetime, summary: RunSummary,
) -> None:
    """The ingest's work, inside its writer session (published when it returns)."""
    ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
    payload = land_file(settings.landing_dir, source=kind.source, path=file)
    summary.payloads_fetched = 1
    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        already = latest_loaded_hashes(con, kind.source).get(payload.request) == payload.file_hash
        crosswalk = read_crosswalk(con)
    if already and not force:
        summary.notes.append(
            f"{file.name} (sha256 {payload.file_hash[:12]}) is already loaded: nothing to do (use --force to re-merge)"
        )
        return
    summary.payloads_new = 1
    processed = conform_payloads([(payload, kind)], settings.landing_dir, crosswalk, settings)
    summary.notes.extend(note for p in processed for note in p.conformed.notes)
    summary.result = load_warehouse(processed, settings, run_id, f"ingest {source}", started_at)
    publish_run_artifacts(summary, settings)
