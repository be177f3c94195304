"""UN Comtrade API v1: final annual and monthly goods data (``/C/{A|M}/HS``, HS as reported).

Keyed calls go to ``/data/v1/get`` with the key in the ``Ocp-Apim-Subscription-Key`` header (never in
the URL, so never in a log, an error or the landing manifest); without a key the keyless preview
(``/public/v1/preview``) is used. ``partner2Code=0``, ``motCode=0`` and ``customsCode=C00`` are
always sent so that only aggregates come back. Queries are split (by period, then reporter,
partner, flow, commodity) until their expected size fits the record cap (500 preview, 250,000
keyed; 12 periods at most), and a response that reaches the cap anyway is split again. 429s
("Try again in N seconds") are retried by :mod:`flows.sources.http`. The API's "no data" answer is
a 200 envelope with ``count`` 0 and an empty ``data`` list; any other answer (an empty body, 204,
a redirect) is an error naming the request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import polars as pl

from flows.sources.files import UnreadableFileError, json_document
from flows.sources.http import RejectedRequest, RetryPolicy, UpstreamError, excerpt, get_with_retries, is_html
from flows.sources.landing import LandedPayload, land_bytes
from flows.sources.redaction import register_secret
from schemas.columns import ROW_COLUMN

SOURCE = "comtrade"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
CAPS = {"preview": 500, "keyed": 250_000}
PATHS = {"preview": "public/v1/preview", "keyed": "data/v1/get"}
AGGREGATES_ONLY = {"partner2Code": "0", "motCode": "0", "customsCode": "C00"}
MAX_PERIODS = 12
CHAPTERS_PER_AG2 = 97
SPLIT_ORDER = ("periods", "reporters", "partners", "flows", "cmd_codes")


@dataclass(frozen=True)
class ComtradeQuery:
    """One API call: reporters x partners x flows x commodity codes x periods of one frequency."""

    freq: str
    reporters: tuple[str, ...]
    partners: tuple[str, ...]
    periods: tuple[str, ...]
    flows: tuple[str, ...] = ("M", "X")
    cmd_codes: tuple[str, ...] = ("TOTAL", "AG2")

    def params(self) -> dict[str, str]:
        return {
            "reporterCode": ",".join(self.reporters),
            "partnerCode": ",".join(self.partners),
            "period": ",".join(self.periods),
            "flowCode": ",".join(self.flows),
            "cmdCode": ",".join(self.cmd_codes),
            **AGGREGATES_ONLY,
        }

    def expected_records(self) -> int:
        commodities = sum(CHAPTERS_PER_AG2 if c == "AG2" else 1 for c in self.cmd_codes)
        return len(self.reporters) * len(self.partners) * len(self.flows) * len(self.periods) * commodities

    def split(self) -> list[ComtradeQuery]:
        """Two queries covering this one, cut along the first dimension with more than one value."""
        for name in SPLIT_ORDER:
            values = getattr(self, name)
            if len(values) > 1:
                half = len(values) // 2
                return [
                    dataclasses.replace(self, **{name: values[:half]}),
                    dataclasses.replace(self, **{name: values[half:]}),
                ]
        return [self]


def plan(query: ComtradeQuery, cap: int) -> list[ComtradeQuery]:
    """``query`` split until each part expects at most ``cap`` records and 12 periods."""
    if query.expected_records() <= cap and len(query.periods) <= MAX_PERIODS:
        return [query]
    parts = query.split()
    if len(parts) == 1:
        return parts  # cannot be cut further; the cap check on the response reports it
    return [q for part in parts for q in plan(part, cap)]


def nightly_queries(
    *,
    frequencies: list[str],
    reporters: list[str],
    partners: list[str],
    cmd_codes: list[str],
    first_year: int,
    today: dt.date,
) -> list[ComtradeQuery]:
    """One query per frequency for every year (A) or month (M) from ``first_year`` to today; periods
    not published yet come back empty. Splitting to the caps happens in :func:`plan`."""
    years = [str(y) for y in range(first_year, today.year + 1)]
    months = [
        f"{y}{m:02d}"
        for y in range(first_year, today.year + 1)
        for m in range(1, 13)
        if (y, m) <= (today.year, today.month)
    ]
    return [
        ComtradeQuery(
            freq,
            tuple(reporters),
            tuple(partners),
            tuple(years if freq == "A" else months),
            cmd_codes=tuple(cmd_codes),
        )
        for freq in frequencies
    ]


def check_body(response: httpx.Response) -> None:
    """A v1 envelope whose ``count`` matches its ``data``; a non-empty ``error`` or an HTML page
    fails at once."""
    if is_html(response):
        raise RejectedRequest(f"got an HTML page instead of data: {excerpt(response)!r}")
    try:
        body = json.loads(response.content)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at byte {exc.pos})") from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ValueError("not a Comtrade v1 envelope with a 'data' list")
    if body.get("error"):
        raise RejectedRequest(f"Comtrade says: {str(body['error'])[:200]}")
    if body.get("count", len(body["data"])) != len(body["data"]):
        raise ValueError(f"count {body.get('count')} but {len(body['data'])} records")


def fetch(
    client: httpx.Client,
    *,
    base_url: str,
    query: ComtradeQuery,
    access: str,
    landing_dir: Path,
    policy: RetryPolicy,
) -> list[LandedPayload]:
    """Fetch ``query`` (split again while a response reaches the cap) and land each non-empty response.

    ``client`` carries the key header for keyed access; it is never part of what is recorded.
    """
    path = f"{PATHS[access]}/C/{query.freq}/HS"
    url = f"{base_url.rstrip('/')}/{path}"
    response = get_with_retries(
        client, url, query.params(), source=SOURCE, secret_headers=(KEY_HEADER,), policy=policy, validate=check_body
    )
    count = len(json.loads(response.content)["data"])
    if count >= CAPS[access]:
        parts = query.split()
        if len(parts) == 1:
            raise UpstreamError(
                SOURCE,
                f"{path}?{urlencode(query.params(), safe=',')}",
                f"a single-period query returned the {access} cap of {CAPS[access]} records",
            )
        return [
            p
            for part in parts
            for p in fetch(
                client, base_url=base_url, query=part, access=access, landing_dir=landing_dir, policy=policy
            )
        ]
    if count == 0:
        return []
    request = f"{path}?{urlencode(query.params(), safe=',')}"
    return [
        land_bytes(
            landing_dir, source=SOURCE, request=request, content=response.content, suffix=".json", rows=count
        )
    ]


def client(api_key: str | None, timeout_s: float) -> tuple[httpx.Client, str]:
    """An HTTP client (with the key header when keyed) and the access kind it uses; redirects are
    never followed (the HTTP layer reports them)."""
    register_secret(api_key)
    if api_key:
        return httpx.Client(timeout=timeout_s, headers={KEY_HEADER: api_key}, follow_redirects=False), "keyed"
    return httpx.Client(timeout=timeout_s, follow_redirects=False), "preview"


def read_payload(path: Path) -> pl.DataFrame:
    """A landed v1 response's ``data`` as text columns (numbers keep their JSON text, booleans
    become true/false) plus ``source_row`` (1-based record index)."""
    path = Path(path)
    body = json_document(path.read_bytes(), path.name, parse_float=str, parse_int=str, parse_constant=str)
    records = body.get("data") if isinstance(body, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise UnreadableFileError(path.name, "expected an object with a 'data' list of records")
    names: list[str] = []
    for record in records:
        names += [k for k in record if k not in names]

    def text(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    frame = pl.DataFrame(
        {name: [text(r.get(name)) for r in records] for name in names}, schema={n: pl.String for n in names}
    )
    return frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW_COLUMN))
