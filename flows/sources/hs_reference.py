"""HS reference files: UN Comtrade classification lists and UN HS conversion tables, read as text.

* ``comtrade_classificationH{0..6}.json``: ``{"classCode": "H6", "results": [{id, text, parent}]}``;
  the class code is added to every row as ``classCode``.
* ``hs{new}_to_hs{old}_{conversion,correlation}.csv``: two code columns named after their vintages
  (``hs2022,hs2017``), optionally ``relationship`` and ``ex_marker``; the vintages are read from the
  header into ``new_vintage`` / ``old_vintage`` and the code columns renamed ``new_code`` / ``old_code``.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from flows.sources.files import UnreadableFileError, check_header, json_document, text_rows, utf8_text
from schemas.columns import ROW_COLUMN

_VINTAGE_COLUMN = re.compile(r"^hs(\d{4})$", re.IGNORECASE)


def read_classification(path: Path) -> pl.DataFrame:
    """Entries of a Comtrade classification list plus ``classCode`` and ``source_row`` (1-based entry)."""
    path = Path(path)
    data = json_document(path.read_bytes(), path.name)
    if not isinstance(data, dict) or not isinstance(data.get("results"), list) or not data.get("classCode"):
        raise UnreadableFileError(path.name, "expected an object with 'classCode' and a 'results' list")
    entries = data["results"]
    bad = next((i for i, e in enumerate(entries, start=1) if not isinstance(e, dict)), None)
    if bad is not None:
        raise UnreadableFileError(path.name, f"entry {bad} of 'results' is not an object")
    columns = {
        name: [None if e.get(name) is None else str(e[name]) for e in entries]
        for name in ("id", "text", "parent")
    }
    frame = pl.DataFrame(columns, schema={name: pl.String for name in columns})
    return frame.with_columns(
        pl.lit(str(data["classCode"])).alias("classCode"),
        pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW_COLUMN),
    )


def read_conversion(path: Path) -> pl.DataFrame:
    """Code pairs of a conversion or correlation table, plus the two vintages and ``source_row``."""
    path = Path(path)
    rows = list(text_rows(utf8_text(path.read_bytes(), path.name), path.name))
    header = [h.strip() for h in rows[0]] if rows else []
    check_header(path.name, header)
    vintages = [(i, m[1]) for i, h in enumerate(header) if (m := _VINTAGE_COLUMN.match(h))]
    if len(vintages) != 2:
        raise UnreadableFileError(path.name, f"expected two code columns named hsYYYY, got header {header}")
    (new_i, new_year), (old_i, old_year) = sorted(vintages, key=lambda v: v[1], reverse=True)
    body, lines = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise UnreadableFileError(
                path.name, f"line {line} has {len(row)} fields, the header has {len(header)}"
            )
        body.append(row)
        lines.append(line)
    frame = pl.DataFrame(
        {
            "new_code": [r[new_i].strip() for r in body],
            "old_code": [r[old_i].strip() for r in body],
        },
        schema={"new_code": pl.String, "old_code": pl.String},
    )
    return frame.with_columns(
        pl.lit(f"HS{new_year}").alias("new_vintage"),
        pl.lit(f"HS{old_year}").alias("old_vintage"),
        pl.Series(ROW_COLUMN, lines, dtype=pl.Int64),
    )
