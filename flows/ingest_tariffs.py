"""Tariff ingest flow: land a schedule file untouched, validate, parse, merge as dated history.

``entrepot ingest usitc-hts --file PATH --valid-from DATE`` (and korea-mfn, korus-schedule).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandera.polars as pa
import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.pipeline import landed_frame, quarantine_frame, rejected_rows
from flows.runs import current_run_id, ensure_warehouse
from flows.settings import Settings, load_settings
from flows.sources import korea_tariff, usitc_hts
from flows.sources.landing import EDITIONS_LOG, LandedPayload, land_file
from schemas.raw.korea_tariff import KorusAnnexRaw, WitsTariffRaw
from schemas.raw.usitc_hts import UsitcHtsRaw
from schemas.validation import split_valid
from transforms import korea_tariff as korea
from transforms import usitc_hts as hts
from transforms.korus_staging import StagingRule
from warehouse.connection import warehouse
from warehouse.loader import check_reject_share
from warehouse.tariff_loader import TariffBatch, TariffLoadResult, load_tariffs

"""Beside the landing manifest: one line per tariff edition loaded (name, valid_from, payload)."""
Conform = Callable[[pl.DataFrame, "duckdb.DuckDBPyConnection"], tuple[pl.DataFrame, pl.DataFrame]]


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
    if name == "usitc-hts":  # a repeated HTS number is quarantined; the transform keeps its first row
        rejects = pl.concat([rejects, hts.duplicate_lines(validated.valid)], how="vertical_relaxed")
    rows_quarantined = rejected_rows(rejects)
    check_reject_share(raw.height, rows_quarantined, settings.quarantine_max_share, payload.original_name)
    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        valid_from = valid_from or kind.default_valid_from(validated.valid, con)
        if valid_from is None:
            raise TariffSourceError(f"{name}: --valid-from YYYY-MM-DD is required for {payload.original_name}")
        lines, rates = kind.conform(validated.valid, con)
    return TariffBatch(
        run_id=run_id, flow_name=f"ingest {name}", source=kind.source, importer_id=kind.importer,
        valid_from=valid_from, edition=payload.original_name, file_hash=payload.file_hash, started_at=started_at,
        lines=lines, rates=rates, quarantine=quarantine_frame(rejects, kind.source, payload.file_hash, payload.original_name),
        landed=landed_frame([payload], [raw.height]), rows_in=raw.height, rows_quarantined=rows_quarantined,
        derived=kind.derived,
    )


@task(name="load-tariffs", cache_policy=NO_CACHE)
def load_batch(batch: TariffBatch, settings: Settings) -> TariffLoadResult:
    """Merge the batch in one transaction."""
    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        return load_tariffs(con, batch)


def unparsed_texts(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, int]]:
    """Distinct unparsed rate texts in the edition a run loaded, with row counts, most frequent first."""
    return con.sql(
        """SELECT r.rate_text, count(*) AS n FROM core.fact_tariff_rate AS r
           JOIN core.dim_tariff_edition AS e USING (importer_id, source)
           WHERE e.run_id = $run AND r.parse_status = 'unparsed' AND r.valid_from <= e.valid_from
             AND (r.valid_to IS NULL OR r.valid_to > e.valid_from)
           GROUP BY r.rate_text ORDER BY n DESC, r.rate_text""",
        params={"run": run_id},
    ).fetchall()


def print_tariff_result(result: TariffLoadResult, warehouse_path: Path) -> None:
    """Counts of the run and the short list of rate texts that did not parse."""
    print(
        f"rows in {result.rows_in:,}, quarantined {result.rows_quarantined:,}; lines opened "
        f"{result.lines_opened:,}, closed {result.lines_closed:,}, unchanged {result.lines_unchanged:,}; "
        f"rates opened {result.rates_opened:,}, closed {result.rates_closed:,}, unchanged "
        f"{result.rates_unchanged:,}; {result.duration_s:.1f} s"
    )
    with warehouse(warehouse_path, read_only=True) as con:
        texts = unparsed_texts(con, result.run_id)
    print(f"unparsed rate texts: {len(texts)} distinct, {sum(n for _, n in texts)} rate rows (kept, flagged)")
    for text, n in texts:
        print(f"  {n:>4} x {text}")


@flow(name="ingest-tariffs")
def ingest_tariff_file(
    name: str, file: str, valid_from: dt.date | None = None, warehouse_path: str | None = None
) -> TariffLoadResult:
    """Land ``file`` as tariff source ``name`` and merge it as the edition in force from ``valid_from``."""
    if name not in TARIFF_SOURCES:
        raise TariffSourceError(f"unknown tariff source {name!r}; tariff sources: {', '.join(sorted(TARIFF_SOURCES))}")
    if name == "usitc-hts" and valid_from is None:
        raise TariffSourceError("usitc-hts: --valid-from YYYY-MM-DD is required (the date the edition takes effect)")
    settings = load_settings(warehouse=warehouse_path)
    run_id, started_at = current_run_id(), dt.datetime.now(dt.UTC)
    ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
    payload = land_file(settings.landing_dir, source=TARIFF_SOURCES[name].source, path=Path(file))
    batch = build_batch(name, payload, settings, valid_from, run_id, started_at)
    result = load_batch(batch, settings)
    _log_edition(settings.landing_dir, name, payload, batch.valid_from)
    return result


def _log_edition(landing_dir: Path, name: str, payload: LandedPayload, valid_from: dt.date) -> None:
    """Record which landed file was loaded as which edition (the manifest has no valid_from)."""
    record = {"name": name, "valid_from": valid_from.isoformat(), **payload.manifest_record()}
    with open(Path(landing_dir) / EDITIONS_LOG, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def replay_editions(warehouse_path: Path, landing_dir: Path) -> list[TariffLoadResult]:
    """Reload every tariff edition ingested from ``landing_dir``, in the order it was loaded
    (for a rebuild from the landing directory: the trade manifest alone lacks valid_from)."""
    path = Path(landing_dir) / EDITIONS_LOG
    if not path.exists():
        return []
    settings = load_settings(warehouse=warehouse_path, landing_dir=landing_dir)
    ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
    results = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        payload = LandedPayload.from_record(record)
        valid_from = dt.date.fromisoformat(record["valid_from"])
        batch = build_batch.fn(record["name"], payload, settings, valid_from, str(uuid.uuid4()), dt.datetime.now(dt.UTC))
        results.append(load_batch.fn(batch, settings))
    return results
