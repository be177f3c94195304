"""Tariff ingest flow: land a schedule file untouched, validate, parse, merge as dated history.

``entrepot ingest usitc-hts --file PATH --valid-from DATE`` (and korea-mfn, korus-schedule,
kcs-tariff, and ``fta-annex --agreement CODE --importer ISO3 --base-date DATE``).
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
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.pipeline import landed_frame, quarantine_frame, rejected_rows
from flows.runs import current_run_id, ensure_warehouse, load_record, payload_records, writing
from flows.settings import Settings, load_settings
from flows.sources import korea_tariff, usitc_hts
from flows.sources.files import UnreadableFileError
from flows.sources.landing import EDITIONS_LOG, LandedPayload, land_file
from flows.tariff_options import FTA_ANNEX, KCS_TARIFF, TariffSourceError, check_options
from schemas.raw.korea_tariff import FtaAnnexRaw, KcsTariffRaw, KorusAnnexRaw, WitsTariffRaw
from schemas.raw.usitc_hts import UsitcHtsRaw
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

"""Beside the landing manifest: one line per tariff edition loaded (name, valid_from, payload)."""
Conform = Callable[[pl.DataFrame, "duckdb.DuckDBPyConnection"], tuple[pl.DataFrame, pl.DataFrame]]


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


def _hts(valid: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    lines, rates, _ = hts.conform(valid)
    return lines, rates


def _kcs(valid: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    lines, rates, _unknown = kcs.conform(valid, rate_layer_rules(con, korea.IMPORTER))
    return lines, rates


def _kcs_start(raw: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> dt.date | None:
    starts = [kcs.layer_period(y, f, t)[0] for y, f, t in raw.select("year", "valid_from", "valid_to").iter_rows()]
    return min(starts) if starts else None


def _korus_in_force(con: duckdb.DuckDBPyConnection) -> dt.date:
    in_force = agreement_in_force(con, "KORUS")
    if in_force is None:
        raise ValueError("core.dim_agreement has no KORUS row: run `entrepot migrate`")
    return in_force


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
        lambda valid, con: korea.conform_korus(valid, staging_rules(con, "KORUS", korea.IMPORTER), _korus_in_force(con)),
        derived=True, default_valid_from=lambda raw, con: _korus_in_force(con),
    ),
    KCS_TARIFF: TariffSource(
        kcs.SOURCE, korea.IMPORTER, korea_tariff.read_kcs, KcsTariffRaw, _kcs, derived=True,
        default_valid_from=_kcs_start,
    ),
    FTA_ANNEX: TariffSource("fta_annex", "", korea_tariff.read_fta_annex, FtaAnnexRaw, _kcs, derived=True),
}
"""Tariff sources loaded with ``entrepot ingest SOURCE --file PATH [--valid-from DATE]``."""


@task(name="parse-tariff-file", cache_policy=NO_CACHE)
def build_batch(
    name: str, payload: LandedPayload, settings: Settings, valid_from: dt.date | None, run_id: str,
    started_at: dt.datetime, options: dict[str, str] | None = None,
) -> TariffBatch:
    """Read, validate and conform a landed tariff file into one batch (no warehouse writes)."""
    kind = TARIFF_SOURCES[name].scoped(options or {})
    try:
        raw = kind.read(payload.path(settings.landing_dir))
    except UnreadableFileError as exc:  # named as the user gave it, not by its landed hash
        raise exc.renamed(payload.original_name or exc.file_name) from None
    validated = split_valid(raw, kind.model, payload.original_name)
    rejects = validated.rejects
    if name == "usitc-hts":  # every row of a repeated HTS number is quarantined (the transform drops them)
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


@flow(name="ingest-tariffs")
def ingest_tariff_file(
    name: str, file: str, valid_from: dt.date | None = None, warehouse_path: str | None = None,
    allow_removals: bool = False, options: dict[str, str | None] | None = None,
) -> TariffLoadResult:
    """Land ``file`` as tariff source ``name`` and merge it as the edition in force from ``valid_from``;
    refused if it would close more than ``tariff_max_removed_share`` of the lines in force, unless
    ``allow_removals``."""
    if name not in TARIFF_SOURCES:
        raise TariffSourceError(f"unknown tariff source {name!r}; tariff sources: {', '.join(sorted(TARIFF_SOURCES))}")
    if name == "usitc-hts" and valid_from is None:
        raise TariffSourceError("usitc-hts: --valid-from YYYY-MM-DD is required (the date the edition takes effect)")
    options = check_options(name, options or {})
    settings = load_settings(warehouse=warehouse_path)
    run_id, started_at = current_run_id(), dt.datetime.now(dt.UTC)
    with writing(settings, f"ingest {name}") as session:
        ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
        payload = land_file(settings.landing_dir, source=TARIFF_SOURCES[name].scoped(options).source, path=Path(file))
        record = load_record(
            run_id=run_id, loader="tariff", name=name, flow_name=f"ingest {name}", started_at=started_at,
            payloads=payload_records([(payload, name)]), max_reject_share=settings.quarantine_max_share,
            allow_removals=allow_removals, options=options,
        )
        try:
            with load_clock() as clock:
                batch = build_batch(name, payload, settings, valid_from, run_id, started_at, options)
                removals = None if allow_removals else settings.tariff_max_removed_share
                batch = dataclasses.replace(batch, max_removed_share=removals)
                result = load_batch(batch, settings)
        except Exception as exc:
            assert session.journal is not None
            session.journal.refused(run_id, str(exc), record["payloads"])
            raise
        assert session.journal is not None
        session.journal.add({**record, "valid_from": batch.valid_from.isoformat(), "stamps": clock.recorded()})
    return result


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
        valid_from = dt.date.fromisoformat(record["valid_from"])
        batch = build_batch.fn(record["name"], payload, settings, valid_from, str(uuid.uuid4()), dt.datetime.now(dt.UTC))
        results.append(load_batch.fn(batch, settings))
    return results
