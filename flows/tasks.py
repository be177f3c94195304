"""Prefect tasks: coarse steps (one per source x year chunk), each a thin wrapper over plain code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows import progress
from flows.pipeline import ProcessedPayload, fetch_census_months, load_processed, process_payload
from flows.registry import PayloadKind
from flows.runs import current_run_id, journal_of, load_record, payload_records
from flows.settings import Settings
from flows.sources import comtrade_api
from flows.sources.http import policy_for
from flows.sources.landing import LandedPayload
from warehouse.clock import load_clock
from warehouse.connection import warehouse
from warehouse.loader import LoadResult


@task(name="extract-census-api", cache_policy=NO_CACHE, task_run_name="census_api {direction} {year}")
def extract_census_api(
    direction: str,
    year: int,
    months: list[str],
    base_url: str,
    settings: Settings,
    published_through: str | None = None,
) -> list[LandedPayload]:
    """Fetch and land one direction's months of one year (``pipeline.fetch_census_months``)."""
    landed = fetch_census_months(direction, months, base_url, settings, published_through)
    report_landed(landed)
    return landed


def report_landed(landed: list[LandedPayload]) -> None:
    """One progress line per landed payload."""
    for payload in landed:
        rows = f"{payload.rows:,} rows" if payload.rows is not None else f"{payload.bytes:,} bytes"
        progress.step(f"{progress.payload_label(payload.source, payload.request)}: landed 1 payload ({rows})")


@task(name="extract-comtrade", cache_policy=NO_CACHE, task_run_name="comtrade {query.freq} {query.periods[0]}..")
def extract_comtrade(query: comtrade_api.ComtradeQuery, base_url: str, settings: Settings) -> list[LandedPayload]:
    """Fetch and land one Comtrade query, split to the record cap of the access used (keyed or preview)."""
    cfg = settings.comtrade
    policy = policy_for(cfg)
    client, access = comtrade_api.client(cfg.api_key_value(), cfg.timeout_s)
    landed: list[LandedPayload] = []
    with client:
        for part in comtrade_api.plan(query, comtrade_api.CAPS[access]):
            landed += comtrade_api.fetch(
                client, base_url=base_url, query=part, access=access, landing_dir=settings.landing_dir, policy=policy
            )
    report_landed(landed)
    return landed


@task(name="validate-and-conform", cache_policy=NO_CACHE)
def conform_payloads(
    payloads: list[tuple[LandedPayload, PayloadKind]], landing_dir: Path, crosswalk: pl.DataFrame,
    settings: Settings | None = None,
) -> list[ProcessedPayload]:
    """Validate each landed payload against its raw model and conform it; a payload that cannot be
    read is a refused load in the run's journal (with ``settings``)."""
    processed = []
    try:
        for payload, kind in payloads:
            done = process_payload(payload, kind, landing_dir, crosswalk)
            progress.step(f"{progress.payload_label(payload.source, payload.request)}: validated "
                          f"{done.rows_in:,} rows ({done.rows_quarantined:,} quarantined)")
            processed.append(done)
    except Exception as exc:
        journal = journal_of(settings) if settings is not None else None
        if journal is not None:
            journal.refused(current_run_id(), str(exc), payload_records([(p, k.name) for p, k in payloads]))
        raise
    return processed


@task(name="load-warehouse", cache_policy=NO_CACHE)
def load_warehouse(
    processed: list[ProcessedPayload],
    settings: Settings,
    run_id: str,
    flow_name: str,
    started_at: dt.datetime,
) -> LoadResult:
    """Merge everything in one transaction (waiting for another writer up to the lock timeout); the
    quality gate runs before COMMIT and builds the Data Docs, and a critical failure rolls it all back.
    The load, or its refusal, goes to the run's load journal."""
    from flows.artifacts import data_docs_location
    from warehouse.quality.gate import QualityGate

    gate = QualityGate(run_name=run_id, docs_dir=data_docs_location(settings).parent)
    journal = journal_of(settings)
    payloads = payload_records([(p.payload, p.kind) for p in processed])
    progress.step(f"loading {len(processed)} payloads into {settings.warehouse} (one transaction, quality gate)...")
    try:
        with load_clock() as clock, warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
            result = load_processed(
                con,
                processed,
                run_id=run_id,
                flow_name=flow_name,
                started_at=started_at,
                max_reject_share=settings.quarantine_max_share,
                checks=gate,
            )
    except Exception as exc:  # refused: the quality gate, too many rejects, a broken grain...
        if journal is not None:
            journal.refused(run_id, str(exc), payloads)
        raise
    if journal is not None:
        journal.add(load_record(
            run_id=run_id, loader="trade", flow_name=flow_name, started_at=started_at, payloads=payloads,
            max_reject_share=settings.quarantine_max_share, stamps=clock.recorded(),
        ))
    if gate.report is not None:
        result.notes.extend(f"quality warning: {o.describe()}" for o in gate.report.warnings)
    for done in processed:
        progress.step(f"{progress.payload_label(done.payload.source, done.payload.request)}: loaded")
    progress.step(f"loaded {len(processed)} payloads: {result.facts_inserted:,} facts inserted")
    return result
