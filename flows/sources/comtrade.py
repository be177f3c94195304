"""UN Comtrade bulk CSV downloads (Comtrade Plus layout), read as text.

The real downloads are Latin-1 / Windows-1252 rather than UTF-8 and end every data line with a
comma that has no header name: that one trailing empty field is dropped, anything else ragged is
an error naming the line.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.sources.files import UnreadableFileError, check_header, text_rows
from schemas.columns import ROW_COLUMN

SOURCE = "comtrade"
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def decode(raw: bytes, name: str) -> str:
    """Text of a download: UTF-8 when it is, else Windows-1252, else Latin-1 (which always decodes)."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError(name, "cannot decode the file")  # pragma: no cover - latin-1 decodes all


def read_csv_rows(path: Path) -> tuple[list[str], list[list[str | None]], list[int]]:
    """Header, data rows (the trailing empty field of each line removed) and their line numbers."""
    path = Path(path)
    reader = text_rows(decode(path.read_bytes(), path.name), path.name)
    header = [h.strip() for h in next(reader, [])]
    if not any(header):
        raise UnreadableFileError(path.name, "the file is empty")
    check_header(path.name, header)
    width = len(header)
    body: list[list[str | None]] = []
    lines: list[int] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) == width + 1 and row[-1] == "":
            row = row[:-1]
        if len(row) != width:
            raise UnreadableFileError(path.name, f"line {line} has {len(row)} fields, the header has {width}")
        body.append([c if c != "" else None for c in row])
        lines.append(line)
    return header, body, lines


def read_file(path: Path) -> pl.DataFrame:
    """The download's rows as text columns plus ``source_row`` (the line number; header = 1)."""
    header, body, lines = read_csv_rows(path)
    frame = pl.DataFrame(
        {name: [r[i] for r in body] for i, name in enumerate(header)},
        schema={name: pl.String for name in header},
    )
    return frame.with_columns(pl.Series(ROW_COLUMN, lines, dtype=pl.Int64))
