"""Deterministic generator of Census international trade API responses (``intltrade/*/hs``).

Values are synthetic but shaped like the real series (US trade with Korea, Canada, Mexico, China,
Japan, Germany, ... by HS chapter, with seasonality and a trend), so the demo tells a plausible
story without any downloaded data. The same (direction, month, level) always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math

# (Census code, Census API name, US exports to it in 2015 in billions USD, US imports from it)
PARTNERS: tuple[tuple[str, str, float, float], ...] = (
    ("5800", "KOREA, SOUTH", 43.5, 71.8),
    ("1220", "CANADA", 280.0, 296.0),
    ("2010", "MEXICO", 236.0, 295.0),
    ("5700", "CHINA", 116.0, 483.0),
    ("5880", "JAPAN", 62.0, 131.0),
    ("4280", "GERMANY", 50.0, 125.0),
    ("4120", "UNITED KINGDOM", 56.0, 58.0),
    ("5830", "TAIWAN", 26.0, 40.0),
    ("5330", "INDIA", 21.0, 45.0),
    ("4279", "FRANCE", 30.0, 47.0),
    ("3510", "BRAZIL", 32.0, 27.0),
    ("5590", "SINGAPORE", 28.0, 18.0),
)
OTHER_SHARE = 0.35
"""Trade with countries not listed, as a share of the listed total (goes into the World row)."""

# HS chapter -> (description, export weight, import weight)
CHAPTERS: dict[str, tuple[str, float, float]] = {
    "02": ("MEAT AND EDIBLE MEAT OFFAL", 1.2, 0.3),
    "03": ("FISH AND CRUSTACEANS, MOLLUSCS AND OTHER AQUATIC INVERTEBRATES", 0.6, 0.8),
    "10": ("CEREALS", 1.4, 0.1),
    "12": ("OIL SEEDS AND OLEAGINOUS FRUITS; MISCELLANEOUS GRAINS, SEEDS AND FRUIT", 1.6, 0.1),
    "22": ("BEVERAGES, SPIRITS AND VINEGAR", 0.3, 0.6),
    "27": ("MINERAL FUELS, MINERAL OILS AND PRODUCTS OF THEIR DISTILLATION", 6.0, 7.0),
    "29": ("ORGANIC CHEMICALS", 2.0, 1.8),
    "30": ("PHARMACEUTICAL PRODUCTS", 2.5, 4.0),
    "39": ("PLASTICS AND ARTICLES THEREOF", 3.0, 2.0),
    "40": ("RUBBER AND ARTICLES THEREOF", 0.6, 1.5),
    "48": ("PAPER AND PAPERBOARD", 0.8, 0.6),
    "52": ("COTTON", 0.6, 0.2),
    "54": ("MAN-MADE FILAMENTS", 0.2, 0.3),
    "61": ("ARTICLES OF APPAREL AND CLOTHING ACCESSORIES, KNITTED OR CROCHETED", 0.1, 1.5),
    "62": ("ARTICLES OF APPAREL AND CLOTHING ACCESSORIES, NOT KNITTED OR CROCHETED", 0.1, 1.3),
    "72": ("IRON AND STEEL", 0.8, 1.6),
    "73": ("ARTICLES OF IRON OR STEEL", 1.0, 1.4),
    "84": ("NUCLEAR REACTORS, BOILERS, MACHINERY AND MECHANICAL APPLIANCES", 12.0, 14.0),
    "85": ("ELECTRICAL MACHINERY AND EQUIPMENT AND PARTS THEREOF", 9.0, 14.0),
    "87": ("VEHICLES OTHER THAN RAILWAY OR TRAMWAY ROLLING STOCK", 7.0, 13.0),
    "88": ("AIRCRAFT, SPACECRAFT, AND PARTS THEREOF", 6.0, 1.5),
    "90": ("OPTICAL, PHOTOGRAPHIC, MEDICAL OR SURGICAL INSTRUMENTS", 5.0, 3.5),
    "94": ("FURNITURE; BEDDING, MATTRESSES; LAMPS; PREFABRICATED BUILDINGS", 0.6, 2.5),
    "95": ("TOYS, GAMES AND SPORTS REQUISITES", 0.3, 1.6),
    "98": ("SPECIAL CLASSIFICATION PROVISIONS, NESOI", 2.0, 1.0),
}
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("0003", "EUROPEAN UNION", ("4280", "4279")),
    ("5XXX", "ASIA", ("5800", "5700", "5880", "5830", "5330", "5590")),
)
EXPORT_FIELDS = ["CTY_CODE", "CTY_NAME", "E_COMMODITY", "E_COMMODITY_LDESC", "ALL_VAL_MO", "QTY_1_MO", "UNIT_QY1"]
IMPORT_FIELDS = [
    "CTY_CODE", "CTY_NAME", "I_COMMODITY", "I_COMMODITY_LDESC",
    "GEN_VAL_MO", "CON_VAL_MO", "GEN_CIF_MO", "CAL_DUT_MO", "DUT_VAL_MO", "GEN_QY1_MO", "UNIT_QY1",
]


def _noise(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) from the parts."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _trend(code: str, direction: str, year: int, month: int) -> float:
    """Multiplier relative to 2015: growth, a dip in 2009 and 2020, seasonality, noise."""
    t = year + (month - 1) / 12 - 2015
    growth = 1.0 + 0.035 * t
    if code == "5800" and direction == "import":
        growth = 1.0 + 0.07 * t  # imports from Korea grew fastest after KORUS (2012)
    shock = 0.82 if (year == 2020 and 3 <= month <= 8) or year == 2009 else 1.0
    season = 1.0 + 0.06 * math.sin(2 * math.pi * (month - 3) / 12)
    return max(0.2, growth) * shock * season * (0.93 + 0.14 * _noise(code, direction, year, month))


def partner_chapter_values(direction: str, year: int, month: int) -> dict[tuple[str, str], int]:
    """Monthly value in USD for each (Census country code, HS chapter)."""
    side = 2 if direction == "export" else 3
    weights = {ch: spec[side - 1] for ch, spec in CHAPTERS.items()}
    total_weight = sum(weights.values())
    values = {}
    for partner in PARTNERS:
        code, annual_bn = partner[0], partner[side]
        monthly = annual_bn * 1e9 / 12 * _trend(code, direction, year, month)
        for chapter, weight in weights.items():
            tilt = 0.6 + 0.8 * _noise(code, chapter, direction)
            values[(code, chapter)] = int(monthly * weight / total_weight * tilt)
    return values


def response_rows(direction: str, month: str, hs_level: str) -> list[list[str]]:
    """Header plus data rows of one response (HS2 only; other levels are an empty result)."""
    fields = EXPORT_FIELDS if direction == "export" else IMPORT_FIELDS
    header = [*fields, "COMM_LVL", "time"]
    if hs_level != "HS2":
        return [header]
    year, mon = int(month[:4]), int(month[5:7])
    values = partner_chapter_values(direction, year, mon)
    names = {p[0]: p[1] for p in PARTNERS}
    rows: list[list[str]] = []

    def row(code: str, name: str, chapter: str, value: int) -> list[str]:
        desc = CHAPTERS[chapter][0]
        if direction == "export":
            return [code, name, chapter, desc, str(value), "0", "-", hs_level, month]
        cif = int(value * (1.04 + 0.02 * _noise(code, chapter, month)))
        consumption = int(value * (0.97 + 0.02 * _noise(chapter, code, month)))
        dutiable = int(consumption * (0.25 + 0.2 * _noise(code, month, chapter)))
        duty = int(dutiable * (0.03 + 0.04 * _noise(month, chapter, code)))
        return [code, name, chapter, desc, str(value), str(consumption), str(cif), str(duty), str(dutiable),
                "0", "-", hs_level, month]

    for (code, chapter), value in sorted(values.items()):
        rows.append(row(code, names[code], chapter, value))
    for code, name, members in GROUPS:
        for chapter in CHAPTERS:
            rows.append(row(code, name, chapter, sum(values[(m, chapter)] for m in members)))
    for chapter in CHAPTERS:
        listed = sum(values[(p[0], chapter)] for p in PARTNERS)
        rows.append(row("-", "TOTAL FOR ALL COUNTRIES", chapter, int(listed * (1 + OTHER_SHARE))))
    return [header, *rows]


def encode(rows: list[list[str]]) -> bytes:
    """Rows exactly as the API formats them: a JSON array of arrays, one row per line."""
    return ("[" + ",\n".join(json.dumps(r) for r in rows) + "]").encode()


def response_body(direction: str, month: str, hs_level: str) -> bytes:
    """One whole response body."""
    return encode(response_rows(direction, month, hs_level))
