"""The nightly's Korea Customs Service part: Korea's own side of every configured pair it is in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import httpx
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import planning
from flows.registry import PayloadKind, kind_for_payload
from flows.settings import Settings
from flows.sources import kcs_trade
from flows.sources.http import RetryPolicy
from flows.sources.landing import LandedPayload
from flows.upstreams import upstream_url
from transforms.kcs_trade import REPORTER, SOURCE
from warehouse import reads
from warehouse.loader import latest_loaded_hashes

UNUSED_CHAPTER = "77"
"""Reserved by the HS for future use: never asked for."""


@dataclass(frozen=True)
class KcsPlan:
    """What one night asks the KCS API for, and the payload last loaded for each request."""

    requests: list[kcs_trade.KcsRequest] = field(default_factory=list)
    known: dict[str, str] = field(default_factory=dict)


def partners(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """ISO2 codes of the other country of every configured pair the publisher's country is in."""
    others = sorted({p.partner if p.reporter == REPORTER else p.reporter for p in settings.pairs
                     if REPORTER in (p.reporter, p.partner)})
    if not others:
        return []
    codes = reads.iso2_codes(con, others)
    missing = [c for c in others if not codes.get(c)]
    if missing:
        raise ValueError(f"kcs_trade: no ISO2 code for {missing} in core.dim_country")
    return [codes[c] for c in others]


def hs_codes(settings: Settings) -> list[str]:
    """The hsSgn values to ask for: the configured codes, or every HS chapter (01-99, national 98-99 included)."""
    return list(settings.kcs_trade.hs_codes) or [f"{i:02d}" for i in range(1, 100) if f"{i:02d}" != UNUSED_CHAPTER]


def plan(con: duckdb.DuckDBPyConnection, settings: Settings, today: dt.date) -> KcsPlan:
    """The night's requests: every partner x year range x HS code over the revision window and any
    month since the last one loaded; none when disabled, not in any pair, or live without a key."""
    log = get_run_logger()
    cfg = settings.kcs_trade
    if not cfg.enabled:
        return KcsPlan()
    if settings.upstream == "live" and cfg.api_key is None and cfg.api_key_block is None:
        log.info("kcs_trade: no API key (ENTREPOT_KCS_TRADE__API_KEY): skipping Korea Customs Service")
        return KcsPlan()
    countries = partners(con, settings)
    if not countries:
        return KcsPlan()
    months = planning.months_to_fetch(
        today=today, revision_start=settings.revision_start(today),
        last_loaded=reads.last_loaded_month(con, SOURCE), start_month=cfg.start_month,
    )
    requests = [
        kcs_trade.KcsRequest(country, first, last, code, num_of_rows=cfg.num_of_rows)
        for country in countries
        for first, last in kcs_trade.month_ranges(months)
        for code in hs_codes(settings)
    ]
    log.info("kcs_trade: %d requests (%s, %s .. %s)", len(requests), countries, months[:1], months[-1:])
    return KcsPlan(requests, latest_loaded_hashes(con, SOURCE))


@task(name="extract-kcs-trade", cache_policy=NO_CACHE, task_run_name="kcs_trade {first_month}..")
def extract_kcs_trade(
    requests: list[kcs_trade.KcsRequest], first_month: str, base_url: str, settings: Settings
) -> list[LandedPayload]:
    """Fetch and land every page of the requests (one partner and year range)."""
    cfg = settings.kcs_trade
    policy = RetryPolicy(max_attempts=cfg.max_attempts, max_delay_s=cfg.max_backoff_s)
    key = cfg.api_key_value()
    landed: list[LandedPayload] = []
    with httpx.Client(timeout=cfg.timeout_s) as client:
        for request in requests:
            landed += kcs_trade.fetch(client, base_url=base_url, api_key=key, request=request,
                                      landing_dir=settings.landing_dir, policy=policy)
    return landed


def extract(plan_: KcsPlan, settings: Settings, today: dt.date) -> tuple[int, list[tuple[LandedPayload, PayloadKind]]]:
    """(payloads fetched, those not loaded before with the same content, with their kind)."""
    if not plan_.requests:
        return 0, []
    groups: dict[tuple[str | None, str], list[kcs_trade.KcsRequest]] = {}
    for request in plan_.requests:
        groups.setdefault((request.partner, request.first_month), []).append(request)
    fetched, new = 0, []
    with upstream_url(settings, today, "kcs-trade") as base_url:
        futures = [extract_kcs_trade.submit(group, key[1], base_url, settings) for key, group in groups.items()]
        for future in futures:
            for payload in future.result():
                fetched += 1
                if plan_.known.get(payload.request) != payload.file_hash:
                    new.append((payload, kind_for_payload(payload.source, payload.request)))
    return fetched, new
