"""Tariff ingest flow: land a schedule file untouched, validate, parse, merge as dated history.

``entrepot ingest usitc-hts --file PATH --valid-from DATE`` (and korea-mfn, korus-schedule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandera.polars as pa
import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.pipeline import landed_frame
from flows.runs import current_run_id, ensure_warehouse
from flows.settings import Settings, load_settings
from flows.sources import korea_tariff, usitc_hts
from flows.sources.landing import LandedPayload, land_file
from schemas.raw.korea_tariff import KorusAnnexRaw, WitsTariffRaw
from schemas.raw.usitc_hts import UsitcHtsRaw
from schemas.validation import split_valid
from transforms import korea_tariff as korea
from transforms import usitc_hts as hts
from transforms.korus_staging import StagingRule
from warehouse.connection import warehouse
from warehouse.loader import QUARANTINE_SCHEMA, check_reject_share
from warehouse.tariff_loader import TariffBatch, TariffLoadResult, load_tariffs

Conform = Callable[[pl.DataFrame, duckdb.DuckDBPyConnection], tuple[pl.DataFrame, pl.DataFrame]]


class TariffSourceError(ValueError):
    """Unknown tariff source or missing option (e.g. --valid-from)."""


@dataclass(frozen=True)
class TariffSource:
    """How one tariff file kind is read, validated, conformed and scoped."""

    source: str
    importer: str
    read: Callable[[Path], pl.DataFrame]
    model: type[pa.DataFrameModel]
    conform: Conform
    derived: bool = False
    default_valid_from: Callable[[pl.DataFrame, duckdb.DuckDBPyConnection], dt.date | None] = field(
        default=lambda raw, con: None
    )


def _hts(valid: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    lines, rates, _ = hts.conform(valid)
    return lines, rates


def _staging_rules(con: duckdb.DuckDBPyConnection) -> dict[str, StagingRule]:
    rows = con.sql(
        """SELECT category, rule_kind, stages, duty_free_year, floor_pct, usable
           FROM core.dim_staging_category WHERE agreement_id = 'KORUS' AND importer_id = 'KOR'"""
    ).fetchall()
    return {r[0]: StagingRule(*r) for r in rows}


def _korus_in_force(con: duckdb.DuckDBPyConnection) -> dt.date:
    return con.sql("SELECT in_force_date FROM core.dim_agreement WHERE agreement_id = 'KORUS'").fetchall()[0][0]


def _wits_year(raw: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> dt.date | None:
    years = raw.get_column("year").drop_nulls().unique().to_list()
    if len(years) != 1:
        return None
    return dt.date(int(years[0]), 1, 1)


TARIFF_SOURCES: dict[str, TariffSource] = {
    "usitc-hts": TariffSource(hts.SOURCE, hts.IMPORTER, usitc_hts.read_file, UsitcHtsRaw, _hts),
    "korea-mfn": TariffSource(
        korea.MFN_SOURCE, korea.IMPORTER, korea_tariff.read_wits, WitsTariffRaw,
        lambda valid, con: korea.conform_mfn(valid), default_valid_from=_wits_year,
    ),
    "korus-schedule": TariffSource(
        korea.KORUS_SOURCE, korea.IMPORTER, korea_tariff.read_annex, KorusAnnexRaw,
        lambda valid, con: korea.conform_korus(valid, _staging_rules(con), _korus_in_force(con)),
        derived=True, default_valid_from=lambda raw, con: _korus_in_force(con),
    ),
}
"""Tariff sources loaded with ``entrepot ingest SOURCE --file PATH [--valid-from DATE]``."""


def _quarantine(rejects: pl.DataFrame, payload: LandedPayload, source: str) -> pl.DataFrame:
    return rejects.with_columns(
        pl.lit(source).alias("source"),
        pl.lit(payload.file_hash).alias("file_hash"),
        pl.lit(payload.original_name).alias("file_name"),
    ).select(list(QUARANTINE_SCHEMA))


@task(name="parse-tariff-file", cache_policy=NO_CACHE)
def build_batch(
    name: str, payload: LandedPayload, settings: Settings, valid_from: dt.date | None, run_id: str,
    started_at: dt.datetime,
) -> TariffBatch:
    """Read, validate and conform a landed tariff file into one batch (no warehouse writes)."""
    kind = TARIFF_SOURCES[name]
    raw = kind.read(payload.path(settings.landing_dir))
    validated = split_valid(raw, kind.model, payload.original_name)
    rejects = validated.rejects
    if name == "usitc-hts":
        _, _, duplicates = hts.conform(validated.valid.head(0))  # schema of rejects only
        rejects = pl.concat([rejects, hts.duplicate_lines(validated.valid), duplicates], how="vertical_relaxed")
    rows_quarantined = rejects.get_column("row_number").n_unique() if rejects.height else 0
    check_reject_share(raw.height, rows_quarantined, settings.quarantine_max_share, payload.original_name)
    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        valid_from = valid_from or kind.default_valid_from(validated.valid, con)
        if valid_from is None:
            raise TariffSourceError(f"{name}: --valid-from YYYY-MM-DD is required for {payload.original_name}")
        lines, rates = kind.conform(validated.valid, con)
    return TariffBatch(
        run_id=run_id, flow_name=f"ingest {name}", source=kind.source, importer_id=kind.importer,
        valid_from=valid_from, edition=payload.original_name, file_hash=payload.file_hash, started_at=started_at,
        lines=lines, rates=rates, quarantine=_quarantine(rejects, payload, kind.source),
        landed=landed_frame([payload], [raw.height]), rows_in=raw.height, rows_quarantined=rows_quarantined,
        derived=kind.derived,
    )


@task(name="load-tariffs", cache_policy=NO_CACHE)
def load_batch(batch: TariffBatch, settings: Settings) -> TariffLoadResult:
    """Merge the batch in one transaction."""
    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        return load_tariffs(con, batch)


def unparsed_texts(warehouse_path: Path, source: str, valid_from: dt.date) -> list[tuple[str, int]]:
    """Distinct unparsed rate texts of one edition with their row counts, most frequent first."""
    with warehouse(warehouse_path, read_only=True) as con:
        return con.sql(
            """SELECT rate_text, count(*) AS n FROM core.fact_tariff_rate
               WHERE source = $s AND parse_status = 'unparsed' AND valid_from <= $d
                 AND (valid_to IS NULL OR valid_to > $d)
               GROUP BY rate_text ORDER BY n DESC, rate_text""",
            params={"s": source, "d": valid_from},
        ).fetchall()


@flow(name="ingest-tariffs")
def ingest_tariff_file(
    name: str, file: str, valid_from: dt.date | None = None, warehouse_path: str | None = None
) -> TariffLoadResult:
    """Land ``file`` as tariff source ``name`` and merge it as the edition in force from ``valid_from``."""
    if name not in TARIFF_SOURCES:
        raise TariffSourceError(f"unknown tariff source {name!r}; tariff sources: {', '.join(sorted(TARIFF_SOURCES))}")
    settings = load_settings(warehouse=warehouse_path)
    run_id, started_at = current_run_id(), dt.datetime.now(dt.UTC)
    ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
    payload = land_file(settings.landing_dir, source=TARIFF_SOURCES[name].source, path=Path(file))
    batch = build_batch(name, payload, settings, valid_from, run_id, started_at)
    return load_batch(batch, settings)
