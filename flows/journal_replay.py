"""Replaying a landing directory's load journal (``warehouse.journal``) into a rebuild's draft.

Every committed load runs again in publish order, each with its own run id, payloads, thresholds
and clock stamps, so every core and meta row comes back as it was. How a replay differs from the
live loads, none of it in what it writes:

- the stored marts are derived once at the end, not kept up to date load by load: their full
  recompute is what each live load's piecewise refresh always equals (``warehouse.mart_tables``),
  and they read only trade facts and the core dimensions that trade loads and migrations write,
  never a tariff or reference table that another replayed load could change in between (no replayed
  load reads them: a replay runs no quality gate), and their sums are exact, so the order they
  are added in does not matter (``warehouse.yearly_sums``). On 11 monthly loads of 5M rows the
  piecewise upkeep was 40 % of the replay;
- every landed file is checked against its hash first (``verify_landed``): a file changed on disk
  since it was loaded is refused, never replayed as other numbers;
- a run of consecutive trade loads is read and conformed one load ahead in a second thread
  (``flows.read_ahead``) when a load's payloads are small enough to hold twice over
  (``READ_AHEAD_BYTES``); the country crosswalk they conform with is the same for all of them
  (trade loads do not write it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from flows.pipeline import ProcessedPayload, load_processed, process_payload, read_crosswalk
from flows.read_ahead import processed_ahead
from flows.registry import UnknownSourceError, kind_by_name
from flows.settings import Settings, load_settings
from flows.sources.landing import LandedPayload, verify_landed
from warehouse import mart_tables
from warehouse.clock import load_clock
from warehouse.connection import warehouse
from warehouse.journal import Journal
from warehouse.loader import LoadResult, unordered_inserts
from warehouse.runs import transaction

READ_AHEAD_BYTES = 128 * 1024**2
"""A journaled trade load is read ahead of the one merging only when its landed payloads add up to at
most this (about 1.2M Census rows, a month of HS10 trade both ways; its frames take about twice its
bytes), so at most two such loads are held beside the one merging; a larger load (a backfill's
year) is read when its turn comes, as it was loaded live."""


Record = dict[str, object]


def replay_journal(warehouse_path: Path, landing_dir: Path, journal: Journal, sources: set[str] | None) -> tuple[int, int, int]:
    """Every committed load of ``journal`` (of ``sources``, or all) again; (loads, rows in, rows
    quarantined)."""
    settings = load_settings(warehouse=warehouse_path, landing_dir=landing_dir)
    records = [r for r in journal.committed() if _wanted(r, sources)]
    rows_in = rows_quarantined = 0
    for stretch in _stretches(records):
        for result in _replay_stretch(stretch, warehouse_path, landing_dir, settings):
            rows_in += result.rows_in
            rows_quarantined += result.rows_quarantined
    if any(r["loader"] == "trade" for r in records):
        with warehouse(warehouse_path) as con, unordered_inserts(con), transaction(con):
            mart_tables.refresh_all(con)
    return len(records), rows_in, rows_quarantined


def _wanted(record: Record, sources: set[str] | None) -> bool:
    touched = {str(p["source"]) for p in record["payloads"]}
    return not (sources and touched and not touched & sources)


def _read_ahead(record: Record) -> bool:
    return record["loader"] == "trade" and sum(int(p.get("bytes") or 0) for p in record["payloads"]) <= READ_AHEAD_BYTES


def _stretches(records: list[Record]) -> Iterator[list[Record]]:
    """The records in order, consecutive trade loads that may be read ahead grouped together, every
    other record (a trade load too large to read ahead included) alone."""
    group: list[Record] = []
    for record in records:
        if _read_ahead(record):
            group.append(record)
            continue
        if group:
            yield group
            group = []
        yield [record]
    if group:
        yield group


def _replay_stretch(stretch: list[Record], warehouse_path: Path, landing_dir: Path, settings: Settings) -> Iterator[object]:
    """Replay each record of ``stretch``; a stretch of trade loads reads the next load ahead (a load
    is let go as soon as it is merged: at most two are held beside the one merging)."""
    if stretch[0]["loader"] != "trade":
        yield _replay_other(stretch[0], warehouse_path, landing_dir, settings)
        return
    with warehouse(warehouse_path) as con:
        crosswalk = read_crosswalk(con)
    ahead = processed_ahead(stretch, lambda record: _processed(record, landing_dir, crosswalk))
    with contextlib.closing(ahead):
        for record in stretch:
            processed = next(ahead)
            result = _load_again(record, processed, warehouse_path)
            del processed
            yield result


def _processed(record: Record, landing_dir: Path, crosswalk) -> list[ProcessedPayload]:
    """A journaled trade load's payloads read, validated and conformed again."""
    payloads = [(LandedPayload.from_record(e), kind_by_name(str(e["kind"]))) for e in record["payloads"]]
    for payload, _ in payloads:
        verify_landed(payload, landing_dir)
    return [process_payload(p, kind, landing_dir, crosswalk) for p, kind in payloads]


def _load_again(record: Record, processed: list[ProcessedPayload], warehouse_path: Path) -> LoadResult:
    """Merge a journaled trade load's processed payloads with its run id, threshold and clock stamps;
    its stored marts are left for the end of the replay."""
    with load_clock(list(record["stamps"])), warehouse(warehouse_path) as con:
        return load_processed(
            con, processed, run_id=str(record["run_id"]), flow_name=str(record["flow_name"]),
            started_at=dt.datetime.fromisoformat(str(record["started_at"])),
            max_reject_share=float(record["params"]["max_reject_share"]), defer_marts=True,
        )


def _replay_other(record: Record, warehouse_path: Path, landing_dir: Path, settings: Settings) -> object:
    """A journaled load that is not a trade load (the tariff and reference paths imported only if
    needed), its landed files checked first."""
    loader = record["loader"]
    for entry in record["payloads"]:
        verify_landed(LandedPayload.from_record(entry), landing_dir)
    if loader == "tariff":
        from flows.ingest_tariffs import replay_tariff_load

        return replay_tariff_load(record, settings)
    if loader == "reference":
        from flows.ingest_reference import replay_reference_load

        return replay_reference_load(record, warehouse_path, landing_dir)
    raise UnknownSourceError(f"the load journal names a loader this version does not know: {loader!r}")
