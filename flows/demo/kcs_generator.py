"""Deterministic generator of Korea Customs Service ``getNitemtradeList`` responses (XML).

Korea's trade with the United States mirrors the Census generator's US trade with Korea: Korea's
imports CIF are the US exports FAS plus freight and insurance (3-8 %), Korea's exports FOB the US
imports at customs value within a few percent, so ``marts.mirror_flows`` shows realistic gaps.
Other partners get their own synthetic series. Month M is published from the 1st of M+1 and revised
on the 15th of M+1 (the provisional figures are 1-3 % lower: declarations filed late); older months
are final. An HS chapter code answers one row per partner and month at that chapter; a longer code
one row at that code (a stable share of its chapter).
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from flows.demo import census_generator
from flows.demo.census_generator import CHAPTERS, _noise

MIRROR_CODE = "5800"
"""The Census generator's code of the publisher's country: its series is the mirror of the US side."""
# ISO2 -> (Korean name, Korea's exports to it in 2015 in billions USD, imports from it); US mirrors Census
PARTNERS: dict[str, tuple[str, float, float]] = {
    "US": ("미국", 0.0, 0.0),
    "JP": ("일본", 25.6, 45.9),
    "CN": ("중국", 137.1, 90.3),
    "VN": ("베트남", 27.8, 9.8),
    "DE": ("독일", 6.2, 20.9),
}
REVISION_DAY = 15
RESULT_OK = ("00", "NORMAL SERVICE.")
NO_DATA = ("03", "NODATA_ERROR")
KEY_ENVELOPE = (
    "<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
    "<returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>"
    "<returnReasonCode>30</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>"
)


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[-2:]) - 1


def last_published(today: dt.date) -> int:
    """Index (year*12 + month-1) of the latest month out on ``today``: the previous month."""
    return today.year * 12 + today.month - 2


def is_provisional(month_index: int, today: dt.date) -> bool:
    """The previous month before the 15th: not revised yet."""
    return month_index == last_published(today) and today.day < REVISION_DAY


def chapter_values(partner: str, year: int, month: int) -> dict[str, tuple[int, int]]:
    """Final (exports FOB, imports CIF) in USD per HS chapter with ``partner`` in a month."""
    if partner == "US":
        us_exports = census_generator.partner_chapter_values("export", year, month)
        us_imports = census_generator.partner_chapter_values("import", year, month)
        out = {}
        for chapter in CHAPTERS:
            fas = us_exports[(MIRROR_CODE, chapter)]
            customs = us_imports[(MIRROR_CODE, chapter)]
            cif = int(fas * (1.03 + 0.05 * _noise("kcs-cif", chapter, year, month)))
            fob = int(customs * (0.97 + 0.05 * _noise("kcs-fob", chapter, year, month)))
            out[chapter] = (fob, cif)
        return out
    _, exports_bn, imports_bn = PARTNERS[partner]
    weights = {ch: (spec[1] + spec[2]) / 2 for ch, spec in CHAPTERS.items()}
    total = sum(weights.values())
    season = 0.94 + 0.12 * _noise("kcs", partner, year, month)
    growth = 1.0 + 0.03 * (year + (month - 1) / 12 - 2015)
    return {
        ch: (
            int(exports_bn * 1e9 / 12 * w / total * growth * season * (0.6 + 0.8 * _noise(partner, ch, "x"))),
            int(imports_bn * 1e9 / 12 * w / total * growth * season * (0.6 + 0.8 * _noise(partner, ch, "m"))),
        )
        for ch, w in weights.items()
    }


def items(query: dict[str, str], today: dt.date) -> list[dict[str, str]]:
    """Every item a query answers (the total row first), in the API's field names."""
    first, last = _month_index(query["strtYymm"]), _month_index(query["endYymm"])
    code = query.get("hsSgn", "")
    chapter = code[:2]
    partners = [query["cntyCd"]] if query.get("cntyCd") else list(PARTNERS)
    if chapter not in CHAPTERS or any(p not in PARTNERS for p in partners):
        return []
    share = 1.0 if len(code) == 2 else 0.05 + 0.3 * _noise("kcs-share", code)
    rows = []
    for index in range(first, min(last, last_published(today)) + 1):
        year, month = index // 12, index % 12 + 1
        factor = 0.97 + 0.02 * _noise("kcs-provisional", year, month) if is_provisional(index, today) else 1.0
        for partner in partners:
            exports, imports = (int(v * share * factor) for v in chapter_values(partner, year, month)[chapter])
            rows.append(_item(f"{year}.{month:02d}", partner, PARTNERS[partner][0], code, exports, imports))
    if not rows:
        return []
    total = _item("총계", "-", "-", "-", sum(int(r["expDlr"]) for r in rows), sum(int(r["impDlr"]) for r in rows))
    return [total, *rows]


def _item(year: str, partner: str, name: str, code: str, exports: int, imports: int) -> dict[str, str]:
    kg = 3.0 + 40 * _noise("kcs-kg", code)
    return {
        "balPayments": str(exports - imports),
        "expDlr": str(exports),
        "expWgt": str(int(exports / kg)),
        "hsCd": code,
        "impDlr": str(imports),
        "impWgt": str(int(imports / kg)),
        "statCd": partner,
        "statCdCntnKor1": name,
        "statKor": "-" if code == "-" else CHAPTERS[code[:2]][0].title(),
        "year": year,
    }


def response_body(result: tuple[str, str], page: list[dict[str, str]], num_of_rows: int, page_no: int,
                  total_count: int) -> bytes:
    """A whole response document as the portal writes it."""
    body = "".join(
        "<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in item.items()) + "</item>" for item in page
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"<response><header><resultCode>{result[0]}</resultCode><resultMsg>{result[1]}</resultMsg></header>"
        f"<body><items>{body}</items><numOfRows>{num_of_rows}</numOfRows><pageNo>{page_no}</pageNo>"
        f"<totalCount>{total_count}</totalCount></body></response>"
    ).encode()


def respond(query: dict[str, str], today: dt.date, key: str | None) -> bytes:
    """The body (always HTTP 200, as the portal) answering one query."""
    if key is not None and query.get("serviceKey") != key:
        return KEY_ENVELOPE.encode()
    try:
        span = _month_index(query["endYymm"]) - _month_index(query["strtYymm"])
        num_of_rows, page_no = int(query.get("numOfRows", "10")), int(query.get("pageNo", "1"))
    except (KeyError, ValueError):
        return response_body(("10", "INVALID_REQUEST_PARAMETER_ERROR"), [], 0, 0, 0)
    if not 0 <= span < 12 or num_of_rows < 1 or page_no < 1:
        return response_body(("10", "INVALID_REQUEST_PARAMETER_ERROR"), [], 0, 0, 0)
    found = items(query, today)
    if not found:
        return response_body(NO_DATA, [], num_of_rows, page_no, 0)
    page = found[(page_no - 1) * num_of_rows: page_no * num_of_rows]
    return response_body(RESULT_OK, page, num_of_rows, page_no, len(found))
