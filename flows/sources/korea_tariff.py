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


KCS_COLUMNS = {
    "hs10": ("hs10", "hsk", "hs_code", "hs code", "품목번호"),
    "rate_code": ("rate_cd", "rate_code", "rate code", "관세율구분", "세율구분"),
    "rate_text": ("rate_txt", "rate_text", "rate text", "관세율", "세율"),
    "year": ("year", "연도", "적용연도"),
    "valid_from": ("valid_from", "valid from", "적용개시일자"),
    "valid_to": ("valid_to", "valid to", "적용만료일자"),
    "description": ("description", "name_ko", "한글품명", "품명"),
    "method": ("method",),
    "note": ("note",),
}
"""Korea Customs Service tariff by HSK line and rate code (KCSTARIFF's tariff_rate / fill form)."""
KCS_OPTIONAL = ("year", "valid_from", "valid_to", "description", "method", "note")
FTA_ANNEX_COLUMNS = {**ANNEX_COLUMNS, "ex_item": ("ex_item", "ex item", "sub_item", "sub-item")}
PARTIAL_METHODS = ("부분 양허", "partial")
"""``method`` values that mark a layer printed for part of a line (KCSTARIFF: 부분 양허, partial concession)."""


class UnreadableKoreaFileError(UnreadableFileError):
    """The file is not a readable CSV of the expected form."""


def _read(path: Path, columns: dict[str, tuple[str, ...]], optional: tuple[str, ...] = ("description",)) -> pl.DataFrame:
    path = Path(path)
    reader = numbered_rows(utf8_text(path.read_bytes(), path.name), path.name)
    header = [h.strip().lower() for h in next(reader, (1, []))[1]]
    if not any(header):
        raise UnreadableKoreaFileError(path.name, "the file is empty")
    check_header(path.name, header)
    index: dict[str, int] = {}
    for name, aliases in columns.items():
        found = [header.index(a) for a in aliases if a in header]
        if not found and name not in optional:
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


def read_kcs(path: Path) -> pl.DataFrame:
    """A Korea Customs Service tariff CSV: one rate layer per row; ``part`` holds the part of the
    line a partial layer covers (its note), null for a layer of the whole line."""
    frame = _read(path, KCS_COLUMNS, KCS_OPTIONAL)
    partial = pl.col("method").is_in(PARTIAL_METHODS)
    part = pl.when(partial).then(pl.coalesce(pl.col("note"), pl.col("method"))).otherwise(None)
    return frame.with_columns(part.alias("part"))


def read_fta_annex(path: Path) -> pl.DataFrame:
    """An FTA annex schedule CSV; rows sharing a code are kept as sub-items (``ex_item`` if printed)."""
    return _read(path, FTA_ANNEX_COLUMNS, ("description", "ex_item"))


STAGING_NOTE_COLUMNS = {
    "category": ("category", "staging_category", "staging category"),
    "description": ("description", "text", "rule_text"),
    "years": ("years", "stages", "staging_years"),
    "first_cut_rule": ("first_cut_date_rule", "first_cut_rule", "first cut rule"),
    "duty_free_rule": ("duty_free_rule", "duty free rule"),
    "status": ("status",),
    "source_url": ("source_url", "source url", "url"),
    "source_note": ("source_note", "source note"),
}
"""An FTA schedule's general notes: the text of each staging category as captured (may be partial)."""
STAGING_NOTE_OPTIONAL = ("description", "first_cut_rule", "duty_free_rule", "source_url", "source_note")


def read_staging_notes(path: Path) -> pl.DataFrame:
    """A CSV of staging-category texts from an FTA schedule's general notes (one row a category)."""
    return _read(path, STAGING_NOTE_COLUMNS, STAGING_NOTE_OPTIONAL)
