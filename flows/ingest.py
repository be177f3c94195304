"""The one ingest flow: ``entrepot ingest SOURCE --file PATH``, for every file source of the registry.

It checks the options against the source's declaration, holds the writer session, lands the file
untouched and hands the load to the path of the declaration's loader kind (trade here, tariff in
``flows.ingest_tariffs``, reference in ``flows.ingest_reference``); each builds one batch, loads it
with its loader (``warehouse.runs.Loader``) and journals it, so a rebuild replays it as it ran.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from prefect import flow

from flows.artifacts import publish_run_artifacts
from flows.ingest_options import check_options
from flows.ingest_reference import ingest_reference
from flows.ingest_tariffs import ingest_tariff
from flows.journaled import IngestRequest
from flows.pipeline import read_crosswalk
from flows.registry import declaration, kind_by_name
from flows.runs import current_run_id, ensure_warehouse, writing
from flows.settings import load_settings
from flows.sources.landing import land_file
from flows.summary import RunSummary
from flows.tasks import conform_payloads, load_warehouse
from warehouse.connection import warehouse
from warehouse.writer import WriterSession


def ingest_trade(request: IngestRequest, session: WriterSession) -> RunSummary:
    """A trade file: conformed and merged like a nightly's payloads (``flows.tasks``); the summary."""
    settings, kind = request.settings, kind_by_name(request.source.name)
    summary = RunSummary(request.flow_name, str(settings.warehouse), f"file {request.file}")
    payload = land_file(settings.landing_dir, source=kind.source, path=request.file)
    summary.payloads_fetched = 1
    if request.already_loaded(payload):
        summary.notes.append(f"{request.file.name} (sha256 {payload.file_hash[:12]}) is already loaded: "
                             "nothing to do (use --force to re-merge)")
        return summary
    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        crosswalk = read_crosswalk(con)
    summary.payloads_new = 1
    processed = conform_payloads([(payload, kind)], settings.landing_dir, crosswalk, settings)
    summary.notes.extend(note for p in processed for note in p.conformed.notes)
    summary.result = load_warehouse(processed, settings, request.run_id, request.flow_name, request.started_at)
    publish_run_artifacts(summary, settings)
    return summary


PATHS: dict[str, Callable[[IngestRequest, WriterSession], object]] = {
    "trade": ingest_trade, "tariff": ingest_tariff, "reference": ingest_reference,
}
"""The ingest path of each loader kind (``Source.loader``)."""


@flow(name="ingest")
def ingest(
    name: str, file: str, warehouse_path: str | None = None, *, force: bool = False,
    valid_from: dt.date | None = None, allow_removals: bool = False, agreement: str | None = None,
    importer: str | None = None, base_date: str | None = None,
) -> object:
    """Land ``file`` as the file source ``name`` and load it through its loader kind's path: a
    RunSummary (trade), a TariffLoadResult (tariff), a ReferenceResult, or None when that reference
    file was the content last loaded under its name (unless ``force``)."""
    source = declaration(name, "file")
    options = check_options(source, {
        "force": force, "valid_from": valid_from, "allow_removals": allow_removals, "agreement": agreement,
        "importer": importer, "base_date": base_date,
    })
    settings = load_settings(warehouse=warehouse_path)
    request = IngestRequest(source, Path(file), settings, current_run_id(), dt.datetime.now(dt.UTC), force,
                            valid_from, allow_removals, options)
    with writing(settings, request.flow_name) as session:
        ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
        return PATHS[source.loader](request, session)
