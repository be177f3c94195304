"""Rebuild the warehouse from the landing directory alone, payload by payload.

Every payload in the manifest is replayed in the order it was fetched, so later releases revise
earlier ones exactly as they did the first time (the revision history is rebuilt too). The rebuild
writes a private copy (``<warehouse>.rebuilding``), committing after each payload so memory stays
flat however many rows there are, and replaces the warehouse with it only when everything succeeded.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from flows.pipeline import ProcessedPayload, build_batch, process_payload, read_crosswalk
from flows.registry import UnknownSourceError, is_trade_source, kind_for_payload
from flows.sources.landing import EDITIONS_LOG, LandedPayload, read_manifest
from warehouse.connection import warehouse
from warehouse.loader import LoadResult, LoadSession, check_reject_share
from warehouse.migrate import migrate

LOAD_MEMORY_LIMIT = "1GB"
"""DuckDB's buffer pool during large loads: enough for any one payload, flat as the warehouse grows."""
REBUILD_MEMORY_LIMIT = "512MB"
"""A rebuild mostly appends (a revising payload joins only its own periods): little cache needed."""
PART_ROWS = 250_000
"""Consecutive small payloads are merged as one part up to this many raw rows (a part has a fixed
cost, ~0.1 s of table-model checks and statements, which thousands of small payloads would each pay)."""


def replay_order(landing_dir: Path, sources: set[str] | None = None) -> list[LandedPayload]:
    """Landed payloads in fetch order, dropping a payload identical to the previous one for its request."""
    last: dict[str, str] = {}
    ordered = []
    for record in read_manifest(landing_dir):
        payload = LandedPayload.from_record(record)
        if sources and payload.source not in sources:
            continue
        if last.get(payload.request) == payload.file_hash:
            continue
        last[payload.request] = payload.file_hash
        ordered.append(payload)
    return ordered


def parts(processed: Iterable[ProcessedPayload], max_rows: int = PART_ROWS) -> Iterator[list[ProcessedPayload]]:
    """Consecutive payloads grouped into parts of at most ``max_rows`` raw rows (a larger payload is a
    part of its own). A payload starts a new part when its facts share a (source, period, flow) with
    the part so far, or its file is already in it: it may revise them, so it must merge after them."""
    group: list[ProcessedPayload] = []
    keys: set[tuple[str, str, str]] = set()
    files: set[str] = set()
    rows = 0
    for item in processed:
        mine = set(item.conformed.facts.select("source", "period_id", "flow_id").unique().iter_rows())
        if group and (rows + item.rows_in > max_rows or mine & keys or item.payload.file_hash in files):
            yield group
            group, keys, files, rows = [], set(), set(), 0
        group.append(item)
        keys |= mine
        files.add(item.payload.file_hash)
        rows += item.rows_in
    if group:
        yield group


def load_payloads(
    warehouse_path: Path,
    landing_dir: Path,
    payloads: list[LandedPayload],
    *,
    flow_name: str,
    max_reject_share: float,
    run_id: str | None = None,
    lock_timeout_s: float = 0.0,
    commit_each_part: bool = False,
    memory_limit: str = LOAD_MEMORY_LIMIT,
    part_rows: int = PART_ROWS,
) -> LoadResult:
    """Process and merge ``payloads`` in order, in bounded parts (see ``parts``), inside one
    transaction (or, on a private copy, committing after each part so memory stays flat)."""
    run_id = run_id or str(uuid.uuid4())
    started = dt.datetime.now(dt.UTC)
    rows_in = rows_quarantined = rows_skipped = 0
    with warehouse(warehouse_path, lock_timeout_s=lock_timeout_s, memory_limit=memory_limit) as con:
        migrate(con)
        crosswalk = read_crosswalk(con)
        sources = ",".join(sorted({p.source for p in payloads}))
        session = LoadSession(
            con, run_id=run_id, flow_name=flow_name, source=sources, started_at=started,
            commit_each_part=commit_each_part,
        )
        with session:
            processed = (
                process_payload(p, kind_for_payload(p.source, p.request), landing_dir, crosswalk) for p in payloads
            )
            for group in parts(processed, part_rows):
                part = build_batch(group, run_id=run_id, flow_name=flow_name, started_at=started, max_reject_share=1.0)
                session.merge(part)
                rows_in += part.rows_in
                rows_quarantined += part.rows_quarantined
                rows_skipped += part.rows_skipped
                del group, part
            check_reject_share(rows_in, rows_quarantined, max_reject_share, f"{flow_name} of {landing_dir}")
            return session.finish(rows_in=rows_in, rows_quarantined=rows_quarantined, rows_skipped=rows_skipped)


def _discard(path: Path) -> None:
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


def rebuild(
    warehouse_path: Path, landing_dir: Path, *, max_reject_share: float, sources: set[str] | None = None
) -> LoadResult:
    """Replay the whole landing directory into ``warehouse_path``: trade payloads in one transaction,
    then each tariff edition in the order it was ingested (editions carry their valid-from date),
    then the HS concordances."""
    ordered = replay_order(landing_dir, sources)
    payloads = [p for p in ordered if is_trade_source(p.source)]
    others = {p.source for p in ordered} - {p.source for p in payloads}
    staged = warehouse_path.with_name(warehouse_path.name + ".rebuilding")
    _discard(staged)
    try:
        result = load_payloads(
            staged, landing_dir, payloads, flow_name="rebuild", max_reject_share=max_reject_share,
            commit_each_part=True, memory_limit=REBUILD_MEMORY_LIMIT,
        )
        if others or (Path(landing_dir) / EDITIONS_LOG).exists():  # those flows are imported only if needed
            _replay_tariffs_and_references(staged, landing_dir, others, sources, max_reject_share)
    except BaseException:
        _discard(staged)
        raise
    os.replace(staged, warehouse_path)  # the old warehouse stays whole until this instant
    Path(str(warehouse_path) + ".wal").unlink(missing_ok=True)
    return result


def _replay_tariffs_and_references(
    staged: Path, landing_dir: Path, present: set[str], wanted: set[str] | None, max_reject_share: float
) -> None:
    """Tariff editions (from their log) and HS concordances, after the trade payloads."""
    from flows.ingest_reference import SOURCE as CONCORDANCE_SOURCE
    from flows.ingest_reference import replay_concordance
    from flows.ingest_tariffs import TARIFF_SOURCES, replay_editions

    tariff_sources = {t.source for t in TARIFF_SOURCES.values()}
    unknown = present - tariff_sources - {CONCORDANCE_SOURCE}
    if unknown:
        raise UnknownSourceError(f"no reader for landed payloads of source {sorted(unknown)!r}")
    if wanted is None or wanted & tariff_sources:
        replay_editions(staged, landing_dir)
    if wanted is None or CONCORDANCE_SOURCE in wanted:
        replay_concordance(staged, landing_dir, max_reject_share)
