"""Korea's tariff files: WITS/TRAINS-style MFN tariff-line CSV and FTA annex schedule CSV.

Header names vary between downloads; each canonical column accepts the aliases below (matched
case-insensitively). Every value is read as text, with ``source_row`` = line number (header = 1).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.sources.files import UnreadableFileError, check_header, numbered_rows, utf8_text
from schemas.columns import ROW_COLUMN

WITS_COLUMNS = {
    "reporter": ("reporter", "reporter_iso3", "reporteriso3", "reporter iso3"),
    "year": ("year", "tariff year", "tariffyear"),
    "tariff_line": ("tariff_line", "tariff line", "product", "natcode", "national tariff line"),
    "description": ("description", "product name", "tl description"),
    "duty_type": ("duty_type", "duty type", "dutytype"),
    "rate_text": ("rate_text", "rate", "applied rate", "native rate"),
}
ANNEX_COLUMNS = {
    "hs_code": ("hs_code", "hs code", "hsk", "hs10", "hsk code"),
    "description": ("description",),
    "base_rate": ("base_rate", "base rate", "base_rate_text"),
    "staging_category": ("staging_category", "staging category", "category"),
}


class UnreadableKoreaFileError(UnreadableFileError):
    """The file is not a readable CSV of the expected form."""


def _read(path: Path, columns: dict[str, tuple[str, ...]]) -> pl.DataFrame:
    path = Path(path)
    reader = numbered_rows(utf8_text(path.read_bytes(), path.name), path.name)
    header = [h.strip().lower() for h in next(reader, (1, []))[1]]
    if not any(header):
        raise UnreadableKoreaFileError(path.name, "the file is empty")
    check_header(path.name, header)
    index: dict[str, int] = {}
    for name, aliases in columns.items():
        found = [header.index(a) for a in aliases if a in header]
        if not found and name != "description":
            raise UnreadableKoreaFileError(path.name, f"no column for {name!r} (accepted: {list(aliases)})")
        if len(found) > 1:
            both = [header[i] for i in found]
            raise UnreadableKoreaFileError(path.name, f"columns {both} all name {name!r}; refused, none is guessed")
        if found:
            index[name] = found[0]
    records: dict[str, list[str | None]] = {name: [] for name in columns}
    rows: list[int] = []
    for line, record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise UnreadableKoreaFileError(path.name, f"row {line} has {len(record)} fields, the header has {len(header)}")
        for name in columns:
            value = record[index[name]].strip() if name in index else ""
            records[name].append(value or None)
        rows.append(line)
    frame = pl.DataFrame(records, schema={name: pl.String for name in columns})
    return frame.with_columns(pl.Series(ROW_COLUMN, rows, dtype=pl.Int64))


def read_wits(path: Path) -> pl.DataFrame:
    """A WITS/TRAINS-style MFN tariff-line CSV."""
    return _read(path, WITS_COLUMNS)


def read_annex(path: Path) -> pl.DataFrame:
    """An FTA annex schedule CSV (HS code, description, base rate, staging category)."""
    return _read(path, ANNEX_COLUMNS)
