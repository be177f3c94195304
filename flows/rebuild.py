"""Rebuild the warehouse from the landing directory alone.

With a load journal (``loads.jsonl``, see ``warehouse.journal``), every committed load is replayed
in the order it was published, each with its own run id, payloads, thresholds and clock stamps, so
every core and meta row comes back as it was; refused loads and loads a killed writer never
published are not replayed (``flows.journal_replay``). A landing directory of an earlier version,
without a journal, is replayed payload by payload from its manifest in fetch order, then its tariff
editions and reference files (the HS concordances). Every landed file is checked against its hash
before it is replayed.

The rebuild holds the writer lock like every writer, builds a fresh draft (committing as it goes so
memory stays flat) and publishes it in one rename only when everything succeeded: a failed rebuild
leaves the warehouse as it was, and no load can commit meanwhile and be lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from flows.journal_replay import replay_journal
from flows.pipeline import ProcessedPayload, build_batch, process_payload, read_crosswalk
from flows.read_ahead import processed_ahead
from flows.registry import SOURCES, UnknownSourceError, is_trade_source, kind_for_payload
from flows.sources.landing import EDITIONS_LOG, LandedPayload, read_manifest, verify_landed
from warehouse.connection import warehouse
from warehouse.journal import Journal
from warehouse.loader import LoadResult, LoadSession, check_reject_share
from warehouse.migrate import migrate
from warehouse.reads import trade_fact_count
from warehouse.writer import writer_session

LOAD_MEMORY_LIMIT = "1GB"
"""DuckDB's buffer pool during large loads: enough for any one payload, flat as the warehouse grows."""
REBUILD_MEMORY_LIMIT = "256MB"
"""A rebuild mostly appends (a revising payload joins only its own periods): little cache needed. The
cache fills up to the limit as the facts grow, so the limit is what a rebuild's memory grows by (at
512 MB, 30M rows peaked 22% above 10M; at 256 MB, 4%), at the same speed."""
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


def fact_series(facts: pl.DataFrame) -> set[tuple[str, str, str]]:
    """The (source, period_id, flow_id) of ``facts``; a payload's facts mostly share one source and
    one period, so those are looked at first and the full distinct triples only when they vary."""
    sources, periods = facts.get_column("source").unique(), facts.get_column("period_id").unique()
    if sources.len() == 1 and periods.len() == 1:
        return {(sources[0], periods[0], flow) for flow in facts.get_column("flow_id").unique()}
    return set(facts.select("source", "period_id", "flow_id").unique().iter_rows())


def parts(processed: Iterable[ProcessedPayload], max_rows: int = PART_ROWS) -> Iterator[list[ProcessedPayload]]:
    """Consecutive payloads grouped into parts of at most ``max_rows`` raw rows (a larger payload is a
    part of its own). A payload starts a new part when its facts share a (source, period, flow) with
    the part so far, or its file is already in it: it may revise them, so it must merge after them."""
    group: list[ProcessedPayload] = []
    keys: set[tuple[str, str, str]] = set()
    files: set[str] = set()
    rows = 0
    for item in processed:
        mine = fact_series(item.conformed.facts)
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
    verify: bool = False,
) -> LoadResult:
    """Process and merge ``payloads`` in order, in bounded parts (see ``parts``), inside one
    transaction (or, on a private copy, committing after each part so memory stays flat);
    ``verify``: each landed file checked against its hash first (``verify_landed``)."""
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
            def process(p: LandedPayload) -> ProcessedPayload:
                if verify:
                    verify_landed(p, landing_dir)
                return process_payload(p, kind_for_payload(p.source, p.request), landing_dir, crosswalk)

            # a rebuild's many payloads are read one ahead; a load's few, one at a time (flat memory)
            processed = processed_ahead(payloads, process) if commit_each_part else (process(p) for p in payloads)
            with contextlib.closing(processed):
                for group in parts(processed, part_rows):
                    part = build_batch(group, run_id=run_id, flow_name=flow_name, started_at=started, max_reject_share=1.0)
                    session.merge(part)
                    rows_in += part.rows_in
                    rows_quarantined += part.rows_quarantined
                    rows_skipped += part.rows_skipped
                    del group, part
            check_reject_share(rows_in, rows_quarantined, max_reject_share, f"{flow_name} of {landing_dir}")
            return session.finish(rows_in=rows_in, rows_quarantined=rows_quarantined, rows_skipped=rows_skipped)


@dataclass(frozen=True)
class RebuildResult:
    """What a rebuild replayed."""

    loads: int
    rows_in: int
    rows_quarantined: int
    facts: int
    unresolved: list[str] = field(default_factory=list)


def rebuild(
    warehouse_path: Path, landing_dir: Path, *, max_reject_share: float, sources: set[str] | None = None,
    lock_timeout_s: float = 0.0,
) -> RebuildResult:
    """Replay the landing directory into a fresh draft of ``warehouse_path`` and publish it."""
    with writer_session(
        warehouse_path, lock_timeout_s=lock_timeout_s, fresh=True, memory_limit=REBUILD_MEMORY_LIMIT,
        what="rebuild", journal_dir=landing_dir,
    ) as session:
        assert session.journal is not None
        with warehouse(warehouse_path) as con:
            migrate(con)
        journal = session.journal
        earlier = _before_the_journal(landing_dir, journal, sources)
        result = RebuildResult(0, 0, 0, 0)
        if earlier or not journal.exists():
            result = _replay_manifest(warehouse_path, landing_dir, max_reject_share, earlier, sources)
        if journal.exists():
            loads, rows_in, rows_quarantined = replay_journal(warehouse_path, landing_dir, journal, sources)
            result = RebuildResult(loads + result.loads, rows_in + result.rows_in,
                                   rows_quarantined + result.rows_quarantined, 0, journal.unresolved())
        with warehouse(warehouse_path) as con:
            facts = trade_fact_count(con)
    return replace(result, facts=facts)


def _before_the_journal(landing_dir: Path, journal: Journal, sources: set[str] | None) -> list[LandedPayload]:
    """Payloads a version without the load journal landed (before its first record, and in none of
    its loads): a landing directory that predates the journal is replayed the earlier way first."""
    if not journal.exists():
        return replay_order(landing_dir, sources)
    records = journal.read()
    times = [dt.datetime.fromisoformat(str(r.get("started_at") or r["at"])) for r in records if "started_at" in r or "at" in r]
    if not times:
        return []
    first = min(times)
    journaled = {(str(p["file_hash"]), str(p["request"])) for r in records for p in r.get("payloads", [])}
    return [
        p for p in replay_order(landing_dir, sources)
        if p.fetched_at < first and (p.file_hash, p.request) not in journaled
    ]


def _replay_manifest(
    warehouse_path: Path, landing_dir: Path, max_reject_share: float, ordered: list[LandedPayload],
    sources: set[str] | None,
) -> RebuildResult:
    """Payloads landed without a load journal (an earlier version): trade payloads in one run, then
    tariff editions (from their log) and HS concordances."""
    payloads = [p for p in ordered if is_trade_source(p.source)]
    others = {p.source for p in ordered} - {p.source for p in payloads}
    result = load_payloads(
        warehouse_path, landing_dir, payloads, flow_name="rebuild", max_reject_share=max_reject_share,
        commit_each_part=True, memory_limit=REBUILD_MEMORY_LIMIT, verify=True,
    )
    if others or (Path(landing_dir) / EDITIONS_LOG).exists():  # those flows are imported only if needed
        references = [p for p in ordered if not is_trade_source(p.source)]
        _replay_tariffs_and_references(warehouse_path, landing_dir, others, sources, max_reject_share, references)
    return RebuildResult(1, result.rows_in, result.rows_quarantined, 0)
def _replay_tariffs_and_references(
    staged: Path, landing_dir: Path, present: set[str], wanted: set[str] | None, max_reject_share: float,
    payloads: list[LandedPayload],
) -> None:
    """Tariff editions (from their log) and unscoped reference files, after the trade payloads."""
    from flows.ingest_reference import replay_references, unscoped_references
    from flows.ingest_tariffs import replay_editions

    tariff_sources = {d.source for d in SOURCES.values() if d.loader == "tariff"}
    references = set(unscoped_references())
    unknown = present - tariff_sources - references
    if unknown:
        raise UnknownSourceError(f"no reader for landed payloads of source {sorted(unknown)!r}")
    if wanted is None or wanted & tariff_sources:
        replay_editions(staged, landing_dir)
    mine = [p for p in payloads if p.source in references and (wanted is None or p.source in wanted)]
    replay_references(staged, landing_dir, max_reject_share, mine)
