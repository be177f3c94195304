"""Where each upstream is reached: the embedded demo server, or the configured (real) base URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from flows.demo.server import KCS_PREFIX, DemoUpstream, serve
from flows.settings import Settings


@contextmanager
def census_api_base_url(settings: Settings, today: dt.date) -> Iterator[str]:
    """The Census API base URL to use for this run; in demo mode a local server runs meanwhile."""
    if settings.upstream == "live":
        yield settings.census_api.base_url
        return
    with serve(DemoUpstream(today=today)) as (base_url, _state):
        yield base_url


@contextmanager
def comtrade_api_base_url(settings: Settings, today: dt.date) -> Iterator[str]:
    """The Comtrade API root URL for this run; in demo mode a local server runs meanwhile."""
    if settings.upstream == "live":
        yield settings.comtrade.base_url
        return
    with serve(DemoUpstream(today=today)) as (base_url, _state):
        yield base_url.removesuffix("/data")


@contextmanager
def kcs_trade_base_url(settings: Settings, today: dt.date) -> Iterator[str]:
    """The KCS ``nitemtrade`` service URL for this run; in demo mode a local server runs meanwhile."""
    if settings.upstream == "live":
        yield settings.kcs_trade.base_url
        return
    with serve(DemoUpstream(today=today)) as (base_url, _state):
        yield base_url.removesuffix("/data") + KCS_PREFIX.rstrip("/")
