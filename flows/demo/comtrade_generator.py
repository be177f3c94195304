"""Deterministic generator of UN Comtrade API v1 records (``/data/v1/get/C/{A|M}/HS``).

Synthetic but shaped like the real data: the USA (842) and Korea (410) report their trade with each
other and with the World (0), plus a few other partners; TOTAL and every HS chapter (chapters add
up to TOTAL exactly), imports at CIF with an FOB value beside, exports at FOB. Annual records for a
year are the sum of its months. Records use the v1 field names, the same as the CSV download.
"""

from __future__ import annotations

import hashlib
import json

# reporter code -> (ISO3, name, {partner code: (exports, imports) in billions USD per year around 2022})
REPORTERS: dict[str, tuple[str, str, dict[str, tuple[float, float]]]] = {
    "842": (
        "USA",
        "USA",
        {
            "0": (2060.0, 3240.0),
            "410": (71.5, 115.3),
            "124": (356.0, 437.0),
            "156": (154.0, 537.0),
            "392": (80.0, 148.0),
        },
    ),
    "410": (
        "KOR",
        "Rep. of Korea",
        {"0": (684.0, 731.0), "842": (110.0, 73.0), "156": (156.0, 154.0), "392": (30.0, 55.0)},
    ),
}
PARTNERS = {
    "0": ("W00", "World"),
    "410": ("KOR", "Rep. of Korea"),
    "842": ("USA", "USA"),
    "124": ("CAN", "Canada"),
    "156": ("CHN", "China"),
    "392": ("JPN", "Japan"),
}
CHAPTERS = [f"{c:02d}" for c in range(1, 98) if c != 77]
CIF_MARKUP = 1.048
FIELDS = [
    "typeCode",
    "freqCode",
    "refPeriodId",
    "refYear",
    "refMonth",
    "period",
    "reporterCode",
    "reporterISO",
    "reporterDesc",
    "flowCode",
    "flowDesc",
    "partnerCode",
    "partnerISO",
    "partnerDesc",
    "partner2Code",
    "partner2ISO",
    "partner2Desc",
    "classificationCode",
    "classificationSearchCode",
    "isOriginalClassification",
    "cmdCode",
    "cmdDesc",
    "aggrLevel",
    "isLeaf",
    "customsCode",
    "customsDesc",
    "mosCode",
    "motCode",
    "motDesc",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "qty",
    "isQtyEstimated",
    "altQtyUnitCode",
    "altQtyUnitAbbr",
    "altQty",
    "isAltQtyEstimated",
    "netWgt",
    "isNetWgtEstimated",
    "grossWgt",
    "isGrossWgtEstimated",
    "cifvalue",
    "fobvalue",
    "primaryValue",
    "legacyEstimationFlag",
    "isReported",
    "isAggregate",
]


def _noise(*parts: object) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def classification(year: int) -> str:
    """The HS edition a reporter used that year (H4 = HS2012, H5 = HS2017, H6 = HS2022)."""
    return "H6" if year >= 2022 else "H5" if year >= 2017 else "H4"


def month_value(reporter: str, partner: str, flow: str, year: int, month: int) -> int:
    """TOTAL trade of one month in USD (FOB for exports, customs/FOB base for imports)."""
    exports, imports = REPORTERS[reporter][2][partner]
    annual = (exports if flow == "X" else imports) * 1e9
    trend = 1.0 + 0.04 * (year - 2022) + 0.05 * (_noise(reporter, partner, flow, year) - 0.5)
    season = 1.0 + 0.08 * (_noise(reporter, partner, flow, year, month) - 0.5)
    return int(annual / 12 * trend * season)


def chapter_split(total: int, reporter: str, partner: str, flow: str) -> dict[str, int]:
    """``total`` split over the chapters with stable weights; the parts add up to ``total`` exactly."""
    weights = {c: 0.2 + _noise(reporter, partner, flow, c) ** 3 for c in CHAPTERS}
    scale = total / sum(weights.values())
    parts = {c: int(w * scale) for c, w in weights.items()}
    parts[CHAPTERS[-1]] += total - sum(parts.values())
    return parts


def _record(
    reporter: str, partner: str, flow: str, freq: str, year: int, month: int | None, cmd: str, fob: int,
    breakdown: str | None,
) -> dict[str, object]:
    """One Comtrade API record as the API writes it (a second partner when ``breakdown``)."""
    iso, name, _ = REPORTERS[reporter]
    cif = int(fob * CIF_MARKUP) if flow == "M" else None
    period = f"{year}" if month is None else f"{year}{month:02d}"
    second = breakdown or "0"
    return {
        "typeCode": "C",
        "freqCode": freq,
        "refPeriodId": int(f"{year}{month or 1:02d}01"),
        "refYear": year,
        "refMonth": month or 52,
        "period": period,
        "reporterCode": int(reporter),
        "reporterISO": iso,
        "reporterDesc": name,
        "flowCode": flow,
        "flowDesc": "Export" if flow == "X" else "Import",
        "partnerCode": int(partner),
        "partnerISO": PARTNERS[partner][0],
        "partnerDesc": PARTNERS[partner][1],
        "partner2Code": int(second),
        "partner2ISO": "W00" if second == "0" else PARTNERS[second][0],
        "partner2Desc": "World" if second == "0" else PARTNERS[second][1],
        "classificationCode": classification(year),
        "classificationSearchCode": "HS",
        "isOriginalClassification": True,
        "cmdCode": cmd,
        "cmdDesc": "All Commodities" if cmd == "TOTAL" else f"Chapter {cmd}",
        "aggrLevel": 0 if cmd == "TOTAL" else 2,
        "isLeaf": False,
        "customsCode": "C00",
        "customsDesc": "TOTAL CPC",
        "mosCode": "0",
        "motCode": 0,
        "motDesc": "TOTAL MOT",
        "qtyUnitCode": -1,
        "qtyUnitAbbr": "N/A",
        "qty": 0,
        "isQtyEstimated": False,
        "altQtyUnitCode": -1,
        "altQtyUnitAbbr": "N/A",
        "altQty": 0,
        "isAltQtyEstimated": False,
        "netWgt": 0,
        "isNetWgtEstimated": True,
        "grossWgt": 0,
        "isGrossWgtEstimated": False,
        "cifvalue": cif,
        "fobvalue": fob,
        "primaryValue": cif if flow == "M" else fob,
        "legacyEstimationFlag": 0,
        "isReported": True,
        "isAggregate": True,
    }


def _values(reporter: str, partner: str, flow: str, year: int, month: int | None) -> int:
    months = [month] if month is not None else range(1, 13)
    return sum(month_value(reporter, partner, flow, year, m) for m in months)


def records(freq: str, query: dict[str, str], last_published: tuple[int, int]) -> list[dict[str, object]]:
    """Every record answering ``query`` (the API's parameters), in a stable order. Periods after
    ``last_published`` (year, month) are not published; without partner2Code/motCode/customsCode
    the API adds one breakdown record per aggregate (here: by second partner)."""
    reporters = [r for r in query.get("reporterCode", "").split(",") if r in REPORTERS]
    flows = [f for f in query.get("flowCode", "M,X").split(",") if f in ("M", "X")]
    cmds = query.get("cmdCode", "TOTAL").split(",")
    breakdowns = not all(k in query for k in ("partner2Code", "motCode", "customsCode"))
    out: list[dict[str, object]] = []
    for period in query.get("period", "").split(","):
        if not period.isdigit() or len(period) != (4 if freq == "A" else 6):
            continue
        year, month = int(period[:4]), (int(period[4:]) if freq == "M" else None)
        if (year, month or 12) > last_published:
            continue
        for reporter in reporters:
            known = REPORTERS[reporter][2]
            wanted = query.get("partnerCode")
            partners = [p for p in (wanted.split(",") if wanted else known) if p in known]
            for partner in partners:
                for flow in flows:
                    total = _values(reporter, partner, flow, year, month)
                    split = chapter_split(total, reporter, partner, flow)
                    for cmd in cmds:
                        codes = ["TOTAL"] if cmd == "TOTAL" else CHAPTERS if cmd == "AG2" else [cmd]
                        for code in codes:
                            value = total if code == "TOTAL" else split.get(code)
                            if value is None:
                                continue
                            out.append(_record(reporter, partner, flow, freq, year, month, code, value, None))
                            if breakdowns:
                                out.append(
                                    _record(
                                        reporter, partner, flow, freq, year, month, code, value // 3, "156"
                                    )
                                )
    return out


def response_body(data: list[dict[str, object]], *, error: str = "") -> bytes:
    """The v1 response envelope."""
    return json.dumps({"elapsedTime": "0.1 secs", "count": len(data), "data": data, "error": error}).encode()
