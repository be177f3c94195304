"""Korea Customs Service trade by country and item: data.go.kr ``1220000/nitemtrade/getNitemtradeList``
("관세청_품목별 국가별 수출입실적(GW)").

What it is (the portal's description, https://www.data.go.kr/en/data/15100475/openapi.do and the
Korean service page of the same dataset): Korea's monthly trade by partner country and HS code (2,
4, 6 or 10 digits); imports valued CIF, exports FOB, in US dollars, weights net kg; the previous
month is revised around the 15th of each month (corrections and cancellations of declarations).

Request (query parameters, as public clients call it): ``serviceKey`` (the portal key), ``strtYymm``
and ``endYymm`` (YYYYMM, at most one year apart), ``hsSgn`` (an HS code: rows come back for codes
under it), ``cntyCd`` (ISO 3166 alpha-2 partner; optional, all partners when left out), and the
portal's paging ``numOfRows`` / ``pageNo``. Response: XML
``<response><header><resultCode>00</resultCode><resultMsg>..</resultMsg></header><body><items><item>``
with ``year`` ("YYYY.MM"; a total row says 총계), ``statCd`` (ISO2, "-" on the total row),
``statCdCntnKor1`` (partner name), ``hsCd``, ``statKor`` (item name), ``expDlr`` / ``impDlr``
(USD), ``expWgt`` / ``impWgt`` (kg) and ``balPayments`` (expDlr - impDlr), then ``numOfRows``,
``pageNo``, ``totalCount``. A failure is still HTTP 200: a ``resultCode`` other than 00 (03: no
data), or the gateway's ``<OpenAPI_ServiceResponse><cmmMsgHeader>`` envelope (``returnReasonCode``,
``returnAuthMsg``, e.g. 30 SERVICE_KEY_IS_NOT_REGISTERED_ERROR).

Field names and units were checked against public clients of the endpoint found with the code
search (Python and TypeScript scripts reading ``year``/``statCd``/``statCdCntnKor1``/``hsCd``/
``statKor``/``expDlr``/``impDlr``/``expWgt``/``impWgt``/``balPayments``, checking ``resultCode``
then ``returnReasonCode``, noting "impDlr already USD, impWgt already kg", skipping the 총계 row,
asking one hsSgn per HS chapter and at most 12 months per call).

The key goes in ``serviceKey`` (the API takes no header) and is redacted from everything recorded,
exactly as the Census key (``flows.sources.http``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import polars as pl

from flows.sources.files import UnreadableFileError
from flows.sources.http import RejectedRequest, RetryPolicy, get_with_retries
from flows.sources.landing import LandedPayload, land_bytes
from schemas.columns import ROW_COLUMN

SOURCE = "kcs_trade"
ENDPOINT = "getNitemtradeList"
SECRET_PARAMS = ("serviceKey",)
FIELDS = (
    "year", "statCd", "statCdCntnKor1", "hsCd", "statKor", "expDlr", "expWgt", "impDlr", "impWgt", "balPayments",
)
NO_DATA = "03"
MAX_MONTHS = 12


@dataclass(frozen=True)
class KcsRequest:
    """One page of one query: a partner (ISO2, or None for all), a month range, an HS code."""

    partner: str | None
    first_month: str
    last_month: str
    hs_code: str
    num_of_rows: int = 1000
    page: int = 1

    def params(self, api_key: str | None) -> dict[str, str]:
        params = {"strtYymm": self.first_month.replace("-", ""), "endYymm": self.last_month.replace("-", ""),
                  "hsSgn": self.hs_code}
        if self.partner:
            params["cntyCd"] = self.partner
        params |= {"numOfRows": str(self.num_of_rows), "pageNo": str(self.page)}
        if api_key:
            params["serviceKey"] = api_key
        return params

    def landing_request(self) -> str:
        """The request as the manifest records it (no key)."""
        return f"nitemtrade/{ENDPOINT}?" + "&".join(f"{k}={v}" for k, v in self.params(None).items())


def _parse(content: bytes) -> ET.Element:
    """The XML document; a DOCTYPE (never in a real response) or broken XML is a ValueError."""
    if b"<!DOCTYPE" in content[:500].upper():
        raise ValueError("XML with a DOCTYPE")
    try:
        return ET.fromstring(content)
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from None


def result_of(root: ET.Element) -> tuple[str, str]:
    """(result code, message) of a response or of the portal's gateway error envelope."""
    if root.tag == "OpenAPI_ServiceResponse":
        code = (root.findtext(".//returnReasonCode") or "?").strip()
        message = (root.findtext(".//returnAuthMsg") or root.findtext(".//errMsg") or "").strip()
        return code, message
    return (root.findtext("header/resultCode") or "").strip(), (root.findtext("header/resultMsg") or "").strip()


def check_body(response: httpx.Response) -> None:
    """Truncated or broken XML is retried (ValueError); an error result is refused at once."""
    content = response.content
    head = content[:200].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or "html" in response.headers.get("content-type", ""):
        raise RejectedRequest(f"got an HTML page instead of data: {response.text[:120]!r}")
    root = _parse(content)
    code, message = result_of(root)
    if code not in ("00", NO_DATA):
        raise RejectedRequest(f"the API answered resultCode {code!r}: {message[:160]!r}")
    if code == "00" and root.find("body") is None:
        raise ValueError("response without a body")


def _total_count(root: ET.Element) -> int | None:
    text = (root.findtext("body/totalCount") or "").strip()
    return int(text) if text.isdigit() else None


def fetch(
    client: httpx.Client,
    *,
    base_url: str,
    api_key: str | None,
    request: KcsRequest,
    landing_dir: Path,
    policy: RetryPolicy,
) -> list[LandedPayload]:
    """Fetch and land every page of a query (each page untouched, its own payload); a query with
    no data (resultCode 03, or no items) lands nothing."""
    url = f"{base_url.rstrip('/')}/{ENDPOINT}"
    landed: list[LandedPayload] = []
    page, seen = request, 0
    while True:
        response = get_with_retries(
            client, url, page.params(api_key), source=SOURCE, secret_params=SECRET_PARAMS, policy=policy,
            validate=check_body,
        )
        root = _parse(response.content)
        items = root.findall("body/items/item")
        if result_of(root)[0] == NO_DATA or not items:
            return landed
        landed.append(land_bytes(landing_dir, source=SOURCE, request=page.landing_request(),
                                 content=response.content, suffix=".xml", rows=len(items)))
        seen += len(items)
        total = _total_count(root)
        if (total is not None and seen >= total) or (total is None and len(items) < page.num_of_rows):
            return landed
        page = replace(page, page=page.page + 1)


def read_payload(path: Path) -> pl.DataFrame:
    """A landed response as text columns (one per item field) plus ``source_row`` (item number)."""
    path = Path(path)
    try:
        root = _parse(path.read_bytes())
    except ValueError as exc:
        raise UnreadableFileError(path.name, str(exc)) from None
    items = root.findall("body/items/item")
    if root.find("body") is None:
        raise UnreadableFileError(path.name, "no <body> in the response")
    names = list(FIELDS) + sorted({c.tag for item in items for c in item} - set(FIELDS))
    rows = [{c.tag: (c.text.strip() if c.text and c.text.strip() else None) for c in item} for item in items]
    present = [n for n in names if any(n in r for r in rows)]
    frame = pl.DataFrame({n: [r.get(n) for r in rows] for n in present}, schema={n: pl.String for n in present})
    return frame.with_columns(pl.int_range(1, len(rows) + 1, dtype=pl.Int64).alias(ROW_COLUMN))


def month_ranges(months: list[str]) -> list[tuple[str, str]]:
    """Consecutive months (oldest first) cut into calendar-year ranges of at most 12 months."""
    ranges: dict[str, list[str]] = {}
    for month in months:
        ranges.setdefault(month[:4], []).append(month)
    return [(chunk[0], chunk[-1]) for chunk in ranges.values()]
