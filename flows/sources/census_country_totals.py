"""Census "U.S. trade in goods by country" bulk file (``country.xlsx``, or the same sheet as CSV).

A file-based source: the file is landed untouched, then read as text so that the xlsx and CSV
forms of the same data give identical rows (numbers keep their shortest round-trip form).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.sources.files import UnreadableFileError, check_header, csv_rows
from schemas.columns import ROW_COLUMN

SOURCE = "census_country_totals"
SHEET = "country"


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    return str(value)


def _read_xlsx(path: Path) -> tuple[list[str], list[list[str | None]], list[int]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableFileError(path.name, f"not a readable xlsx file ({exc})") from None
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise UnreadableFileError(path.name, "the sheet is empty")
        header = [str(h).strip() if h is not None else "" for h in header_row]
        while header and header[-1] == "":
            header.pop()
        body = []
        for row in rows:
            cells = [_cell_text(v) for v in row[: len(header)]]
            if all(c is None or c == "" for c in cells):
                break  # openpyxl reports a million rows for this sheet; data ends at the first blank row
            body.append(cells + [None] * (len(header) - len(cells)))
        return header, body, list(range(2, len(body) + 2))
    finally:
        book.close()


def _read_csv(path: Path) -> tuple[list[str], list[list[str | None]], list[int]]:
    """Header, data rows and each row's line number (blank lines are skipped, not renumbered)."""
    reader = csv_rows(path)
    header = [h.strip() for h in next(reader, [])]
    if not header:
        raise UnreadableFileError(path.name, "the file is empty")
    numbered = [(line, row) for line, row in enumerate(reader, start=2) if any(cell.strip() for cell in row)]
    return header, [[c if c != "" else None for c in r] for _, r in numbered], [line for line, _ in numbered]


def read_file(path: Path) -> pl.DataFrame:
    """The file's rows as text columns plus ``source_row`` (the line or sheet row; header = 1)."""
    path = Path(path)
    header, body, lines = _read_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _read_csv(path)
    check_header(path.name, header)
    width = len(header)
    ragged = [i for i, r in enumerate(body) if len(r) != width]
    if ragged:
        first = ragged[0]
        raise UnreadableFileError(
            path.name, f"row {lines[first]} has {len(body[first])} fields, the header has {width}"
        )
    frame = pl.DataFrame(
        {name: [r[i] for r in body] for i, name in enumerate(header)},
        schema={name: pl.String for name in header},
    )
    return frame.with_columns(pl.Series(ROW_COLUMN, lines, dtype=pl.Int64))
