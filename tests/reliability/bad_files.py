"""A corpus of malformed inputs, each made from a small valid file in the exact layout of its source.

Nothing is copied from ../shared/data: the valid files are generated here (deterministic values,
annual = sum of the twelve months, as the publisher's file has it) and each bad file is one defect
applied to them. ``expect`` says what must happen: ``"load"`` (every row loads or is quarantined) or
``"error"`` (a clear error naming the file, the warehouse unchanged).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import polars as pl

from schemas.raw.census_country_totals import MONTHS
from tests.conftest import REPO

HEADER = ["year", "CTY_CODE", "CTYNAME", *(f"I{m}" for m in (*MONTHS, "YR")), *(f"E{m}" for m in (*MONTHS, "YR"))]


def census_countries(limit: int | None = None) -> list[tuple[str, str]]:
    """(Census code, name) of countries in the project's own seed (not aggregates)."""
    seed = pl.read_csv(REPO / "warehouse" / "seeds" / "countries.csv", infer_schema=False)
    rows = seed.filter((pl.col("is_aggregate") == "false") & pl.col("census_code").is_not_null()).sort("census_code")
    pairs = list(zip(rows["census_code"], rows["name"], strict=True))
    return pairs[:limit] if limit else pairs


def country_totals_rows(years: range, countries: list[tuple[str, str]], seed: int = 7) -> list[list[str]]:
    """Data rows in the layout of the Census "trade in goods by country" file (millions of USD)."""
    rng = random.Random(seed)
    rows = []
    for year in years:
        for code, name in countries:
            row = [str(year), code, name]
            for _side in "IE":
                months = [round(rng.uniform(0.1, 900.0), 1) for _ in MONTHS]
                row += [f"{v:.1f}" for v in months] + [f"{sum(months):.1f}"]
            rows.append(row)
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _numeric(rows: list[list[str]]) -> list[list[object]]:
    """Cells as a spreadsheet holds them: numbers as numbers, codes and names as text."""
    return [r[:3] + [float(c) for c in r[3:]] for r in rows]


@dataclass(frozen=True)
class BadFile:
    name: str
    make: Callable[[Path], Path]
    expect: str  # "load" or "error"
    quarantined: int = 0
    """Rows the defect must send to quarantine (for ``expect == "load"``)."""
    message: str = ""
    """Text the error must contain (for ``expect == "error"``), besides the file name."""


BASE_YEARS = range(2021, 2023)
BASE_COUNTRIES = 30


def base_rows() -> list[list[str]]:
    return country_totals_rows(BASE_YEARS, census_countries(BASE_COUNTRIES))


def _with(change: Callable[[list[list[str]]], list[list[str]]], header: list[str] = HEADER, **kwargs) -> Callable[[Path], Path]:
    return lambda path: write_csv(path, header, change(base_rows()), **kwargs)


def _set(row: int, column: str, value: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def change(rows: list[list[str]]) -> list[list[str]]:
        rows[row][HEADER.index(column)] = value
        return rows

    return change


def _duplicate(rows: list[list[str]]) -> list[list[str]]:
    return [*rows, list(rows[1])]


def _drop_column(column: str) -> Callable[[Path], Path]:
    i = HEADER.index(column)
    return lambda path: write_csv(path, HEADER[:i] + HEADER[i + 1:], [r[:i] + r[i + 1:] for r in base_rows()])


def _extra_column(path: Path) -> Path:
    return write_csv(path, [*HEADER, "NOTE"], [[*r, "revised"] for r in base_rows()])


def _ragged(path: Path) -> Path:
    rows = base_rows()
    rows[3] = [*rows[3], "stray"]
    return write_csv(path, HEADER, rows)


def _blank_lines(path: Path) -> Path:
    """Blank lines after the 3rd data row and at the end; a corrupted value on line 12 (10th data row)."""
    rows = base_rows()
    rows[9][HEADER.index("IOCT")] = "1O.5"
    write_csv(path, HEADER, rows)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines[:4], "\n", *lines[4:], ",,\n"]))
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _xlsx_extra_sheet(path: Path) -> Path:
    notes = [["Notes"], ["Values in millions of US dollars, not seasonally adjusted."]]
    return write_xlsx(path, {"notes": notes, "country": [HEADER, *_numeric(base_rows())]})


def _xlsx_moved_header(path: Path) -> Path:
    title = [["U.S. Trade in Goods by Country"], []]
    return write_xlsx(path, {"country": [*title, HEADER, *_numeric(base_rows())]})


COUNTRY_TOTALS_CORPUS: list[BadFile] = [
    BadFile("valid.csv", _with(lambda r: r), "load"),
    BadFile("latin1_name.csv", _with(_set(0, "CTYNAME", "Côte d'Ivoire"), encoding="latin-1"), "error",
            message="not UTF-8 text"),
    BadFile("utf16.csv", _with(lambda r: r, encoding="utf-16"), "error", message="not UTF-8 text"),
    BadFile("semicolons.csv", _with(lambda r: r, delimiter=";"), "error", message="missing column 'year'"),
    BadFile("no_emar.csv", _drop_column("EMAR"), "error", message="missing column 'EMAR'"),
    BadFile("extra_column.csv", _extra_column, "load"),
    BadFile("negative_value.csv", _with(_set(2, "IMAR", "-12.5")), "load", quarantined=1),
    BadFile("corrupted_value.csv", _with(_set(4, "EJUL", "69x8.1")), "load", quarantined=1),
    BadFile("unknown_country.csv", _with(_set(5, "CTY_CODE", "9999")), "load", quarantined=1),
    BadFile("malformed_country.csv", _with(_set(6, "CTY_CODE", "KR")), "load", quarantined=1),
    BadFile("bad_year.csv", _with(_set(7, "year", "20x1")), "load", quarantined=1),
    BadFile("duplicate_key.csv", _with(_duplicate), "load", quarantined=2),
    BadFile("blank_lines.csv", _blank_lines, "load", quarantined=1),
    BadFile("empty.csv", _empty, "error", message="the file is empty"),
    BadFile("header_only.csv", lambda path: write_csv(path, HEADER, []), "load"),
    BadFile("ragged_row.csv", _ragged, "error", message="row 5 has 30 fields, the header has 29"),
    BadFile("huge_name.csv", _with(_set(1, "CTYNAME", "N" * 300_000)), "load"),
    BadFile("huge_number.csv", _with(_set(3, "IAPR", "9" * 300_000)), "load", quarantined=1),
    BadFile("extra_sheet.xlsx", _xlsx_extra_sheet, "load"),
    BadFile("moved_header.xlsx", _xlsx_moved_header, "error", message="missing column 'year'"),
]
"""Malformed inputs of the census-country-totals file source."""


def api_export_rows() -> tuple[list[str], list[list[str]]]:
    """Header and rows of a Census API exports response (the demo generator's, in the API's layout)."""
    from flows.demo.census_generator import response_rows

    header, *rows = response_rows("export", "2024-03", "HS2")
    return header, rows


def _api_with(change: Callable[[list[str], list[list[str]]], list[list[str]]], **kwargs) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        header, rows = api_export_rows()
        return write_csv(path, header, change(header, rows), **kwargs)

    return make


def _api_set(row: int, column: str, value: str) -> Callable[[list[str], list[list[str]]], list[list[str]]]:
    def change(header: list[str], rows: list[list[str]]) -> list[list[str]]:
        rows[row][header.index(column)] = value
        return rows

    return change


def _api_drop(column: str) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        header, rows = api_export_rows()
        i = header.index(column)
        return write_csv(path, header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])

    return make


API_EXPORTS_CORPUS: list[BadFile] = [
    BadFile("api_valid.csv", _api_with(lambda h, r: r), "load"),
    BadFile("api_unknown_hs_chapter.csv", _api_with(_api_set(3, "E_COMMODITY", "77")), "load", quarantined=1),
    BadFile("api_malformed_hs_code.csv", _api_with(_api_set(4, "E_COMMODITY", "8A")), "load", quarantined=1),
    BadFile("api_unknown_country.csv", _api_with(_api_set(5, "CTY_CODE", "9999")), "load", quarantined=1),
    BadFile("api_negative_value.csv", _api_with(_api_set(6, "ALL_VAL_MO", "-100")), "load", quarantined=1),
    BadFile("api_bad_month.csv", _api_with(_api_set(7, "time", "2024-13")), "load", quarantined=1),
    BadFile("api_latin1.csv", _api_with(_api_set(0, "CTY_NAME", "CÔTE D'IVOIRE"), encoding="latin-1"), "error",
            message="not UTF-8 text"),
    BadFile("api_no_value_column.csv", _api_drop("ALL_VAL_MO"), "error", message="missing column 'ALL_VAL_MO'"),
    BadFile("api_tabs.csv", _api_with(lambda h, r: r, delimiter="\t"), "error", message="the header has 1"),
]
"""Malformed Census API exports extracts (the ``census-api-exports`` file source)."""
