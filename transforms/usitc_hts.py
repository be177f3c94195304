"""USITC HTS edition (validated raw rows) to conformed schedule lines and rate rows.

* Hierarchy from the indents: each row's parent is the nearest earlier row with a smaller indent;
  unnumbered headings are kept as parents under a key "<digits of the previous numbered row>/h<n>".
* Units: the JSON-ish list ("[\"No.\",\"kg\"]") to "No., kg", markup removed.
* Rates: General -> mfn, Column 2 -> column2, Additional Duties -> additional, and one
  preferential row per program of the Special column; every text parsed by
  :mod:`transforms.rate_text`, unparsed ones kept and flagged.
"""

from __future__ import annotations

import json
import re

import polars as pl

from schemas.columns import ROW_COLUMN
from transforms.rate_text import ParsedRate, parse_rate, parse_special

SOURCE = "usitc_hts"
IMPORTER = "USA"
LINE_SCHEMA = {
    "line_key": pl.String,
    "tariff_line": pl.String,
    "level": pl.Int32,
    "indent": pl.Int32,
    "parent_key": pl.String,
    "description": pl.String,
    "description_path": pl.String,
    "units": pl.String,
    "footnotes": pl.String,
    "is_heading": pl.Boolean,
}
RATE_SCHEMA = {
    "tariff_line": pl.String,
    "rate_type": pl.String,
    "program_code": pl.String,
    "rate_kind": pl.String,
    "parse_status": pl.String,
    "ad_valorem_pct": pl.Float64,
    "specific_amount": pl.Float64,
    "specific_currency": pl.String,
    "specific_unit": pl.String,
    "rate_components": pl.String,
    "qualifier": pl.String,
    "reference": pl.String,
    "rate_text": pl.String,
    "staging_category": pl.String,
    "rate_code": pl.String,
    "sub_item": pl.String,
}
RATE_COLUMNS = {"general": "mfn", "other": "column2", "additional_duties": "additional"}


def units_text(raw: str | None) -> str | None:
    """'["No.","kg"]' (or a plain string) to 'No., kg' with markup removed; None when empty."""
    if raw is None or not raw.strip():
        return None
    try:
        items = json.loads(raw)
    except json.JSONDecodeError:
        items = [raw]
    if not isinstance(items, list):
        items = [str(items)]
    cleaned = [re.sub(r"\s+", " ", re.sub(r"<[^>]*>", "", str(i))).strip() for i in items]
    return ", ".join(c for c in cleaned if c) or None


def hierarchy(raw: pl.DataFrame) -> pl.DataFrame:
    """One row per printed row with its key, parent and description path (file order kept)."""
    stack: list[tuple[int, str, str]] = []  # (indent, key, path)
    last_numbered, heading_count = "", 0
    out: dict[str, list] = {name: [] for name in LINE_SCHEMA}
    for number, indent_text, description, units, footnotes in raw.select(
        "hts_number", "indent", "description", "units", "footnotes"
    ).iter_rows():
        indent = int(indent_text)
        digits = re.sub(r"\D", "", number or "")
        if digits:
            key, last_numbered, heading_count = digits, digits, 0
        else:
            heading_count += 1
            key = f"{last_numbered}/h{heading_count}"
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent_key, parent_path = (stack[-1][1], stack[-1][2]) if stack else (None, "")
        text = (description or "").strip()
        path = f"{parent_path} > {text}" if parent_path else text
        stack.append((indent, key, path))
        for name, value in (
            ("line_key", key), ("tariff_line", digits or None), ("level", len(digits)), ("indent", indent),
            ("parent_key", parent_key), ("description", text or None), ("description_path", path),
            ("units", units_text(units)), ("footnotes", footnotes or None), ("is_heading", not digits),
        ):
            out[name].append(value)
    return pl.DataFrame(out, schema=LINE_SCHEMA)


def rate_record(tariff_line: str, rate_type: str, program: str | None, rate: ParsedRate) -> dict:
    """A rate row (RATE_SCHEMA) for one parsed rate."""
    specific = rate.specific
    return {
        "tariff_line": tariff_line,
        "rate_type": rate_type,
        "program_code": program,
        "rate_kind": rate.kind,
        "parse_status": "parsed" if rate.parsed else "unparsed",
        "ad_valorem_pct": rate.ad_valorem_pct,
        "specific_amount": specific.value if specific else None,
        "specific_currency": specific.currency if specific else None,
        "specific_unit": specific.unit if specific else None,
        "rate_components": rate.components_json(),
        "qualifier": rate.qualifier(),
        "reference": rate.reference,
        "rate_text": rate.text,
        "staging_category": None,
    }


def rate_rows(raw: pl.DataFrame) -> pl.DataFrame:
    """Every non-empty rate of every numbered row, one row per (line, rate type, program)."""
    records: list[dict] = []
    parsed: dict[str, ParsedRate] = {}
    numbered = raw.filter(pl.col("hts_number").fill_null("") != "")
    for row in numbered.select("hts_number", "general", "special", "other", "additional_duties").iter_rows(
        named=True
    ):
        line = re.sub(r"\D", "", row["hts_number"])
        for column, rate_type in RATE_COLUMNS.items():
            text = row[column] or ""
            if not text.strip():
                continue
            rate = parsed.get(text) or parsed.setdefault(text, parse_rate(text))
            records.append(rate_record(line, rate_type, None, rate))
        for entry in parse_special(row["special"]):
            records.append(rate_record(line, "preferential", entry.program, entry.rate))
    return pl.DataFrame(records, schema=RATE_SCHEMA)


def duplicate_lines(raw: pl.DataFrame) -> pl.DataFrame:
    """Rejects (REJECT_SCHEMA) for every row of an HTS number that more than one row has (all of
    them: no copy is guessed to be the right one)."""
    numbered = raw.filter(pl.col("hts_number").fill_null("") != "").with_columns(
        pl.col("hts_number").str.replace_all(r"\D", "").alias("_digits")
    )
    repeats = numbered.filter(pl.col("_digits").is_duplicated())
    return repeats.select(
        pl.col(ROW_COLUMN).cast(pl.Int64).alias("row_number"),
        pl.lit("hts_number").alias("field"),
        pl.col("hts_number").alias("value"),
        pl.lit("duplicate key (hts_number): more than one row has it, all of them are quarantined").alias("reason"),
        pl.lit(None, dtype=pl.String).alias("raw_record"),
    )


def conform(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(lines, rates, rejects) from validated raw rows in file order."""
    rejects = duplicate_lines(raw)
    if rejects.height:
        raw = raw.join(rejects.select(pl.col("row_number").alias(ROW_COLUMN)), on=ROW_COLUMN, how="anti")
    return hierarchy(raw), rate_rows(raw), rejects
