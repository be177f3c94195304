"""USITC HTS edition files: the CSV download and the JSON export (hts.usitc.gov).

Both are read as text into the columns of :class:`schemas.raw.usitc_hts.UsitcHtsRaw` plus
``source_row`` (CSV: line number of the record, header = 1; JSON: 1-based position in the array).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from flows.sources.files import UnreadableFileError, check_header, json_document, numbered_rows, utf8_text
from schemas.columns import ROW_COLUMN
from schemas.raw.usitc_hts import COLUMNS

CSV_HEADERS = {
    "HTS Number": "hts_number",
    "Indent": "indent",
    "Description": "description",
    "Unit of Quantity": "units",
    "General Rate of Duty": "general",
    "Special Rate of Duty": "special",
    "Column 2 Rate of Duty": "other",
    "Quota Quantity": "quota_quantity",
    "Additional Duties": "additional_duties",
}
JSON_KEYS = {
    "htsno": "hts_number",
    "indent": "indent",
    "description": "description",
    "units": "units",
    "general": "general",
    "special": "special",
    "other": "other",
    "quotaQuantity": "quota_quantity",
    "additionalDuties": "additional_duties",
    "footnotes": "footnotes",
}


class UnreadableHtsFileError(UnreadableFileError):
    """The file is not a readable HTS CSV download or JSON export."""


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False) if value else None
    text = str(value)
    return text if text.strip() else None


def _frame(records: list[dict[str, str | None]], rows: list[int]) -> pl.DataFrame:
    data = {name: [r.get(name) for r in records] for name in COLUMNS}
    frame = pl.DataFrame(data, schema={name: pl.String for name in COLUMNS})
    return frame.with_columns(pl.Series(ROW_COLUMN, rows, dtype=pl.Int64))


def read_csv(path: Path) -> pl.DataFrame:
    """The CSV download; a missing column is an error naming it."""
    reader = numbered_rows(utf8_text(path.read_bytes(), path.name), path.name)
    header = [h.strip() for h in next(reader, (1, []))[1]]
    if not any(header):
        raise UnreadableHtsFileError(path.name, "the file is empty")
    check_header(path.name, header)
    missing = [h for h in CSV_HEADERS if h not in header and h != "Quota Quantity"]
    if missing:
        raise UnreadableHtsFileError(path.name, f"missing column(s) {missing}; header is {header}")
    index = {CSV_HEADERS[h]: i for i, h in enumerate(header) if h in CSV_HEADERS}
    records, rows = [], []
    for line, record in reader:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise UnreadableHtsFileError(path.name, f"row {line} has {len(record)} fields, the header has {len(header)}")
        records.append({name: _text(record[i]) for name, i in index.items()})
        rows.append(line)
    return _frame(records, rows)


def read_json(path: Path) -> pl.DataFrame:
    """The JSON export: an array of objects (htsno, indent, description, units, general, ...)."""
    data = json_document(path.read_bytes(), path.name)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnreadableHtsFileError(path.name, "expected a JSON array of objects, one per HTS row")
    records = [{JSON_KEYS[k]: _text(v) for k, v in item.items() if k in JSON_KEYS} for item in data]
    for i, record in enumerate(records, start=1):
        if "indent" not in record:
            raise UnreadableHtsFileError(path.name, f"object {i} has no 'indent'")
    return _frame(records, list(range(1, len(records) + 1)))


def read_file(path: Path) -> pl.DataFrame:
    """Either form, chosen by the file's suffix (.json, otherwise CSV)."""
    path = Path(path)
    return read_json(path) if path.suffix.lower() == ".json" else read_csv(path)
