"""Stored marts: the marts a BI tool or analyst queries, kept as tables refreshed by each load.

Each stored mart has one table (``mart_tables.<mart>``, its DDL in ``warehouse/migrations``), one
view holding its logic (``mart_tables.<mart>_logic``, in ``warehouse/marts``) and the public name
(``marts.<mart>``, a view over the table). A load records the (source, reporter, partner, year) its
facts touched (``note_touched``); before its quality gate and COMMIT, ``refresh`` deletes each
table's affected slices and inserts them again from the logic view, so a refreshed table always
equals a full recompute. ``migrate`` refreshes every table in full when the marts' SQL, the seeds or
the migrations change (and so fills them for an existing warehouse).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

TOUCHED = "mart_touched"
"""Temporary table of the (source, reporter_iso3, partner_iso3, year) a load's facts touched."""


@dataclass(frozen=True)
class StoredMart:
    """A mart stored as a table: its name and how a touched (source, reporter, partner, year) maps to
    the slices (``keys`` columns of the mart) that must be recomputed."""

    name: str
    keys: tuple[str, ...]
    slices: str

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
        f"SELECT reporter_iso3 AS exporter_iso3, partner_iso3 AS importer_iso3, year FROM {TOUCHED} "
        f"UNION SELECT partner_iso3, reporter_iso3, year FROM {TOUCHED}",
    ),
    StoredMart(
        "partner_rank", ("source", "reporter_iso3", "year"),
        f"SELECT DISTINCT source, reporter_iso3, year FROM {TOUCHED}",
    ),
)


def start(con: duckdb.DuckDBPyConnection) -> None:
    """An empty record of touched slices for a new load on ``con``."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {TOUCHED} "
        "(source VARCHAR, reporter_iso3 VARCHAR, partner_iso3 VARCHAR, year INTEGER)"
    )


def note_touched(con: duckdb.DuckDBPyConnection, facts: str) -> None:
    """Record the series and years of ``facts`` (a relation with source, reporter_id, partner_id and
    period_id, e.g. the staged facts that were inserted or updated)."""
    con.execute(
        f"""
        INSERT INTO {TOUCHED}
        SELECT DISTINCT f.source, f.reporter_id, f.partner_id, p.year
        FROM {facts} AS f JOIN core.dim_period AS p USING (period_id)
        EXCEPT SELECT * FROM {TOUCHED}
        """
    )


def note_merged(con: duckdb.DuckDBPyConnection) -> None:
    """Record the series and years of the part the loader just merged: its inserted or updated facts
    (``stage_change`` when the part was compared against existing facts, else every ``stage_fact``)."""
    compared = con.sql(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'stage_change'"
    ).fetchall()[0][0]
    note_touched(con, "(SELECT * FROM stage_change WHERE change <> 'same')" if compared else "stage_fact")


def _literals(values: list[object]) -> str:
    return ", ".join(str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in values)


def _refresh_slices(con: duckdb.DuckDBPyConnection, mart: StoredMart) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE mart_slice AS {mart.slices}")
    match = " AND ".join(f"s.{k} = t.{k}" for k in mart.keys)
    con.execute(f"DELETE FROM {mart.table} AS t WHERE EXISTS (SELECT 1 FROM mart_slice AS s WHERE {match})")
    # each key's values as constants too, so the filters reach the fact scan (zone maps, join filters)
    constants = []
    for key in mart.keys:
        values = [r[0] for r in con.sql(f"SELECT DISTINCT {key} FROM mart_slice WHERE {key} IS NOT NULL ORDER BY 1").fetchall()]
        if not values:
            return
        if len(values) <= 1000:
            constants.append(f"t.{key} IN ({_literals(values)})")
    where = " AND ".join([*constants, f"EXISTS (SELECT 1 FROM mart_slice AS s WHERE {match})"])
    con.execute(f"INSERT INTO {mart.table} BY NAME SELECT * FROM {mart.logic} AS t WHERE {where}")
    con.execute("DROP TABLE mart_slice")


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute, in the caller's transaction, every stored mart's slices the load touched."""
    if not con.sql(f"SELECT count(*) FROM {TOUCHED}").fetchall()[0][0]:
        return
    for mart in STORED_MARTS:
        _refresh_slices(con, mart)


def refresh_all(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every stored mart in full (in the caller's transaction)."""
    for mart in STORED_MARTS:
        con.execute(f"DELETE FROM {mart.table}")
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
