"""Stored marts: the marts a BI tool or analyst queries, kept as tables refreshed by each load.

Underneath them all are the yearly sums each load keeps (``warehouse.yearly_sums``), so that no
refresh rescans a year of facts.

Each stored mart has one table (``mart_tables.<mart>``, its DDL in ``warehouse/migrations``), one
view holding its logic (``mart_tables.<mart>_logic``, in ``warehouse/marts``) and the public name
(``marts.<mart>``, a view over the table). A load records the (source, reporter, partner, year) its
facts touched; before its quality gate and COMMIT, ``refresh`` deletes each
table's affected slices and inserts them again from the logic view, so a refreshed table always
equals a full recompute. ``migrate`` refreshes every table in full when the marts' SQL, the seeds or
the migrations change (and so fills them for an existing warehouse).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse import yearly_sums
from warehouse.yearly_sums import TOUCHED


@dataclass(frozen=True)
class StoredMart:
    """A mart stored as a table: its name and how a touched (source, reporter, partner, year) maps to
    the slices (``keys`` columns of the mart) that must be recomputed."""

    name: str
    keys: tuple[str, ...]
    slices: str
    from_slices: bool = False
    """Filled from its slices even by a full refresh (mirror_flows: only pairs reported from both ends
    can have rows, and finding them is far cheaper than computing every pair)."""

    @property
    def table(self) -> str:
        return f"mart_tables.{self.name}"

    @property
    def logic(self) -> str:
        return f"mart_tables.{self.name}_logic"


_SERIES = ("source", "reporter_iso3", "partner_iso3", "year")
STORED_MARTS = (  # in refresh order: partner_rank reads marts.trade_balance
    StoredMart("trade_balance", _SERIES, f"SELECT DISTINCT {', '.join(_SERIES)} FROM {TOUCHED}"),
    StoredMart("trade_by_sector", _SERIES, f"SELECT DISTINCT {', '.join(_SERIES)} FROM {TOUCHED}"),
    StoredMart(
        "mirror_flows",
        ("exporter_iso3", "importer_iso3", "year"),
        # only pairs reported from both ends can have rows (and facts are never taken away)
        f"""
        WITH pairs AS (
            SELECT reporter_iso3 AS exporter_iso3, partner_iso3 AS importer_iso3, year FROM {TOUCHED}
            UNION SELECT partner_iso3, reporter_iso3, year FROM {TOUCHED}
        ),
        reported AS (SELECT * FROM marts.int_trade_reported_pairs)
        SELECT * FROM pairs AS p
        WHERE EXISTS (SELECT 1 FROM reported AS r WHERE r.reporter_iso3 = p.exporter_iso3
                      AND r.partner_iso3 = p.importer_iso3 AND r.year = p.year)
          AND EXISTS (SELECT 1 FROM reported AS r WHERE r.reporter_iso3 = p.importer_iso3
                      AND r.partner_iso3 = p.exporter_iso3 AND r.year = p.year)
        """,
        from_slices=True,
    ),
    StoredMart(
        "partner_rank", ("source", "reporter_iso3", "year"),
        f"SELECT DISTINCT source, reporter_iso3, year FROM {TOUCHED}",
    ),
)


def _refresh_slices(con: duckdb.DuckDBPyConnection, mart: StoredMart) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE mart_slice AS {mart.slices}")
    match = " AND ".join(f"s.{k} = t.{k}" for k in mart.keys)
    con.execute(f"DELETE FROM {mart.table} AS t WHERE EXISTS (SELECT 1 FROM mart_slice AS s WHERE {match})")
    # each key's values as constants too, so the filters reach the scans (zone maps, join filters)
    scope = yearly_sums.scope(con, "mart_slice", mart.keys, "t")
    if scope:
        where = f"{scope} AND EXISTS (SELECT 1 FROM mart_slice AS s WHERE {match})"
        con.execute(f"INSERT INTO {mart.table} BY NAME SELECT * FROM {mart.logic} AS t WHERE {where}")
    con.execute("DROP TABLE mart_slice")


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Add the load's changes to the sums and recompute, in the caller's transaction, every stored
    mart's slices the load touched (all of them in full when it started on empty sums)."""
    if yearly_sums.deriving(con):
        refresh_all(con)
        return
    yearly_sums.apply_changes(con)
    if not yearly_sums.count_rows(con, TOUCHED):
        return
    for mart in STORED_MARTS:
        _refresh_slices(con, mart)


FULL_REFRESH_MEMORY = 1024**3
"""DuckDB's memory limit is raised to at least this while every stored mart is recomputed in full:
their grouped DISTINCT aggregates (trade_by_sector's vintages) cannot spill to disk, and a rebuild
otherwise runs on a small cache (it appends)."""
_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
          "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4}


def _memory_limit(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0])


def _bytes(limit: str) -> float:
    """A memory limit as DuckDB shows it ('244.1 MiB') in bytes; infinite when it cannot be read as
    one (never lowered then)."""
    number, _, unit = limit.strip().partition(" ")
    try:
        return float(number) * _UNITS[unit.upper() or "B"]
    except (KeyError, ValueError):
        return float("inf")


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> float:
    """DuckDB's memory limit in bytes."""
    return _bytes(_memory_limit(con))


@contextlib.contextmanager
def memory_at_least(con: duckdb.DuckDBPyConnection, limit: int) -> Iterator[None]:
    """DuckDB's memory limit at least ``limit`` bytes for the block, then back to what it was."""
    previous = _memory_limit(con)
    if _bytes(previous) >= limit:
        yield
        return
    con.execute(f"SET memory_limit = '{limit // 1024**2}MiB'")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{previous}'")


SUMS_MEMORY = 512 * 1024**2
"""DuckDB's memory limit is raised to at least this while the yearly sums are derived in full: below
it their hash tables (exact DECIMAL sums) spill to disk at 30M facts (11.7 s at a rebuild's 256 MB,
5.8 s at 512 MB, 5.7 s with DOUBLE sums)."""


def refresh_all(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the sums and every stored mart in full (in the caller's transaction)."""
    with memory_at_least(con, SUMS_MEMORY):
        yearly_sums.derive_all(con)
    with memory_at_least(con, FULL_REFRESH_MEMORY):
        for mart in STORED_MARTS:
            con.execute(f"DELETE FROM {mart.table}")
            if mart.from_slices:
                _refresh_slices(con, mart)
            else:
                con.execute(f"INSERT INTO {mart.table} BY NAME SELECT * FROM {mart.logic}")


def definition_checksum(*directories: Path) -> str:
    """SHA-256 of the SQL and seed files (marts, seeds, migrations) the stored marts are computed from."""
    digest = hashlib.sha256()
    for directory in directories:
        for path in sorted(p for p in directory.iterdir() if p.suffix in {".sql", ".csv"}):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def sync(con: duckdb.DuckDBPyConnection, checksum: str) -> bool:
    """Refresh every stored mart in full when ``checksum`` differs from the one they were last
    refreshed from (a new warehouse, an upgrade, changed mart SQL or seeds); True if it did."""
    recorded = con.sql("SELECT max(checksum) FROM mart_tables.definition").fetchall()[0][0]
    if recorded == checksum:
        return False
    refresh_all(con)
    con.execute("DELETE FROM mart_tables.definition")
    con.execute("INSERT INTO mart_tables.definition VALUES (?)", [checksum])
    return True
