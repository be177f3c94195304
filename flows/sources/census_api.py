"""US Census Bureau international trade API: ``timeseries/intltrade/{exports,imports}/hs``.

One request per direction and month ("paging by month"), all countries, at one HS level. The key
goes in the ``key`` query parameter (the API accepts no header) and is redacted from everything
recorded. HTTP 204 means the month is not published yet. An HTML page served with status 200 (the
API's "missing/invalid key" page) is an error, not data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import polars as pl

from flows.sources.http import RejectedRequest, RetryPolicy, get_with_retries
from flows.sources.landing import LandedPayload, land_bytes
from schemas.validation import ROW_COLUMN

SOURCE = "census_api"
ENDPOINTS = {
    "export": "timeseries/intltrade/exports/hs",
    "import": "timeseries/intltrade/imports/hs",
}
VARIABLES = {
    "export": ["CTY_CODE", "CTY_NAME", "E_COMMODITY", "E_COMMODITY_LDESC", "ALL_VAL_MO", "QTY_1_MO", "UNIT_QY1"],
    "import": [
        "CTY_CODE", "CTY_NAME", "I_COMMODITY", "I_COMMODITY_LDESC",
        "GEN_VAL_MO", "CON_VAL_MO", "GEN_CIF_MO", "GEN_QY1_MO", "UNIT_QY1",
    ],
}
SECRET_PARAMS = ("key",)


@dataclass(frozen=True)
class CensusRequest:
    direction: str
    month: str
    hs_level: str

    def params(self, api_key: str | None) -> dict[str, str]:
        params = {"get": ",".join(VARIABLES[self.direction]), "COMM_LVL": self.hs_level, "time": self.month}
        if api_key:
            params["key"] = api_key
        return params


def check_body(response: httpx.Response) -> None:
    """Reject HTML error pages; make sure a 200 body is a complete JSON array of arrays."""
    if response.status_code == 204 or not response.content:
        return
    head = response.content[:200].lstrip().lower()
    content_type = response.headers.get("content-type", "")
    if head.startswith((b"<!doctype", b"<html", b"<")) or "html" in content_type:
        title = response.text[:300].replace("\n", " ")
        raise RejectedRequest(
            f"got an HTML page instead of data (is the API key missing or invalid?): {title[:120]!r}"
        )
    data = json.loads(response.content)
    if not isinstance(data, list) or not data or not all(isinstance(r, list) for r in data):
        raise ValueError("response is not a JSON array of arrays")
    width = len(data[0])
    if any(len(r) != width for r in data):
        raise ValueError("rows of unequal length")


def fetch_month(
    client: httpx.Client,
    *,
    base_url: str,
    api_key: str | None,
    request: CensusRequest,
    landing_dir: Path,
    policy: RetryPolicy,
) -> LandedPayload | None:
    """Fetch one month and land it; None when the month is not published yet (HTTP 204)."""
    url = f"{base_url.rstrip('/')}/{ENDPOINTS[request.direction]}"
    params = request.params(api_key)
    response = get_with_retries(
        client, url, params, source=SOURCE, secret_params=SECRET_PARAMS, policy=policy, validate=check_body
    )
    if response.status_code == 204 or not response.content:
        return None
    rows = len(json.loads(response.content)) - 1
    shown = request.params(None)
    return land_bytes(
        landing_dir,
        source=SOURCE,
        request=f"{ENDPOINTS[request.direction]}?" + "&".join(f"{k}={v}" for k, v in shown.items()),
        content=response.content,
        suffix=".json",
        rows=rows,
    )


def read_payload(path: Path) -> pl.DataFrame:
    """A landed response as a frame of text columns plus ``source_row`` (header = row 0).

    The API repeats a variable used both in ``get`` and as a predicate; repeats are dropped.
    """
    data = json.loads(Path(path).read_bytes())
    header, rows = data[0], data[1:]
    keep = [i for i, name in enumerate(header) if name not in header[:i]]
    columns = {header[i]: [None if r[i] is None else str(r[i]) for r in rows] for i in keep}
    frame = pl.DataFrame(columns, schema={header[i]: pl.String for i in keep})
    return frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW_COLUMN))
