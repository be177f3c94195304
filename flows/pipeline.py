"""Plain-Python steps the Prefect tasks call: landed payloads -> validated, conformed rows -> a load.

Kept free of Prefect so every step can be tested and benchmarked directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx
import polars as pl

from flows.registry import PayloadKind
from flows.settings import Settings
from flows.sources import census_api
from flows.sources.files import UnreadableFileError
from flows.sources.http import policy_for
from flows.sources.landing import LandedPayload
from schemas.validation import split_valid
from transforms.conformed import FACT_SCHEMA, PERIOD_SCHEMA, PRODUCT_SCHEMA, Conformed, stack
from warehouse.loader import (
    LANDED_SCHEMA,
    QUARANTINE_SCHEMA,
    Checks,
    LoadBatch,
    LoadResult,
    check_reject_share,
    load,
)
from warehouse.reads import country_crosswalk


@dataclass(frozen=True)
class ProcessedPayload:
    """One payload after validation and transformation."""

    payload: LandedPayload
    kind: str
    """The payload kind's name (``PayloadKind.name``), as the load journal records it."""
    conformed: Conformed
    quarantine: pl.DataFrame
    rows_in: int
    rows_quarantined: int


def fetch_census_months(
    direction: str, months: list[str], base_url: str, settings: Settings, published_through: str | None = None
) -> list[LandedPayload]:
    """Fetch and land one direction's months from the Census API; months not published yet are
    skipped, an empty result for a month that should have data is an error (``census_api.fetch_months``)."""
    cfg = settings.census_api
    policy = policy_for(cfg)
    with httpx.Client(timeout=cfg.timeout_s) as client:
        return census_api.fetch_months(
            client,
            base_url=base_url,
            api_key=cfg.api_key_value(),
            requests=[census_api.CensusRequest(direction, month, cfg.hs_level) for month in months],
            landing_dir=settings.landing_dir,
            policy=policy,
            published_through=published_through,
        )


def shown_name(payload: LandedPayload) -> str:
    """How errors and quarantine rows name a payload (``LandedPayload.shown_name``)."""
    return payload.shown_name


def read_crosswalk(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The country-code crosswalk (scheme, code, country_id) from the warehouse."""
    return country_crosswalk(con)


def process_payload(
    payload: LandedPayload, kind: PayloadKind, landing_dir: Path, crosswalk: pl.DataFrame
) -> ProcessedPayload:
    """Read, validate and conform one landed payload; failed rows become quarantine rows."""
    file_name = shown_name(payload)
    try:
        raw = kind.read(payload.path(landing_dir))
    except UnreadableFileError as exc:
        raise exc.renamed(file_name) from None
    validated = split_valid(raw, kind.model, file_name)
    conformed = kind.conform(validated.valid, crosswalk, payload.file_hash)
    rejects = pl.concat([validated.rejects, conformed.rejects], how="vertical_relaxed")
    return ProcessedPayload(
        payload=payload,
        kind=kind.name,
        conformed=conformed,
        quarantine=quarantine_frame(rejects, kind.source, payload.file_hash, file_name),
        rows_in=raw.height,
        rows_quarantined=rejected_rows(rejects),
    )


def quarantine_frame(rejects: pl.DataFrame, source: str, file_hash: str, file_name: str) -> pl.DataFrame:
    """meta.quarantine rows for one payload's rejects (row_number, field, value, reason, raw_record)."""
    return rejects.with_columns(
        pl.lit(source).alias("source"),
        pl.lit(file_hash).alias("file_hash"),
        pl.lit(file_name).alias("file_name"),
    ).select(list(QUARANTINE_SCHEMA))


def rejected_rows(rejects: pl.DataFrame) -> int:
    """Raw rows with at least one reject (a row failing two fields counts once)."""
    return rejects.get_column("row_number").n_unique() if rejects.height else 0


def landed_frame(payloads: Sequence[LandedPayload], rows: Sequence[int]) -> pl.DataFrame:
    """meta.landed_files rows for the payloads."""
    return pl.DataFrame(
        {
            "file_hash": [p.file_hash for p in payloads],
            "request": [p.request for p in payloads],
            "source": [p.source for p in payloads],
            "fetched_at": [p.fetched_at for p in payloads],
            "bytes": [p.bytes for p in payloads],
            "rows": list(rows),
            "landed_path": [p.landed_path for p in payloads],
        },
        schema=LANDED_SCHEMA,
    )


def _one_row_per_product(products: pl.DataFrame) -> pl.DataFrame:
    """One row per product_id, with the last description given (the one merging the payloads one by
    one would leave: a merge keeps the stored description when a payload brings none)."""
    return products.group_by("product_id", maintain_order=True).agg(
        pl.exclude("description").first(), pl.col("description").drop_nulls().last()
    ).select(list(PRODUCT_SCHEMA))


def build_batch(
    processed: Sequence[ProcessedPayload],
    *,
    run_id: str,
    flow_name: str,
    started_at: dt.datetime,
    max_reject_share: float,
) -> LoadBatch:
    """Combine processed payloads into one load; refuse it if too many rows failed."""
    rows_in = sum(p.rows_in for p in processed)
    rows_quarantined = sum(p.rows_quarantined for p in processed)
    what = ", ".join(sorted({shown_name(p.payload) for p in processed})[:3])
    check_reject_share(rows_in, rows_quarantined, max_reject_share, what or "run")

    return LoadBatch(
        run_id=run_id,
        flow_name=flow_name,
        source=",".join(sorted({p.payload.source for p in processed})),
        started_at=started_at,
        facts=stack([p.conformed.facts for p in processed], FACT_SCHEMA),
        products=_one_row_per_product(stack([p.conformed.products for p in processed], PRODUCT_SCHEMA)),
        periods=stack([p.conformed.periods for p in processed], PERIOD_SCHEMA).unique("period_id"),
        quarantine=stack([p.quarantine for p in processed], QUARANTINE_SCHEMA),
        landed=landed_frame([p.payload for p in processed], [p.rows_in for p in processed]),
        rows_in=rows_in,
        rows_quarantined=rows_quarantined,
        rows_skipped=sum(p.conformed.rows_skipped for p in processed),
        message="; ".join(note for p in processed for note in p.conformed.notes) or None,
    )


def load_processed(
    con: duckdb.DuckDBPyConnection,
    processed: Sequence[ProcessedPayload],
    *,
    run_id: str,
    flow_name: str,
    started_at: dt.datetime,
    max_reject_share: float,
    checks: Checks | None = None,
    defer_marts: bool = False,
) -> LoadResult:
    """Build the batch and load it in one transaction; ``checks`` run before it commits
    (``defer_marts``: see ``warehouse.loader.LoadSession``)."""
    batch = build_batch(
        processed, run_id=run_id, flow_name=flow_name, started_at=started_at, max_reject_share=max_reject_share
    )
    return load(con, batch, checks=checks, defer_marts=defer_marts)
