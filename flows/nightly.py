"""The nightly flow: pull new periods plus the revision window from each upstream, load, report."""

from __future__ import annotations

import datetime as dt

import duckdb
from prefect import flow, get_run_logger

from flows import kcs_nightly, planning, progress
from flows.artifacts import publish_run_artifacts
from flows.pipeline import read_crosswalk
from flows.registry import census_api_kind, kind_for_payload
from flows.runs import current_run_id, ensure_warehouse, writing
from flows.settings import Settings, load_settings
from flows.sources import comtrade_api
from flows.summary import RunSummary
from flows.tasks import conform_payloads, extract_census_api, extract_comtrade, load_warehouse
from flows.upstreams import upstream_url
from transforms.census_api import REPORTER as CENSUS_REPORTER
from transforms.census_api import SOURCE as CENSUS_SOURCE
from transforms.comtrade import SOURCE as COMTRADE_SOURCE
from warehouse import reads
from warehouse.connection import warehouse
from warehouse.loader import latest_loaded_hashes

DIRECTIONS = ("export", "import")


def _comtrade_queries(
    con: duckdb.DuckDBPyConnection, settings: Settings, today: dt.date
) -> list[comtrade_api.ComtradeQuery]:
    """Comtrade queries for both reporters of every configured pair, with each other and the World,
    over the revision window and any years since the last month loaded; none when disabled."""
    if not settings.comtrade.enabled:
        return []
    countries = sorted({c for p in settings.pairs for c in (p.reporter, p.partner)})
    codes = reads.comtrade_codes(con, countries)
    missing = [c for c in countries if not codes.get(c)]
    if missing:
        raise ValueError(f"comtrade: no Comtrade code for {missing} in core.dim_country")
    last = reads.last_loaded_month(con, COMTRADE_SOURCE)
    first_year = int(settings.revision_start(today)[:4])
    if last is not None:
        first_year = min(first_year, int(planning.next_month(last)[:4]))
    cfg = settings.comtrade
    return comtrade_api.nightly_queries(
        frequencies=list(cfg.frequencies),
        reporters=[codes[c] for c in countries],
        partners=[*[codes[c] for c in countries], "0"],
        cmd_codes=list(cfg.cmd_codes),
        first_year=first_year,
        today=today,
    )


@flow(name="nightly")
def nightly(warehouse_path: str | None = None, today: dt.date | None = None) -> RunSummary:
    """Extract each configured source for new periods plus the revision window, validate,
    transform and load in one transaction; returns the run summary."""
    settings: Settings = load_settings(warehouse=warehouse_path)
    today = today or dt.date.today()
    run_id, started_at = current_run_id(), dt.datetime.now(dt.UTC)
    summary = RunSummary("nightly", str(settings.warehouse), settings.upstream)
    with writing(settings, "nightly"):
        _nightly_run(settings, today, run_id, started_at, summary)
    return summary


def _nightly_run(settings: Settings, today: dt.date, run_id: str, started_at: dt.datetime, summary: RunSummary) -> None:
    """The nightly's work, inside its writer session (published when it returns)."""
    log = get_run_logger()
    ensure_warehouse(settings.warehouse, settings.lock_timeout_s)

    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        last = reads.last_loaded_month(con, CENSUS_SOURCE)
        known = latest_loaded_hashes(con, CENSUS_SOURCE)
        crosswalk = read_crosswalk(con)
        comtrade_queries = _comtrade_queries(con, settings, today)
        comtrade_known = latest_loaded_hashes(con, COMTRADE_SOURCE)
        kcs_plan = kcs_nightly.plan(con, settings, today)
    months = planning.months_to_fetch(
        today=today,
        revision_start=settings.revision_start(today),
        last_loaded=last,
        start_month=settings.census_api.start_month,
    )
    if CENSUS_REPORTER not in settings.reporters():
        log.info("no configured pair has reporter %s: skipping census_api", CENSUS_REPORTER)
        months = []
    log.info("census_api: %d months to request (%s .. %s)", len(months), months[:1], months[-1:])
    if months:
        progress.step(f"census_api: {len(months)} months to request ({months[0]} .. {months[-1]}), both directions")

    to_process = []
    with upstream_url(settings, today, "census-api") as base_url:
        futures = [
            (direction, extract_census_api.submit(direction, year, chunk, base_url, settings, last))
            for direction in DIRECTIONS
            for year, chunk in planning.chunk_by_year(months).items()
        ]
        for direction, future in futures:
            for payload in future.result():
                summary.payloads_fetched += 1
                if known.get(payload.request) != payload.file_hash:
                    to_process.append((payload, census_api_kind(direction)))
    if comtrade_queries:
        with upstream_url(settings, today, "comtrade-api") as comtrade_url:
            futures = [extract_comtrade.submit(query, comtrade_url, settings) for query in comtrade_queries]
            for future in futures:
                for payload in future.result():
                    summary.payloads_fetched += 1
                    if comtrade_known.get(payload.request) != payload.file_hash:
                        to_process.append((payload, kind_for_payload(payload.source, payload.request)))
    kcs_fetched, kcs_new = kcs_nightly.extract(kcs_plan, settings, today)
    summary.payloads_fetched += kcs_fetched
    to_process += kcs_new
    summary.payloads_new = len(to_process)
    if not to_process:
        summary.notes.append("every payload was already loaded with the same content: nothing changed")
    progress.step(f"{summary.payloads_fetched} payloads fetched, {summary.payloads_new} new")

    processed = conform_payloads(to_process, settings.landing_dir, crosswalk, settings)
    summary.result = load_warehouse(processed, settings, run_id, "nightly", started_at)
    publish_run_artifacts(summary, settings)
