"""Malformed tariff and HS reference files: USITC HTS (CSV and JSON), Korea's WITS MFN lines and KORUS
annex, Comtrade classification lists and UN conversion tables. Each is made from a small valid file
in the upstream's layout (generated here or by the demo generators, nothing from ../shared/data)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from flows.demo.korea_tariff_generator import write_korus_annex, write_wits_mfn
from tests.reliability.bad_files import BadFile

HTS_HEADER = ["HTS Number", "Indent", "Description", "Unit of Quantity", "General Rate of Duty",
              "Special Rate of Duty", "Column 2 Rate of Duty", "Quota Quantity", "Additional Duties"]


def hts_rows() -> list[list[str]]:
    rows = [["0101", "0", "Live horses, asses, mules and hinnies:", "", "", "", "", "", ""]]
    for i in range(1, 30):
        code = f"0101.{i:02d}.00"
        rows.append([code, "1", f"Item {i}", '["No."]', f"{i % 7}%", "Free (A,KR)", "20%", "", ""])
    return rows


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    return buffer.getvalue()


def _hts(change: Callable[[str], str] = lambda t: t, *, encoding: str = "utf-8", rows=None, header=None):
    def make(path: Path) -> Path:
        text = _csv_text(header or HTS_HEADER, rows() if rows else hts_rows())
        path.write_bytes(change(text).encode(encoding))
        return path

    return make


def _hts_json(change: Callable[[str], str] = lambda t: t) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        items = [{"htsno": r[0], "indent": r[1], "description": r[2], "units": [], "general": r[4],
                  "special": r[5], "other": r[6], "footnotes": []} for r in hts_rows()]
        path.write_text(change(json.dumps(items)), encoding="utf-8")
        return path

    return make


def _line(i: int, old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        lines = text.splitlines(keepends=True)
        lines[i] = lines[i].replace(old, new, 1)
        return "".join(lines)

    return change


def _repeat_line(i: int) -> Callable[[str], str]:
    return lambda text: text + text.splitlines(keepends=True)[i]


def _korea(writer: Callable[[Path], Path], change: Callable[[str], str] = lambda t: t, encoding: str = "utf-8"):
    def make(path: Path) -> Path:
        text = writer(path).read_text(encoding="utf-8")
        path.write_bytes(change(text).encode(encoding))
        return path

    return make


def _classification(change: Callable[[str], str] = lambda t: t) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        results = [{"id": f"{c:02d}", "text": f"{c:02d} - Chapter {c}", "parent": "TOTAL"} for c in range(1, 25)]
        path.write_text(change(json.dumps({"classCode": "H6", "results": results})), encoding="utf-8")
        return path

    return make


def _conversion(change: Callable[[str], str] = lambda t: t) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        rows = [[f"01{c:02d}{d:02d}", f"01{c:02d}{d:02d}"] for c in range(1, 7) for d in range(10, 15)]
        path.write_text(change(_csv_text(["hs2022", "hs2017"], rows)), encoding="utf-8")
        return path

    return make


WITS = lambda change=lambda t: t, **kw: _korea(lambda p: write_wits_mfn(p, 2021), change, **kw)  # noqa: E731
ANNEX = lambda change=lambda t: t, **kw: _korea(write_korus_annex, change, **kw)  # noqa: E731

REFERENCE_CORPUS: list[tuple[str, BadFile]] = [
    ("usitc-hts", BadFile("hts_valid.csv", _hts(), "load")),
    ("usitc-hts", BadFile("hts_stray_quote.csv", _hts(_line(4, "Item", '"Item')), "error", message="quote")),
    ("usitc-hts", BadFile("hts_latin1.csv", _hts(_line(3, "Item", "Itém"), encoding="latin-1"), "error",
                          message="not UTF-8 text")),
    ("usitc-hts", BadFile("hts_repeated_header.csv", _hts(_line(0, "Column 2 Rate of Duty", "General Rate of Duty")),
                          "error", message="'General Rate of Duty' appears more than once")),
    ("usitc-hts", BadFile("hts_ragged.csv", _hts(_line(5, "\n", ",x\n")), "error", message="fields, the header has")),
    ("usitc-hts", BadFile("hts_truncated.csv", _hts(lambda t: t[: len(t) - 20]), "error")),
    ("usitc-hts", BadFile("hts_no_general.csv", _hts(_line(0, "General Rate of Duty", "General")), "error",
                          message="missing column")),
    ("usitc-hts", BadFile("hts_duplicate_line.csv", _hts(_repeat_line(6)), "load", quarantined=2)),
    ("usitc-hts", BadFile("hts_bad_indent.csv", _hts(_line(7, ",1,", ",one,")), "load", quarantined=1)),
    ("usitc-hts", BadFile("hts_crlf.csv", _hts(lambda t: t.replace("\n", "\r\n")), "load")),
    ("usitc-hts", BadFile("hts_bom.csv", _hts(lambda t: "\ufeff" + t), "load")),
    ("usitc-hts", BadFile("hts_valid.json", _hts_json(), "load")),
    ("usitc-hts", BadFile("hts_repeated_key.json", _hts_json(lambda t: t.replace('"indent"', '"indent": "9", "indent"', 1)),
                          "error", message="key 'indent' appears more than once")),
    ("usitc-hts", BadFile("hts_truncated.json", _hts_json(lambda t: t[: len(t) // 2]), "error",
                          message="not a complete JSON document")),
    ("korea-mfn", BadFile("wits_valid.csv", WITS(), "load")),
    ("korea-mfn", BadFile("wits_two_rate_columns.csv", WITS(_line(0, "Rate", "Rate,Applied Rate")), "error",
                          message="all name 'rate_text'")),
    ("korea-mfn", BadFile("wits_latin1.csv", WITS(_line(2, ",", ",\u00fc"), encoding="latin-1"), "error",
                          message="not UTF-8 text")),
    ("korea-mfn", BadFile("wits_repeated_header.csv", WITS(_line(0, "Product Name", "Year")), "error",
                          message="'year' appears more than once")),
    ("korea-mfn", BadFile("wits_duplicate_key.csv", WITS(_repeat_line(3)), "load", quarantined=2)),
    ("korus-schedule", BadFile("annex_valid.csv", ANNEX(), "load")),
    ("korus-schedule", BadFile("annex_stray_quote.csv", ANNEX(_line(3, ",", ',"x', )), "error",
                               message="quote")),
    ("korus-schedule", BadFile("annex_no_category.csv", ANNEX(_line(0, "Staging Category", "Stage")), "error",
                               message="no column for 'staging_category'")),
    ("hs-nomenclature", BadFile("classification_valid.json", _classification(), "load")),
    ("hs-nomenclature", BadFile("classification_repeated_key.json",
                                _classification(lambda t: t.replace('"text"', '"text": "x", "text"', 1)), "error",
                                message="key 'text' appears more than once")),
    ("hs-nomenclature", BadFile("classification_truncated.json", _classification(lambda t: t[:-40]), "error",
                                message="not a complete JSON document")),
    ("hs-nomenclature", BadFile("classification_duplicate_id.json",
                                _classification(lambda t: t.replace('"id": "02"', '"id": "01"')), "load",
                                quarantined=2)),
    ("hs-concordance", BadFile("hs2022_to_hs2017_valid.csv", _conversion(), "load")),
    ("hs-concordance", BadFile("hs2022_to_hs2017_repeated_header.csv", _conversion(_line(0, "hs2017", "hs2022")),
                               "error", message="'hs2022' appears more than once")),
    ("hs-concordance", BadFile("hs2022_to_hs2017_duplicate_pair.csv", _conversion(_repeat_line(4)), "load",
                               quarantined=2)),
    ("hs-concordance", BadFile("hs2022_to_hs2017_stray_quote.csv", _conversion(_line(5, ",", ',"')), "error",
                               message="quote")),
]
"""(source, bad file) for the tariff and HS reference sources."""
