"""Migration runner: applies numbered SQL files once each, then seeds and mart views.

Migrations live in ``warehouse/migrations/NNNN_name.sql`` and are applied in order inside one
transaction; ``meta.schema_version`` records which ran, so an older warehouse file upgrades in
place. Mart views (``warehouse/marts/*.sql``) are recreated on every run since they hold no data; the
stored marts (``warehouse.mart_tables``) are refreshed in full when their SQL or the seeds change.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse import mart_tables
from warehouse.runs import rollback
from warehouse.seeds import SEEDS_DIR, sync_seeds

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MARTS_DIR = Path(__file__).parent / "marts"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    """The warehouse's recorded migrations disagree with the code's."""


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """All migration files, in version order; refuses duplicate versions (gaps are allowed, so
    parallel branches can take separate number ranges)."""
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} is not named NNNN_name.sql")
        found.append(Migration(int(match[1]), match[2], path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files share a version: {versions}")
    return sorted(found, key=lambda m: m.version)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Highest applied migration, 0 for an empty file."""
    exists = con.sql(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.sql("SELECT coalesce(max(version), 0) FROM meta.schema_version").fetchall()[0][0]


def _check_applied(con: duckdb.DuckDBPyConnection, migrations: list[Migration]) -> None:
    applied = dict(con.sql("SELECT version, checksum FROM meta.schema_version").fetchall())
    known = {m.version: m for m in migrations}
    for version, checksum in applied.items():
        if version not in known:
            raise MigrationError(
                f"warehouse has migration {version} that this code does not know: upgrade entrepot"
            )
        if known[version].checksum != checksum:
            raise MigrationError(
                f"migration {version:04d}_{known[version].name}.sql changed after it was applied; "
                "add a new migration instead of editing an applied one"
            )


def create_marts(con: duckdb.DuckDBPyConnection, directory: Path = MARTS_DIR) -> list[str]:
    """(Re)create every mart view, in file order; returns the file names."""
    names = []
    for path in sorted(directory.glob("*.sql")):
        con.execute(path.read_text())
        names.append(path.name)
    return names


def migrate(con: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Bring the warehouse to the newest schema in one transaction; returns what was applied."""
    migrations = discover_migrations()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS meta")
        con.execute(
            """
            CREATE TABLE IF NOT EXISTS meta.schema_version (
                version    INTEGER PRIMARY KEY,
                name       VARCHAR NOT NULL,
                checksum   VARCHAR NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """
        )
        _check_applied(con, migrations)
        applied = {row[0] for row in con.sql("SELECT version FROM meta.schema_version").fetchall()}
        pending = [m for m in migrations if m.version not in applied]
        for m in pending:
            con.execute(m.sql)
            con.execute(
                "INSERT INTO meta.schema_version (version, name, checksum) VALUES (?, ?, ?)",
                [m.version, m.name, m.checksum],
            )
        sync_seeds(con)
        create_marts(con)
        mart_tables.sync(con, mart_tables.definition_checksum(MARTS_DIR, SEEDS_DIR, MIGRATIONS_DIR))
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    return pending
