"""The migration runner: records versions, upgrades an older file in place, refuses edits."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from warehouse import migrate as m


def test_fresh_file_gets_every_migration_and_the_marts(tmp_path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        applied = m.migrate(con)
        assert [x.version for x in applied] == [x.version for x in m.discover_migrations()]
        views = {r[0] for r in con.sql("SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts'").fetchall()}
        assert {"trade_balance", "partner_rank", "trade_yearly"} <= views
        assert con.sql("SELECT count(*) FROM core.dim_country WHERE country_id = 'KOR'").fetchall()[0][0] == 1
        assert m.migrate(con) == []  # second run: nothing to do


def test_older_file_upgrades_in_place(tmp_path) -> None:
    old_dir = tmp_path / "old"
    old_dir.mkdir()
    for source in sorted(m.MIGRATIONS_DIR.glob("*.sql"))[:2]:
        shutil.copy(source, old_dir / source.name)
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:  # a warehouse written by an older release
        con.execute(
            "CREATE SCHEMA meta; CREATE TABLE meta.schema_version (version INTEGER PRIMARY KEY, "
            "name VARCHAR NOT NULL, checksum VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        for old in m.discover_migrations(old_dir):
            con.execute(old.sql)
            con.execute("INSERT INTO meta.schema_version (version, name, checksum) VALUES (?, ?, ?)",
                        [old.version, old.name, old.checksum])
        con.execute("INSERT INTO meta.runs VALUES ('old-run', 'nightly', 'x', now(), now(), 'succeeded', "
                    "1, 1, 0, 0, 1, 0, 0, NULL)")
    with duckdb.connect(str(path)) as con:
        applied = m.migrate(con)
        assert [x.version for x in applied] == [x.version for x in m.discover_migrations()][2:]
        assert con.sql("SELECT run_id FROM meta.runs").fetchall() == [("old-run",)]
        assert m.schema_version(con) == m.discover_migrations()[-1].version


def test_edited_applied_migration_is_refused(tmp_path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        m.migrate(con)
        con.execute("UPDATE meta.schema_version SET checksum = 'x' WHERE version = 1")
        with pytest.raises(m.MigrationError, match="changed after it was applied"):
            m.migrate(con)


def test_bad_file_name_is_refused(tmp_path) -> None:
    (tmp_path / "1_x.sql").write_text("SELECT 1")
    with pytest.raises(m.MigrationError, match=r"not named NNNN_name\.sql"):
        m.discover_migrations(tmp_path)
