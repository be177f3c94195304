"""Export the marts and core tables as Hive-partitioned Parquet for BI tools and other engines.

DuckDB 2.0 database files cannot be opened by 1.x drivers (Superset, Metabase, older notebooks), but
Parquet can be read by any of them, and by Spark, Trino and pandas. Layout of ``DIR``::

    DIR/<schema>/<table>/source=<s>/year=<y>/data_0.parquet   tables with a source and a year
    DIR/<schema>/<table>/data_0.parquet                        every other table
    DIR/manifest.json                                          tables, row counts, partition columns
    DIR/README.md                                              how to read it

Files use Parquet format version 1 with Snappy compression, the most widely readable combination;
128-bit integers are written as BIGINT. Tables keyed by ``period_id`` get a derived ``year`` column
to partition on.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

SCHEMAS = ("core", "marts")
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION V1"
_CASTS = {"HUGEINT": "BIGINT", "UHUGEINT": "BIGINT", "UUID": "VARCHAR", "JSON": "VARCHAR"}


@dataclass(frozen=True)
class ExportedTable:
    table: str
    path: str
    rows: int
    partition_by: list[str]


def exportable_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Base tables and views of the exported schemas (table macros take arguments, and the intermediate
    ``marts.int_*`` views are the marts' building blocks: neither is exported)."""
    rows = con.sql(
        """
        SELECT schema_name || '.' || table_name FROM duckdb_tables()
        WHERE database_name = current_database() AND schema_name IN ('core', 'marts')
        UNION ALL
        SELECT schema_name || '.' || view_name FROM duckdb_views()
        WHERE database_name = current_database() AND schema_name IN ('core', 'marts') AND NOT internal
          AND NOT starts_with(view_name, 'int_')  -- the intermediate layer: building blocks, not marts
        ORDER BY 1
        """
    ).fetchall()
    return [r[0] for r in rows]


def _select(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, list[str]]:
    """The query that exports ``table`` and its partition columns."""
    described = con.sql(f"SELECT * FROM {table} LIMIT 0")
    columns = dict(zip(described.columns, (str(t) for t in described.types), strict=True))
    items = [f'CAST("{c}" AS {_CASTS[t]}) AS "{c}"' if t in _CASTS else f'"{c}"' for c, t in columns.items()]
    partition: list[str] = []
    if "source" in columns and ("year" in columns or "period_id" in columns):
        if "year" not in columns:
            items.append('CAST(left("period_id", 4) AS INTEGER) AS "year"')
        partition = ["source", "year"]
    return f"SELECT {', '.join(items)} FROM {table}", partition


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[ExportedTable]:
    """Write every core table and mart under ``out_dir`` (each table's folder is replaced)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exported = []
    for table in exportable_tables(con):
        schema, name = table.split(".")
        target = out_dir / schema / name
        if target.exists():
            shutil.rmtree(target)
        query, partition = _select(con, table)
        rows = con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        partition = partition if rows else []  # an empty table still gets one file, with its columns
        target.parent.mkdir(parents=True, exist_ok=True)
        if partition:
            options = f"{PARQUET_OPTIONS}, PARTITION_BY ({', '.join(partition)})"
            con.execute(f"COPY ({query}) TO '{target.as_posix()}' ({options})")
        else:
            target.mkdir(parents=True)
            con.execute(f"COPY ({query}) TO '{(target / 'data_0.parquet').as_posix()}' ({PARQUET_OPTIONS})")
        exported.append(ExportedTable(table, f"{schema}/{name}", rows, partition))
    _write_manifest(out_dir, exported)
    return exported


def read_back_counts(con: duckdb.DuckDBPyConnection, out_dir: Path) -> dict[str, int]:
    """Rows of each exported table as read back from its Parquet files."""
    manifest = json.loads((Path(out_dir) / "manifest.json").read_text())
    counts = {}
    for entry in manifest["tables"]:
        glob = (Path(out_dir) / entry["path"]).as_posix() + "/**/*.parquet"
        query = f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true)"
        counts[entry["table"]] = con.sql(query).fetchall()[0][0]
    return counts


def _write_manifest(out_dir: Path, exported: list[ExportedTable]) -> None:
    manifest = {
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "writer": f"DuckDB {duckdb.__version__}",
        "parquet": PARQUET_OPTIONS,
        "tables": [asdict(e) for e in exported],
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    lines = [
        "# entrepot Parquet export",
        "",
        f"Written {manifest['exported_at']} by {manifest['writer']}. One folder per table; tables with a",
        "source and a year are Hive-partitioned (`source=.../year=.../`). Read a table as a whole:",
        "",
        "```",
        "DuckDB : SELECT * FROM read_parquet('marts/trade_balance/**/*.parquet', hive_partitioning = true)",
        "pandas : pandas.read_parquet('marts/trade_balance')",
        "Spark  : spark.read.parquet('marts/trade_balance')",
        "Trino  : CREATE TABLE ... WITH (external_location = '.../marts/trade_balance', format = 'PARQUET',",
        "         partitioned_by = ARRAY['source', 'year'])",
        "```",
        "",
        "| table | rows | partitioned by |",
        "|---|---:|---|",
        *[f"| {e.table} | {e.rows:,} | {', '.join(e.partition_by) or '-'} |" for e in exported],
    ]
    (out_dir / "README.md").write_text("\n".join(lines) + "\n")
