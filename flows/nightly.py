"""The nightly flow: pull new periods plus the revision window from each upstream, load, report."""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger

from flows import planning
from flows.pipeline import read_crosswalk
from flows.registry import census_api_kind
from flows.runs import current_run_id, ensure_warehouse
from flows.settings import Settings, load_settings
from flows.summary import RunSummary
from flows.tasks import conform_payloads, extract_census_api, load_warehouse
from flows.upstreams import census_api_base_url
from transforms.census_api import REPORTER as CENSUS_REPORTER
from transforms.census_api import SOURCE as CENSUS_SOURCE
from warehouse.connection import warehouse
from warehouse.loader import latest_loaded_hashes

DIRECTIONS = ("export", "import")


@flow(name="nightly")
def nightly(warehouse_path: str | None = None, today: dt.date | None = None) -> RunSummary:
    """Extract each configured source for new periods plus the revision window, validate,
    transform and load in one transaction; returns the run summary."""
    settings: Settings = load_settings(warehouse=warehouse_path)
    log = get_run_logger()
    today = today or dt.date.today()
    run_id, started_at = current_run_id(), dt.datetime.now(dt.UTC)
    ensure_warehouse(settings.warehouse, settings.lock_timeout_s)
    summary = RunSummary("nightly", str(settings.warehouse), settings.upstream)

    with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
        last = planning.last_loaded_month(con, CENSUS_SOURCE)
        known = latest_loaded_hashes(con, CENSUS_SOURCE)
        crosswalk = read_crosswalk(con)
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

    to_process = []
    with census_api_base_url(settings, today) as base_url:
        futures = [
            (direction, extract_census_api.submit(direction, year, chunk, base_url, settings))
            for direction in DIRECTIONS
            for year, chunk in planning.chunk_by_year(months).items()
        ]
        for direction, future in futures:
            for payload in future.result():
                summary.payloads_fetched += 1
                if known.get(payload.request) != payload.file_hash:
                    to_process.append((payload, census_api_kind(direction)))
    summary.payloads_new = len(to_process)
    if not to_process:
        summary.notes.append("every payload was already loaded with the same content: nothing changed")

    processed = conform_payloads(to_process, settings.landing_dir, crosswalk)
    summary.result = load_warehouse(processed, settings, run_id, "nightly", started_at)
    return summary
