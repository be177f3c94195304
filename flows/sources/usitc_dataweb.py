"""USITC DataWeb query exports (``DataWeb-Query-*.csv``), annual layout, read as text.

Layout: a preamble (``<Trade Flow>|Annual Data`` then ``Data Row Count,<n>``), a header row
(``Data Type, HTS Number, Description, Country, <year>, <year>, ...``), the data rows, and a
``Total:`` footer with the publisher's total per year (numbers with thousands separators).
The trade flow named in the preamble is added as a ``Trade Flow`` column; the footer stays in the
frame as a row (``Data Type`` = ``Total:``) so that the transform can check the loaded totals
against it. A data row count that disagrees with the preamble (a truncated file) is an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from flows.sources.files import UnreadableFileError, check_header, text_rows, utf8_text
from schemas.columns import ROW_COLUMN

SOURCE = "usitc_dataweb"
ID_COLUMNS = ("Data Type", "HTS Number", "Description", "Country")
FOOTER = "Total:"
_YEAR = re.compile(r"^\d{4}$")


def _preamble(rows: list[list[str]], name: str) -> tuple[str, int, int]:
    """(trade flow, promised data row count, index of the header row)."""
    is_header = [[c.strip() for c in row[: len(ID_COLUMNS)]] == list(ID_COLUMNS) for row in rows[:10]]
    index = is_header.index(True) if True in is_header else None
    if index is None:
        raise UnreadableFileError(
            name, f"no header row starting {', '.join(ID_COLUMNS)} in the first 10 lines"
        )
    title = rows[0][0].split("|") if index > 0 and rows[0] else [""]
    if len(title) < 2 or title[1].strip() != "Annual Data":
        raise UnreadableFileError(name, f"line 1 should read '<trade flow>|Annual Data', got {rows[0][:1]}")
    count = next((r[1] for r in rows[1:index] if r and r[0].strip() == "Data Row Count" and len(r) > 1), None)
    if count is None or not count.strip().isdigit():
        raise UnreadableFileError(name, "no 'Data Row Count' line in the preamble")
    return title[0].strip(), int(count), index


def read_file(path: Path) -> pl.DataFrame:
    """Data rows and the footer as text columns, plus ``Trade Flow`` and ``source_row`` (line number)."""
    path = Path(path)
    rows = list(text_rows(utf8_text(path.read_bytes(), path.name), path.name))
    if not rows:
        raise UnreadableFileError(path.name, "the file is empty")
    trade_flow, promised, head = _preamble(rows, path.name)
    header = [h.strip() for h in rows[head]]
    check_header(path.name, header)
    years = header[len(ID_COLUMNS) :]
    if not years or not all(_YEAR.match(y) for y in years):
        raise UnreadableFileError(
            path.name,
            f"line {head + 1}: expected one column per year after {', '.join(ID_COLUMNS)}, got {years}",
        )
    body, lines = [], []
    for line, row in enumerate(rows[head + 1 :], start=head + 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise UnreadableFileError(
                path.name, f"line {line} has {len(row)} fields, the header has {len(header)}"
            )
        body.append([c.strip() or None for c in row])
        lines.append(line)
    data_rows = sum(1 for r in body if r[0] != FOOTER)
    if data_rows != promised:
        raise UnreadableFileError(
            path.name, f"{data_rows} data rows but the preamble promises {promised} (truncated file?)"
        )
    frame = pl.DataFrame(
        {name: [r[i] for r in body] for i, name in enumerate(header)}, schema={n: pl.String for n in header}
    )
    return frame.with_columns(
        pl.lit(trade_flow).alias("Trade Flow"), pl.Series(ROW_COLUMN, lines, dtype=pl.Int64)
    )
