"""Read-only SQL for people: refuse writes before running anything, render results."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import polars as pl

from warehouse.connection import warehouse

READ_ONLY_TYPES = {"SELECT", "EXPLAIN", "PRAGMA"}
"""Statement types (``duckdb.StatementType`` names: no DuckDB object in a module global, see
tests/flows/test_exit_clean.py)."""


class WriteRefusedError(ValueError):
    """A statement that would write was given to the read-only SQL command."""


def check_read_only(query: str) -> list[str]:
    """The statements of ``query``; raises if any of them could write."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise ValueError(f"could not parse the query: {exc}") from None
    for statement in statements:
        if statement.type.name not in READ_ONLY_TYPES:
            kind = statement.type.name
            raise WriteRefusedError(
                f"entrepot sql is read-only and refuses {kind} statements ({statement.query.strip()[:60]!r}); "
                "the warehouse changes only through `entrepot run` and `entrepot ingest`"
            )
    return [s.query for s in statements]


def run_query(path: Path, query: str) -> pl.DataFrame:
    """Run a read-only query on a read-only connection; the last statement's rows."""
    statements = check_read_only(query)
    with warehouse(path, read_only=True) as con:
        result = pl.DataFrame()
        for statement in statements:
            relation = con.sql(statement)
            result = relation.pl() if relation is not None else pl.DataFrame()
        return result


def render(frame: pl.DataFrame, fmt: str) -> str:
    """The frame as text: an aligned table, CSV, or JSON records."""
    if fmt == "csv":
        return frame.write_csv()
    if fmt == "json":
        rows = frame.to_dicts()
        return json.dumps(rows, default=str, indent=2) + "\n"
    with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=80, tbl_width_chars=250, tbl_hide_dataframe_shape=True,
                   thousands_separator=False, tbl_hide_column_data_types=True):
        buffer = io.StringIO()
        buffer.write(str(frame))
        buffer.write(f"\n({frame.height} rows)\n")
        return buffer.getvalue()
