"""Where each upstream is reached: the embedded demo server, or the configured (real) base URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flows.demo.server import KCS_PREFIX, DemoUpstream, serve
from flows.settings import Settings

# upstream: (its configured live URL, its URL on the demo server from the server's base URL)
_UPSTREAMS: dict[str, tuple[Callable[[Settings], str], Callable[[str], str]]] = {
    "census-api": (lambda s: s.census_api.base_url, lambda url: url),
    "comtrade-api": (lambda s: s.comtrade.base_url, lambda url: url.removesuffix("/data")),
    "kcs-trade": (lambda s: s.kcs_trade.base_url, lambda url: url.removesuffix("/data") + KCS_PREFIX.rstrip("/")),
}


@contextmanager
def upstream_url(settings: Settings, today: dt.date, upstream: str) -> Iterator[str]:
    """The base URL of ``upstream`` (census-api, comtrade-api or kcs-trade) for this run: the Census
    API, the Comtrade API root, the KCS ``nitemtrade`` service; in demo mode a local server runs meanwhile."""
    live, demo = _UPSTREAMS[upstream]
    if settings.upstream == "live":
        yield live(settings)
        return
    with serve(DemoUpstream(today=today)) as (demo_url, _state):
        yield demo(demo_url)
