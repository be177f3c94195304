"""Prefect tasks: coarse steps (one per source x year chunk), each a thin wrapper over plain code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.pipeline import ProcessedPayload, load_processed, process_payload
from flows.registry import PayloadKind
from flows.settings import Settings
from flows.sources import census_api
from flows.sources.http import RetryPolicy
from flows.sources.landing import LandedPayload
from warehouse.connection import warehouse
from warehouse.loader import LoadResult


@task(name="extract-census-api", cache_policy=NO_CACHE, task_run_name="census_api {direction} {year}")
def extract_census_api(
    direction: str, year: int, months: list[str], base_url: str, settings: Settings
) -> list[LandedPayload]:
    """Fetch and land one direction's months of one year, stopping at the first unpublished month."""
    cfg = settings.census_api
    policy = RetryPolicy(max_attempts=cfg.max_attempts, max_delay_s=cfg.max_backoff_s)
    api_key = cfg.api_key.get_secret_value() if cfg.api_key else None
    landed: list[LandedPayload] = []
    with httpx.Client(timeout=cfg.timeout_s) as client:
        for month in months:
            payload = census_api.fetch_month(
                client,
                base_url=base_url,
                api_key=api_key,
                request=census_api.CensusRequest(direction, month, cfg.hs_level),
                landing_dir=settings.landing_dir,
                policy=policy,
            )
            if payload is None:
                break
            landed.append(payload)
    return landed


@task(name="validate-and-conform", cache_policy=NO_CACHE)
def conform_payloads(
    payloads: list[tuple[LandedPayload, PayloadKind]], landing_dir: Path, crosswalk: pl.DataFrame
) -> list[ProcessedPayload]:
    """Validate each landed payload against its raw model and conform it."""
    return [process_payload(p, kind, landing_dir, crosswalk) for p, kind in payloads]


@task(name="load-warehouse", cache_policy=NO_CACHE)
def load_warehouse(
    processed: list[ProcessedPayload],
    settings: Settings,
    run_id: str,
    flow_name: str,
    started_at: dt.datetime,
) -> LoadResult:
    """Merge everything in one transaction (waiting for another writer up to the lock timeout)."""
    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        return load_processed(
            con,
            processed,
            run_id=run_id,
            flow_name=flow_name,
            started_at=started_at,
            max_reject_share=settings.quarantine_max_share,
        )
