"""US Census Bureau international trade API: ``timeseries/intltrade/{exports,imports}/hs``.

One request per direction and month ("paging by month"), all countries, at one HS level. The key
goes in the ``key`` query parameter (the API accepts no header) and is redacted from everything
recorded. HTTP 204 with an empty body, the API's documented "no data" answer, means the month is
not published yet; nothing else does. A redirect (the API's answer to a missing or invalid key: 302
to an HTML page, never followed), an empty 200, an HTML page served with status 200 or any other
status is an error naming the request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx
import polars as pl

from flows.sources.files import UnreadableFileError, check_header, csv_rows
from flows.sources.http import RejectedRequest, RetryPolicy, UpstreamError, get_with_retries
from flows.sources.landing import LandedPayload, land_bytes
from schemas.columns import ROW_COLUMN

SOURCE = "census_api"
ENDPOINTS = {
    "export": "timeseries/intltrade/exports/hs",
    "import": "timeseries/intltrade/imports/hs",
}
VARIABLES = {
    "export": ["CTY_CODE", "CTY_NAME", "E_COMMODITY", "E_COMMODITY_LDESC", "ALL_VAL_MO", "QTY_1_MO", "UNIT_QY1"],
    "import": [
        "CTY_CODE", "CTY_NAME", "I_COMMODITY", "I_COMMODITY_LDESC",
        "GEN_VAL_MO", "CON_VAL_MO", "GEN_CIF_MO", "CAL_DUT_MO", "DUT_VAL_MO", "GEN_QY1_MO", "UNIT_QY1",
    ],
}
SECRET_PARAMS = ("key",)
NO_DATA_STATUSES = frozenset({204})
"""The API's answer for a query with no data (a month not published yet): 204 No Content."""


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

    def landing_request(self) -> str:
        """The request as recorded in the landing manifest (endpoint and parameters, no key)."""
        return f"{ENDPOINTS[self.direction]}?" + "&".join(f"{k}={v}" for k, v in self.params(None).items())


def check_body(response: httpx.Response) -> None:
    """Reject HTML error pages; make sure a 200 body is a complete JSON array of arrays."""
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
    """Fetch one month and land it; None when the month is not published yet (HTTP 204, empty)."""
    url = f"{base_url.rstrip('/')}/{ENDPOINTS[request.direction]}"
    params = request.params(api_key)
    response = get_with_retries(
        client, url, params, source=SOURCE, secret_params=SECRET_PARAMS, policy=policy, validate=check_body,
        no_data_statuses=NO_DATA_STATUSES,
    )
    if response.status_code in NO_DATA_STATUSES:
        return None
    rows = len(json.loads(response.content)) - 1
    return land_bytes(
        landing_dir,
        source=SOURCE,
        request=request.landing_request(),
        content=response.content,
        suffix=".json",
        rows=rows,
    )


def fetch_months(
    client: httpx.Client,
    *,
    base_url: str,
    api_key: str | None,
    requests: list[CensusRequest],
    landing_dir: Path,
    policy: RetryPolicy,
    published_through: str | None = None,
) -> list[LandedPayload]:
    """Fetch and land consecutive months (oldest first); months not published yet are skipped.

    An empty result (HTTP 204) for a month that should have data is an error, not a gap: a month
    up to ``published_through`` (already loaded once), or one before a month that has data.
    Payloads landed before the error stay in landing.
    """
    landed: list[LandedPayload] = []
    empty: list[CensusRequest] = []
    for request in requests:
        payload = fetch_month(
            client, base_url=base_url, api_key=api_key, request=request, landing_dir=landing_dir, policy=policy
        )
        if payload is None:
            if published_through is not None and request.month <= published_through:
                raise UpstreamError(
                    SOURCE, request.landing_request(),
                    f"empty result (HTTP 204) for {request.month}, a month already published and loaded "
                    f"(data is loaded through {published_through})",
                )
            empty.append(request)
            continue
        if empty:
            raise UpstreamError(
                SOURCE, empty[0].landing_request(),
                f"empty result (HTTP 204) for {empty[0].month}, although the later month {request.month} has data",
            )
        landed.append(payload)
    return landed


def read_payload(path: Path) -> pl.DataFrame:
    """A landed response as a frame of text columns plus ``source_row`` (header = row 0).

    DuckDB parses the JSON (in memory, far faster than Python's json for large responses). The API
    repeats a variable used both in ``get`` and as a predicate: a repeated name whose copies hold the
    same value in every row is kept once; copies that differ anywhere refuse the payload (no copy is
    guessed to be the right one).
    """
    path = Path(path)
    # records = false: each element is read as a row's array, as declared (twice as fast as letting
    # DuckDB look for objects first). The same rows; rows written as objects are refused as not an
    # array of arrays, and a cell nested past DuckDB's 128 levels is kept as its JSON text, like any
    # other nested cell (it refused the whole payload before); the raw model judges such a cell
    scan = f"read_json('{_sql_text(path)}', format = 'array', records = false, columns = {{'json': 'VARCHAR[]'}})"
    with duckdb.connect() as con:  # a module-level cache would keep DuckDB alive past exit (test_exit_clean)
        try:
            rows = con.sql(f"SELECT json FROM {scan}").pl()  # one parse; polars splits the fields
        except duckdb.Error as exc:
            raise UnreadableFileError(path.name, f"not a JSON array of arrays ({str(exc).splitlines()[0]})") from None
    header: list[str] | None = rows.item(0, 0).to_list() if rows.height and rows.item(0, 0) is not None else None
    if not header:
        raise UnreadableFileError(path.name, "no header row")
    body = rows.slice(1)
    ragged = body.filter(pl.col("json").list.len() != len(header)).height
    if ragged:
        raise UnreadableFileError(path.name, f"{ragged} rows do not have the header's {len(header)} fields")
    keep = [i for i, name in enumerate(header) if name not in header[:i]]
    for i in (i for i in range(len(header)) if i not in keep):
        first = header.index(header[i])
        differ = body.with_row_index("__row").filter(pl.col("json").list.get(i).ne_missing(pl.col("json").list.get(first)))
        if differ.height:
            row = differ.item(0, "__row") + 1
            raise UnreadableFileError(
                path.name, f"column {header[i]!r} appears more than once in the header and its copies differ "
                f"(row {row}); refused, no copy is guessed",
            )
    return body.select(
        *(pl.col("json").list.get(i).alias(header[i]) for i in keep),
        pl.int_range(1, body.height + 1, dtype=pl.Int64).alias(ROW_COLUMN),
    )


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def read_file(path: Path) -> pl.DataFrame:
    """An API extract saved as CSV (one column per variable) as text columns plus ``source_row``
    (line number, header = 1). Extracts that kept ``YEAR`` and ``MONTH`` instead of ``time`` get
    ``time`` = YEAR-MONTH, the value the API's ``time`` predicate takes."""
    path = Path(path)
    rows = list(csv_rows(path))
    if not rows or not any(rows[0]):
        raise UnreadableFileError(path.name, "the file is empty")
    header = [h.strip() for h in rows[0]]
    check_header(path.name, header)
    body, lines = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problem = f"line {line} has {len(row)} fields, the header has {len(header)}"
            raise UnreadableFileError(path.name, problem)
        body.append([c.strip() or None for c in row])
        lines.append(line)
    frame = pl.DataFrame(
        {name: [r[i] for r in body] for i, name in enumerate(header)}, schema={n: pl.String for n in header}
    )
    if "time" not in frame.columns and {"YEAR", "MONTH"} <= set(frame.columns):
        frame = frame.with_columns(pl.format("{}-{}", pl.col("YEAR"), pl.col("MONTH").str.zfill(2)).alias("time"))
    return frame.with_columns(pl.Series(ROW_COLUMN, lines, dtype=pl.Int64))
