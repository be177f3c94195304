"""The backfill flow: load a range of past months, one coarse task per source x year.

Tasks run concurrently, at most ``<source>.max_concurrency`` at a time against one upstream. Each
year is loaded in its own transaction as soon as its task finishes, so a killed backfill keeps the
years it loaded; and a payload already in the landing manifest is reused, never asked for again,
so a restart resumes where the previous attempt stopped.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields

import httpx
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
    temporary_settings,
)

from flows import planning, progress
from flows.artifacts import publish_run_artifacts
from flows.pipeline import read_crosswalk
from flows.registry import census_api_kind
from flows.runs import current_run_id, ensure_warehouse, writing
from flows.settings import Settings, UpstreamSettings, load_settings
from flows.sources import census_api
from flows.sources.http import policy_for
from flows.sources.landing import LandedPayload, landed_by_request
from flows.summary import RunSummary
from flows.tasks import conform_payloads, load_warehouse
from flows.upstreams import upstream_url
from warehouse.connection import warehouse
from warehouse.loader import LoadResult, latest_loaded_hashes
from warehouse.writer import WriterSession

DIRECTIONS = ("export", "import")
BACKFILL_SOURCES = ("census_api",)
"""Sources pulled from an API month by month (file sources are loaded with ``entrepot ingest``)."""


@dataclass
class YearExtract:
    """What one source x year task landed: payloads with their direction, fetched or reused."""

    source: str
    year: int
    payloads: list[tuple[LandedPayload, str]] = field(default_factory=list)
    fetched: int = 0
    reused: int = 0


@task(name="backfill-extract", cache_policy=NO_CACHE, task_run_name="{source} {year}")
def extract_year(source: str, year: int, months: list[str], base_url: str, settings: Settings) -> YearExtract:
    """Land every published month of one year for both directions, reusing what already landed."""
    cfg = settings.census_api
    policy = policy_for(cfg)
    api_key = cfg.api_key_value()
    landed = landed_by_request(settings.landing_dir, source)
    result = YearExtract(source, year)
    with httpx.Client(timeout=cfg.timeout_s) as client:
        for direction in DIRECTIONS:
            for month in months:
                request = census_api.CensusRequest(direction, month, cfg.hs_level)
                payload = landed.get(request.landing_request())
                if payload is not None:
                    result.reused += 1
                else:
                    payload = census_api.fetch_month(
                        client, base_url=base_url, api_key=api_key, request=request,
                        landing_dir=settings.landing_dir, policy=policy,
                    )
                    if payload is None:  # not published yet: neither is any later month
                        break
                    result.fetched += 1
                result.payloads.append((payload, direction))
    return result


def upstream_settings(settings: Settings, source: str) -> UpstreamSettings:
    """The connection settings of a backfill source."""
    if source == "census_api":
        return settings.census_api
    raise ValueError(f"unknown backfill source {source!r}; choose from {', '.join(BACKFILL_SOURCES)}")


def add_results(total: LoadResult | None, part: LoadResult) -> LoadResult:
    """Two load results summed (the run id is the first one's)."""
    if total is None:
        return part
    summed = {f.name: getattr(total, f.name) + getattr(part, f.name) for f in fields(LoadResult) if f.name != "run_id"}
    return LoadResult(run_id=total.run_id, **summed)


@contextmanager
def api_for_workers() -> Iterator[None]:
    """Dask workers are other processes and read Prefect's API URL from the environment: without one
    each would start a temporary server of its own, so start it here (when none is configured) and
    hand its URL to them."""
    from prefect.logging.handlers import APILogWorker
    from prefect.server.api.server import SubprocessASGIServer

    previous = os.environ.get("PREFECT_API_URL")
    server = None
    url = PREFECT_API_URL.value()
    if not url:
        server = SubprocessASGIServer()
        server.start(timeout=PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
        url = server.api_url
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings({PREFECT_API_URL: url}):
            yield
    finally:
        APILogWorker.drain_all(timeout=5)  # deliver the run's logs before a temporary server goes away
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
        if server is not None:
            server.stop()


def _load_year(
    done: YearExtract, settings: Settings, run_id: str, started_at: dt.datetime, summary: RunSummary,
    session: WriterSession,
) -> None:
    """Load one finished year in its own transaction, skipping payloads already loaded."""
    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        known = latest_loaded_hashes(con, done.source)
        crosswalk = read_crosswalk(con)
    new = [(p, census_api_kind(d)) for p, d in done.payloads if known.get(p.request) != p.file_hash]
    summary.payloads_fetched += len(done.payloads)
    summary.payloads_new += len(new)
    if not new:
        return
    processed = conform_payloads(new, settings.landing_dir, crosswalk, settings)
    result = load_warehouse(processed, settings, f"{run_id}:{done.source}:{done.year}", "backfill", started_at)
    session.publish()  # each year is published as soon as it is loaded: a killed backfill keeps it
    summary.result = add_results(summary.result, result)


def _submit_ready(
    queues: dict[str, deque[tuple[int, list[str]]]],
    running: dict[PrefectFuture, str],
    limits: dict[str, int],
    base_url: str,
    settings: Settings,
) -> None:
    """Submit queued years until each source has ``limits[source]`` extract tasks running."""
    for source, queue in queues.items():
        while queue and sum(s == source for s in running.values()) < limits[source]:
            year, months = queue.popleft()
            running[extract_year.submit(source, year, months, base_url, settings)] = source


@flow(name="backfill")
def backfill(
    start: str,
    end: str,
    sources: list[str] | None = None,
    warehouse_path: str | None = None,
    today: dt.date | None = None,
) -> RunSummary:
    """Load months ``start``..``end`` (YYYY-MM) of each source; resumable, one load per year."""
    settings = load_settings(warehouse=warehouse_path)
    log = get_run_logger()
    sources = list(sources or BACKFILL_SOURCES)
    limits = {source: upstream_settings(settings, source).max_concurrency for source in sources}
    chunks = planning.chunk_by_year(planning.month_range(start, end))
    if not chunks:
        raise ValueError(f"backfill: --start {start} is after --end {end}")
    today = today or dt.date.today()
    run_id, started_at = current_run_id(), dt.datetime.now(dt.UTC)
    summary = RunSummary("backfill", str(settings.warehouse), settings.upstream)
    queues = {source: deque(sorted(chunks.items())) for source in sources}
    running: dict[PrefectFuture, str] = {}
    for source in sources:
        progress.bar(f"{source} {start}..{end}", total=len(chunks))
    with writing(settings, "backfill") as session, upstream_url(settings, today, "census-api") as base_url:
        ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
        _submit_ready(queues, running, limits, base_url, settings)
        while running:
            future = next(as_completed(list(running)))
            source = running.pop(future)
            done: YearExtract = future.result()
            _submit_ready(queues, running, limits, base_url, settings)  # the next year extracts while this one loads
            log.info("%s %d: %d payloads fetched, %d reused from landing", source, done.year, done.fetched, done.reused)
            progress.step(f"{source} {done.year}: landed {done.fetched} payloads, reused {done.reused} from landing")
            _load_year(done, settings, run_id, started_at, summary, session)
            progress.advance(f"{source} {start}..{end}")
    if summary.payloads_new == 0:
        summary.notes.append("every payload was already loaded with the same content: nothing changed")
    publish_run_artifacts(summary, settings)
    return summary
