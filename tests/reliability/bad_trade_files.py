"""Malformed files of the trade file sources beyond country totals: Census API imports and port-level
extracts, more exports faults, Comtrade downloads and DataWeb exports. Each valid file is generated
in the exact upstream layout (the demo generators' values, nothing copied from ../shared/data); each
bad file applies one defect to it. See :mod:`tests.reliability.bad_files` for ``BadFile``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from schemas.numbers import GROUPED, PLAIN
from tests.reliability.bad_files import BadFile, census_countries, write_csv

Rows = list[list[str]]
Change = Callable[[list[str], Rows], tuple[list[str], Rows]]


def _same(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
    return header, rows


def _set(row: int, column: str, value: str) -> Change:
    def change(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        rows[row][header.index(column)] = value
        return header, rows

    return change


def _repeat_column(column: str) -> Change:
    """The header names ``column`` twice; the second copy holds other numbers."""

    def change(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        i = header.index(column)
        return [*header, column], [[*r, str(int(float(r[i] or 0)) + 7)] for r in rows]

    return change


def _drop(column: str) -> Change:
    def change(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        i = header.index(column)
        return header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows]

    return change


def _rename(column: str, to: str) -> Change:
    def change(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        return [to if h == column else h for h in header], rows

    return change


def _extra(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
    return [*header, "NOTE"], [[*r, "x"] for r in rows]


def _repeat_row(row: int) -> Change:
    return lambda header, rows: (header, [*rows, list(rows[row])])


def _ragged(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
    rows[2] = [*rows[2], "stray"]
    return header, rows


def _text(header: list[str], rows: Rows, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _transforms(text: str, kind: str) -> bytes:
    """Byte-level defects: encodings, BOM, CRLF, blank lines, truncation, a stray quote."""
    if kind == "bom":
        return "\ufeff".encode() + text.encode()
    if kind == "crlf":
        return text.replace("\n", "\r\n").encode()
    if kind == "blank_lines":
        lines = text.splitlines(keepends=True)
        return "".join([*lines[:3], "\n", *lines[3:], "\n\n"]).encode()
    if kind == "truncated":
        cut = text.rstrip("\n")
        return cut[: cut.rindex("\n") + 1 + (len(cut) - cut.rindex("\n")) // 2].encode()
    if kind == "stray_quote":
        lines = text.splitlines(keepends=True)
        lines[3] = lines[3].replace(",", ',"', 1)
        return "".join(lines).encode()
    if kind == "utf16":
        return text.encode("utf-16")
    if kind == "latin1":
        lines = text.splitlines(keepends=True)
        lines[2] = lines[2].replace(",", ",\u00e9", 1)
        return "".join(lines).encode("latin-1")
    raise ValueError(kind)


def corpus(
    prefix: str, make_rows: Callable[[], tuple[list[str], Rows]], cases: list[tuple], *, write: Callable | None = None
) -> list[BadFile]:
    """BadFiles named ``prefix_<name>.csv`` from (name, change or byte defect, expect, quarantined, message)."""
    write = write or (lambda path, header, rows, delimiter=",": write_csv(path, header, rows, delimiter=delimiter))

    def maker(change: Change | str, delimiter: str = ",") -> Callable[[Path], Path]:
        def make(path: Path) -> Path:
            header, rows = make_rows()
            if isinstance(change, str):
                write(path, header, rows)
                path.write_bytes(_transforms(path.read_bytes().decode(), change))
                return path
            return write(path, *change(header, rows), delimiter=delimiter)

        return make

    out = []
    for name, change, expect, *rest in cases:
        quarantined = rest[0] if rest else 0
        message = rest[1] if len(rest) > 1 else ""
        delimiter = ";" if name == "semicolons" else "\t" if name == "tabs" else ","
        out.append(BadFile(f"{prefix}_{name}.csv", maker(change, delimiter), expect, quarantined, message))
    return out


def api_rows(direction: str) -> tuple[list[str], Rows]:
    from flows.demo.census_generator import response_rows

    header, *rows = response_rows(direction, "2024-03", "HS2")
    return header, rows[:40]


COMMON = [
    ("bom", "bom", "load"),
    ("crlf", "crlf", "load"),
    ("blank_lines", "blank_lines", "load"),
    ("stray_quote", "stray_quote", "error", 0, "quote"),
    ("utf16", "utf16", "error", 0, "not UTF-8 text"),
    ("semicolons", _same, "error"),
    ("ragged", _ragged, "error", 0, "fields, the header has"),
    ("extra_column", _extra, "load"),
]


def _numbers(column: str) -> list[tuple]:
    return [
        ("decimal_comma", _set(1, column, "71469488662,5"), "load", 1),
        ("thousands", _set(2, column, "1,234,567"), "load", 1),
        ("misplaced_thousands", _set(3, column, "1,23,4567"), "load", 1),
        ("nan", _set(4, column, "NaN"), "load", 1),
        ("inf", _set(5, column, "inf"), "load", 1),
        ("exponent", _set(6, column, "1e23"), "load", 1),
        ("out_of_range", _set(7, column, "1" + "0" * 19), "load", 1),
        ("repeated_header", _repeat_column(column), "error", 0, f"column {column!r} appears more than once"),
    ]


API_IMPORTS_CORPUS = corpus(
    "imports",
    lambda: api_rows("import"),
    [
        ("valid", _same, "load"),
        *_numbers("GEN_VAL_MO"),
        ("duplicate_key", _repeat_row(4), "load", 2),
        ("no_time", _drop("time"), "error", 0, "missing column 'time'"),
        ("renamed_value", _rename("GEN_VAL_MO", "GEN_VAL"), "error", 0, "missing column 'GEN_VAL_MO'"),
        ("bad_level", _set(8, "COMM_LVL", "HS3"), "load", 1),
        *COMMON,
    ],
)
"""Census API imports extracts (``census-api-imports``): five value measures a row."""

API_EXPORTS_MORE = corpus(
    "exports",
    lambda: api_rows("export"),
    [
        *_numbers("ALL_VAL_MO"),
        ("duplicate_key", _repeat_row(3), "load", 2),
        ("quantity_decimal_comma", _set(9, "QTY_1_MO", "12,5"), "load", 1),
        ("latin1", "latin1", "error", 0, "not UTF-8 text"),
        ("truncated", "truncated", "error"),  # a cut line, or a cut quoted name: either way one clear line
    ],
)
"""More faults of Census API exports extracts (one export value a row)."""

PORTHS_HEADER = ["AIR_VAL_YR", "AIR_WGT_YR", "CNT_VAL_YR", "CNT_WGT_YR", "CTY_CODE", "CTY_NAME", "PORT",
                 "PORT_NAME", "E_COMMODITY", "YEAR", "COMM_LVL", "time"]


def porths_rows() -> tuple[list[str], Rows]:
    """All-ports rows (PORT "-") of an exports porths response, HS2, year-to-date December."""
    rows = []
    for i, (code, name) in enumerate(census_countries(20)):
        for chapter in ("01", "27", "85"):
            value = 1000 * (i + 1) + int(chapter)
            rows.append([str(value), str(value // 9), str(value * 3), str(value // 2), code, name.upper(), "-",
                         "TOTAL FOR ALL PORTS", chapter, "2024", "HS2", "2024-12"])
    return PORTHS_HEADER, rows


PORTHS_CORPUS = corpus(
    "porths",
    porths_rows,
    [
        ("valid", _same, "load"),
        *_numbers("AIR_VAL_YR"),
        ("weight_nan", _set(8, "CNT_WGT_YR", "nan"), "load", 1),
        ("duplicate_key", _repeat_row(5), "load", 2),
        ("no_port", _drop("PORT"), "error", 0, "missing column 'PORT'"),
        ("bad_time", _set(9, "time", "2024-13"), "load", 1),
        *COMMON,
    ],
)
"""Census API port-level extracts (``census-api-porths``): air and vessel values, two facts a row."""


def comtrade_rows() -> tuple[list[str], Rows]:
    """US exports to Korea by HS chapter, 2022, as the demo Comtrade generator has them."""
    from flows.demo.comtrade_generator import FIELDS, records

    query = {"reporterCode": "842", "partnerCode": "410", "flowCode": "X", "cmdCode": "AG2", "period": "2022",
             "partner2Code": "0", "motCode": "0", "customsCode": "C00"}
    found = records("A", query, (2024, 12))[:60]

    def text(value: object) -> str:
        return "" if value is None else ("true" if value else "false") if isinstance(value, bool) else str(value)

    return FIELDS, [[text(r[f]) for f in FIELDS] for r in found]


def write_comtrade(path: Path, header: list[str], rows: Rows, delimiter: str = ",") -> Path:
    """The download's layout: every field quoted, each data line ending with a comma, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        buffer.write(delimiter.join(f'"{c}"' for c in row) + delimiter + "\r\n")
    path.write_bytes(buffer.getvalue().encode())
    return path


COMTRADE_CORPUS = corpus(
    "comtrade",
    comtrade_rows,
    [
        ("valid", _same, "load"),
        *_numbers("fobvalue"),
        ("annual_with_month", _set(2, "period", "202203"), "load", 1),
        ("monthly_with_year", _set(3, "freqCode", "M"), "load", 1),
        ("duplicate_key", _repeat_row(6), "load", 2),
        ("no_period", _drop("period"), "error", 0, "missing column 'period'"),
        ("renamed_flow", _rename("flowCode", "flow"), "error", 0, "missing column 'flowCode'"),
        ("ragged", _ragged, "error", 0, "fields, the header has"),
        ("stray_quote", "stray_quote", "error", 0, "quote"),
        ("blank_lines", "blank_lines", "load"),
    ],
    write=write_comtrade,
)
"""Comtrade bulk downloads (``comtrade``): US exports, one X_FOB fact a record."""

DATAWEB_HEADER = ["Data Type", "HTS Number", "Description", "Country", "2020", "2021", "2022"]


def dataweb_rows() -> tuple[list[str], Rows]:
    rows = []
    for i, (_code, name) in enumerate(census_countries(40)):
        for chapter, text in (("85", "ELECTRICAL MACHINERY"), ("61", "APPAREL, KNITTED")):
            rows.append(["FAS Value", chapter, text, name, *(f"{(i + 1) * 1000 + y * 7 + int(chapter)}.00"
                                                              for y in range(3))])
    return DATAWEB_HEADER, rows


def write_dataweb(path: Path, header: list[str], rows: Rows, delimiter: str = ",") -> Path:
    """Preamble, header, data rows and the Total: footer with thousands separators."""
    years = [i for i, h in enumerate(header) if h.isdigit()]
    totals = []
    for i in years:
        cells = [r[i] if i < len(r) else "" for r in rows]
        good = all(re.match(PLAIN, c) or re.match(GROUPED, c) for c in cells)
        totals.append(f"{round(sum(float(c.replace(',', '')) for c in cells)):,}" if good else "0")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["Total Exports|Annual Data", *[""] * (len(header) - 1)])
    writer.writerow(["Data Row Count", str(len(rows)), *[""] * (len(header) - 2)])
    writer.writerow(header)
    writer.writerows(rows)
    writer.writerow(["Total: ", "", "", "", *totals])
    path.write_bytes(buffer.getvalue().encode())
    return path


def _grouped(row: int, column: str) -> Change:
    def change(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        i = header.index(column)
        whole, _, cents = rows[row][i].partition(".")
        rows[row][i] = f"{int(whole):,}.{cents}"
        assert "," in rows[row][i]
        return header, rows

    return change


DATAWEB_CORPUS = corpus(
    "dataweb",
    dataweb_rows,
    [
        ("valid", _same, "load"),
        ("grouped_value", _grouped(4, "2021"), "load"),  # DataWeb's own thousands separators: same value
        ("decimal_comma", _set(1, "2020", "1234,5"), "load", 2),  # the row, and the footer no longer adds up
        ("misplaced_thousands", _set(2, "2020", "1,23,4.00"), "load", 2),
        ("nan", _set(3, "2022", "NaN"), "load", 2),
        ("exponent", _set(5, "2021", "1e23"), "load", 2),
        ("repeated_year", _rename("2021", "2020"), "error", 0, "column '2020' appears more than once"),
        ("duplicate_key", _repeat_row(6), "load", 2),  # both rows (the footer counted them both: it adds up)
        ("latin1", "latin1", "error", 0, "not UTF-8 text"),
        ("truncated", "truncated", "error", 0, "fields, the header has"),
        ("stray_quote", "stray_quote", "error", 0, "quote"),
        ("crlf", "crlf", "load"),
        ("bom", "bom", "load"),
    ],
    write=write_dataweb,
)
"""DataWeb annual exports (``usitc-dataweb``): three year columns a row, plus the footer row."""
