"""The tariff path of the ingest flow: a schedule file validated, parsed and merged as dated history.

``entrepot ingest usitc-hts --file PATH --valid-from DATE`` (and korea-mfn, korus-schedule,
kcs-tariff, and ``fta-annex --agreement CODE --importer ISO3 --base-date DATE``): the declarations
are in ``flows.registry``; this module holds the adapters their ``conform`` names (each reads the
rules it needs from the warehouse) and the batch they build for ``warehouse.tariff_loader``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandera.polars as pa
import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.ingest_options import IngestOptionError
from flows.journaled import IngestRequest, journaled_load
from flows.pipeline import landed_frame, quarantine_frame, rejected_rows
from flows.registry import SCD, declaration
from flows.runs import ensure_warehouse, load_record, payload_records
from flows.settings import Settings, load_settings
from flows.sources.files import UnreadableFileError
from flows.sources.landing import EDITIONS_LOG, LandedPayload, land_file, verify_landed
from schemas.validation import split_valid
from transforms import fta_annex
from transforms import kcs_tariff as kcs
from transforms import korea_tariff as korea
from transforms import usitc_hts as hts
from warehouse.clock import load_clock
from warehouse.connection import warehouse
from warehouse.loader import check_reject_share
from warehouse.reads import agreement_in_force, rate_layer_rules, staging_rules, unparsed_rate_texts
from warehouse.tariff_loader import TariffBatch, TariffLoadResult, load_tariffs
from warehouse.writer import WriterSession

Conform = Callable[[pl.DataFrame, "duckdb.DuckDBPyConnection"], tuple[pl.DataFrame, pl.DataFrame]]


@dataclass(frozen=True)
class TariffSource:
    """How one tariff file kind is read, validated, conformed and scoped (its declaration resolved)."""

    source: str
    importer: str
    read: Callable[[Path], pl.DataFrame]
    model: type[pa.DataFrameModel]
    conform: Conform
    derived: bool = False
    default_valid_from: Callable[[pl.DataFrame, duckdb.DuckDBPyConnection], dt.date | None] = field(
        default=lambda raw, con: None
    )
    rejects: Callable[[pl.DataFrame], pl.DataFrame] | None = None
    """Valid rows the transform drops, quarantined as well (a repeated HTS number)."""

    def scoped(self, options: dict[str, str]) -> TariffSource:
        """This source as loaded with ``options`` (an fta-annex load: its agreement and importer)."""
        if not options.get("agreement"):
            return self
        agreement, importer, base_date = options["agreement"], options["importer"], options["base_date"]
        return dataclasses.replace(
            self, source=fta_annex.source_name(agreement), importer=importer,
            conform=lambda valid, con: fta_annex.conform(
                valid, staging_rules(con, agreement, importer), agreement_in_force(con, agreement), agreement,
                dt.date.fromisoformat(base_date)),
            default_valid_from=lambda raw, con: dt.date.fromisoformat(base_date),
        )


def tariff_source(name: str, options: dict[str, str] | None = None) -> TariffSource:
    """The tariff source ``name`` of the registry, resolved to code and scoped by ``options``."""
    found = declaration(name)
    if found.loader != "tariff":
        raise IngestOptionError(f"{name!r} is not a tariff source")
    params = found.params
    return TariffSource(
        found.source, params["importer"], found.code("read"), found.code("model"), found.code("conform"),
        derived=found.merge != SCD,
        default_valid_from=found.code("default_valid_from") if "default_valid_from" in params else lambda raw, con: None,
        rejects=found.code("rejects") if "rejects" in params else None,
    ).scoped(options or {})


def conform_hts(valid: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """HTS lines and rates."""
    lines, rates, _ = hts.conform(valid)
    return lines, rates


def conform_mfn(valid: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """WITS-style MFN lines and rates."""
    return korea.conform_mfn(valid)


def conform_korus(valid: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The KORUS annex's staged rates, by the seeded staging rules and the agreement's entry into force."""
    return korea.conform_korus(valid, staging_rules(con, "KORUS", korea.IMPORTER), korus_in_force(valid, con))


def conform_kcs(valid: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Korea Customs Service rate layers, by the seeded layer rules."""
    lines, rates, _unknown = kcs.conform(valid, rate_layer_rules(con, korea.IMPORTER))
    return lines, rates


def kcs_start(raw: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The earliest start of the file's rate layers."""
    starts = [kcs.layer_period(y, f, t)[0] for y, f, t in raw.select("year", "valid_from", "valid_to").iter_rows()]
    return min(starts) if starts else None


def korus_in_force(raw: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> dt.date:
    """KORUS's entry into force (the seeded agreement table)."""
    in_force = agreement_in_force(con, "KORUS")
    if in_force is None:
        raise ValueError("core.dim_agreement has no KORUS row: run `entrepot migrate`")
    return in_force


def wits_year(raw: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """January 1 of the file's one year (None when it has several)."""
    years = raw.get_column("year").drop_nulls().unique().to_list()
    if len(years) != 1:
        return None
    return dt.date(int(years[0]), 1, 1)


@task(name="parse-tariff-file", cache_policy=NO_CACHE)
def build_batch(
    name: str, payload: LandedPayload, settings: Settings, valid_from: dt.date | None, run_id: str,
    started_at: dt.datetime, options: dict[str, str] | None = None,
) -> TariffBatch:
    """Read, validate and conform a landed tariff file into one batch (no warehouse writes)."""
    kind = tariff_source(name, options)
    try:
        raw = kind.read(payload.path(settings.landing_dir))
    except UnreadableFileError as exc:  # named as the user gave it, not by its landed hash
        raise exc.renamed(payload.original_name or exc.file_name) from None
    validated = split_valid(raw, kind.model, payload.original_name)
    rejects = validated.rejects
    if kind.rejects is not None:  # e.g. every row of a repeated HTS number (the transform drops them)
        rejects = pl.concat([rejects, kind.rejects(validated.valid)], how="vertical_relaxed")
    rows_quarantined = rejected_rows(rejects)
    check_reject_share(raw.height, rows_quarantined, settings.quarantine_max_share, payload.original_name)
    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        valid_from = valid_from or kind.default_valid_from(validated.valid, con)
        if valid_from is None:
            raise IngestOptionError(f"{name}: --valid-from YYYY-MM-DD is required for {payload.original_name}")
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


def print_tariff_result(result: TariffLoadResult, warehouse_path: Path) -> None:
    """Counts of the run and the short list of rate texts that did not parse."""
    print(
        f"rows in {result.rows_in:,}, quarantined {result.rows_quarantined:,}; lines opened "
        f"{result.lines_opened:,}, closed {result.lines_closed:,}, unchanged {result.lines_unchanged:,}; "
        f"rates opened {result.rates_opened:,}, closed {result.rates_closed:,}, unchanged "
        f"{result.rates_unchanged:,}; {result.duration_s:.1f} s"
    )
    with warehouse(warehouse_path, read_only=True) as con:
        texts = unparsed_rate_texts(con, result.run_id)
    print(f"unparsed rate texts: {len(texts)} distinct, {sum(n for _, n in texts)} rate rows (kept, flagged)")
    for text, n in texts:
        print(f"  {n:>4} x {text}")


def ingest_tariff(request: IngestRequest, session: WriterSession) -> TariffLoadResult:
    """A tariff file merged as the edition in force from ``request.valid_from`` (or its source's
    default); refused if it would close more than ``tariff_max_removed_share`` of the lines in force,
    unless ``request.allow_removals``."""
    settings, name, options = request.settings, request.source.name, request.options
    payload = land_file(settings.landing_dir, source=tariff_source(name, options).source, path=request.file)
    record = load_record(
        run_id=request.run_id, loader="tariff", name=name, flow_name=request.flow_name,
        started_at=request.started_at, payloads=payload_records([(payload, name)]),
        max_reject_share=settings.quarantine_max_share, allow_removals=request.allow_removals, options=options,
    )

    def load() -> TariffLoadResult:
        batch = build_batch(name, payload, settings, request.valid_from, request.run_id, request.started_at, options)
        removals = None if request.allow_removals else settings.tariff_max_removed_share
        record["valid_from"] = batch.valid_from.isoformat()
        return load_batch(dataclasses.replace(batch, max_removed_share=removals), settings)

    return journaled_load(session, record, load)


def replay_tariff_load(record: dict[str, object], settings: Settings) -> TariffLoadResult:
    """Load a journaled tariff edition again exactly as it was loaded (for a rebuild)."""
    payload = LandedPayload.from_record(record["payloads"][0])
    params = record["params"]
    replayed = settings.model_copy(update={"quarantine_max_share": params["max_reject_share"]})
    started_at = dt.datetime.fromisoformat(str(record["started_at"]))
    with load_clock(list(record["stamps"])):
        batch = build_batch.fn(
            str(record["name"]), payload, replayed, dt.date.fromisoformat(str(record["valid_from"])),
            str(record["run_id"]), started_at, dict(record.get("options") or {}),
        )
        return load_batch.fn(batch, replayed)


def replay_editions(warehouse_path: Path, landing_dir: Path) -> list[TariffLoadResult]:
    """Reload every tariff edition a landing directory of an earlier version logged in
    ``tariff_editions.jsonl``, in the order it was loaded (a rebuild without a load journal)."""
    path = Path(landing_dir) / EDITIONS_LOG
    if not path.exists():
        return []
    settings = load_settings(warehouse=warehouse_path, landing_dir=landing_dir)
    ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
    results = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        payload = LandedPayload.from_record(record)
        verify_landed(payload, Path(landing_dir))
        valid_from = dt.date.fromisoformat(record["valid_from"])
        batch = build_batch.fn(record["name"], payload, settings, valid_from, str(uuid.uuid4()), dt.datetime.now(dt.UTC))
        results.append(load_batch.fn(batch, settings))
    return results
