"""`entrepot sql` from outside with hostile queries: nothing written, nothing read but the warehouse
(and directories given with --allow-read), no extension installed or loaded, one clear error line."""

from __future__ import annotations

import hashlib
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.sql import confine
from tests.conftest import REPO
from tests.reliability import tally
from warehouse.connection import warehouse
from warehouse.migrate import migrate


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A directory holding a small migrated warehouse with one fact row, and a private CSV beside it."""
    root = tmp_path_factory.mktemp("sql")
    with warehouse(root / "wh" / "w.duckdb") as con:
        migrate(con)
        con.execute("CREATE TABLE meta.probe AS SELECT 42 AS answer")
    (root / "private").mkdir()
    (root / "private" / "secret.csv").write_text("key\ns3cr3t\n")
    (root / "shared").mkdir()
    (root / "shared" / "rates.csv").write_text("hs,rate\n0101,2.5\n")
    return root


@pytest.fixture
def http_hits() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server on 127.0.0.1 that records every request; yields (base URL, hits)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def _files(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _written(before: dict[str, str], after: dict[str, str]) -> int:
    """Files created or changed between two listings."""
    return sum(1 for name, digest in after.items() if before.get(name) != digest)


HOSTILE = [
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{wh}'",
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{root}/new.csv'",
    "EXPLAIN (ANALYZE) COPY (SELECT 1) TO '{root}/new.csv'",
    "COPY (SELECT 1) TO '{root}/new.csv'",
    "COPY meta.probe TO '{root}/probe.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{root}/export'",
    "ATTACH '{root}/new.duckdb' AS fresh",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv('{root}/private/secret.csv')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_blob('{root}/private/secret.csv')",
    "SELECT * FROM glob('/root/**')",
    "SELECT * FROM glob('{root}/*')",
    "SELECT * FROM read_parquet('{url}/x.parquet')",
    "SELECT * FROM read_csv('{url}/x.csv')",
    "SET enable_external_access = true",
    "RESET enable_external_access",
    "SET lock_configuration = false",
    "SET allowed_directories = ['/']",
    "SET autoinstall_known_extensions = true",
    "PRAGMA enable_profiling",
    "SELECT 1; SET enable_external_access = true; SELECT * FROM read_csv('/etc/passwd')",
    "CALL enable_logging()",
]
"""Each one writes, reads outside the warehouse, fetches or loads code, or unlocks a setting."""


def _sql(statement: str, site: Path, url: str) -> str:
    return statement.format(wh=site / "wh" / "w.duckdb", root=site, url=url)


@pytest.mark.parametrize("statement", HOSTILE)
def test_the_engine_refuses_with_the_statement_check_bypassed(site, http_hits, statement: str) -> None:
    """The boundary is the connection's own settings: run straight on a confined connection."""
    url, hits = http_hits
    before = _files(site)
    with warehouse(site / "wh" / "w.duckdb", read_only=True) as con:
        confine(con)
        with pytest.raises(duckdb.Error):
            con.execute(_sql(statement, site, url)).fetchall()
        assert con.sql("SELECT answer FROM meta.probe").fetchall() == [(42,)]
    written = _written(before, _files(site))
    tally.counts["files written by sql"] += written
    assert written == 0 and _files(site) == before
    assert hits == []


def test_a_confined_connection_still_reads_the_warehouse(site) -> None:
    with warehouse(site / "wh" / "w.duckdb", read_only=True) as con:
        confine(con)
        settings = dict(con.sql(
            "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', "
            "'autoinstall_known_extensions', 'autoload_known_extensions', 'lock_configuration')"
        ).fetchall())
        assert con.sql("SELECT count(*) FROM meta.schema_version").fetchall()[0][0] >= 1
    assert settings == {"enable_external_access": "false", "autoinstall_known_extensions": "false",
                        "autoload_known_extensions": "false", "lock_configuration": "true"}


def _cli(site: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--warehouse", str(site / "wh" / "w.duckdb"), "sql", *args])
    out, err = capsys.readouterr()
    return code, out, err


# DuckDB 2.0 always lets a connection write its own database file and temporary directory, even
# with external access off: these two destroy the warehouse or write beside it unless the
# statement check refuses them (see flows/sql.py).
ENGINE_GAPS = [
    "EXPLAIN ANALYZE COPY (SELECT 1) TO '{wh}' (USE_TMP_FILE false)",
    "EXPORT DATABASE '{wh}.tmp'",
]


@pytest.mark.parametrize("statement", HOSTILE + ENGINE_GAPS)
def test_entrepot_sql_refuses_in_one_line_and_writes_nothing(site, http_hits, capsys, statement: str) -> None:
    url, hits = http_hits
    before = _files(site)
    code, out, err = _cli(site, capsys, _sql(statement, site, url))
    written = _written(before, _files(site))
    tally.counts["files written by sql"] += written
    assert (code, written, hits) == (2, 0, [])
    assert _files(site) == before
    assert err.startswith("entrepot: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and out == ""


def test_the_statement_check_is_needed_for_the_engine_gaps(tmp_path) -> None:
    """Canary: DuckDB itself runs these on a confined read-only connection (on a throw-away copy).
    If a DuckDB upgrade refuses them, the comment in flows/sql.py can say so."""
    path = tmp_path / "copy.duckdb"
    with warehouse(path) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS a")
    before = path.read_bytes()
    with warehouse(path, read_only=True) as con:
        confine(con)
        con.execute(ENGINE_GAPS[0].format(wh=path)).fetchall()
    assert path.read_bytes() != before


def test_allow_read_opens_the_named_directories_alone(site, capsys) -> None:
    shared = site / "shared"
    code, out, err = _cli(site, capsys, f"SELECT rate FROM read_csv('{shared}/rates.csv')", "--format", "csv",
                          "--allow-read", str(shared))
    assert (code, out, err) == (0, "rate\n2.5\n", "")
    before = _files(site)
    for statement in (
        f"SELECT * FROM read_csv('{site}/private/secret.csv')",
        f"SELECT * FROM read_csv('{shared}/../private/secret.csv')",
        f"SELECT * FROM glob('{shared}/../*')",
        "SELECT * FROM read_text('/etc/passwd')",
        f"COPY (SELECT 1) TO '{shared}/out.csv'",
        f"EXPLAIN ANALYZE COPY (SELECT 1) TO '{shared}/out.csv'",
        f"ATTACH '{shared}/new.duckdb' AS fresh (READ_WRITE)",
        "INSTALL httpfs",
        "SET enable_external_access = true",
    ):
        code, out, err = _cli(site, capsys, statement, "--allow-read", str(shared))
        assert code == 2 and err.startswith("entrepot: error: ") and err.count("\n") == 1, (statement, err)
        assert "s3cr3t" not in out + err
    written = _written(before, _files(site))
    tally.counts["files written by sql"] += written
    assert written == 0


def test_allow_read_of_a_missing_directory_is_one_line(site, capsys) -> None:
    code, _, err = _cli(site, capsys, "SELECT 1", "--allow-read", str(site / "nowhere"))
    assert code == 2 and err == f"entrepot: error: --allow-read {site / 'nowhere'}: no such directory\n"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * FROM nosuch", "Table with name nosuch does not exist"),
        ("SELEC 1", 'syntax error at or near "SELEC"'),
        ("SELECT * FROM read_csv('/etc/passwd')", "file system operations are disabled by configuration"),
        ("SELECT 1/0::INTEGER, 'x'::INTEGER", "Could not convert string 'x' to INT32"),
    ],
)
def test_duckdb_errors_are_one_line_exit_2(site, capsys, query: str, expected: str) -> None:
    code, out, err = _cli(site, capsys, query)
    assert code == 2 and out == ""
    assert err.startswith("entrepot: error: ") and err.count("\n") == 1 and expected in err, err


def test_the_real_command_prints_no_traceback(site) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "--warehouse", str(site / "wh" / "w.duckdb"), "sql",
         "SELECT * FROM nosuch JOIN alsonot USING (x)"],
        cwd=site, env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("entrepot: error: the query failed: Catalog Error: Table with name nosuch")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_the_kernel_refuses_the_engine_gaps_even_past_the_statement_check(tmp_path) -> None:
    """The boundary is the kernel's, not a keyword list: in the query process of `entrepot sql`
    (Linux Landlock), the statements DuckDB itself would run write nothing, check bypassed."""
    from flows.no_writes import landlock_abi
    from flows.sql import _in_a_child, _query_frame

    if landlock_abi() == 0:
        if os.environ.get("CI"):
            pytest.fail("this kernel has no Landlock: entrepot sql relies on DuckDB's settings and the statement check")
        pytest.skip("this kernel has no Landlock")
    path = tmp_path / "copy.duckdb"
    with warehouse(path) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS a")
    before, names = hashlib.sha256(path.read_bytes()).hexdigest(), sorted(p.name for p in tmp_path.iterdir())
    for statement in (*ENGINE_GAPS, "COPY (SELECT 1) TO '{wh}.wal'", "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')"):
        with pytest.raises(Exception, match=r"Permission denied|disabled by configuration|Cannot open"):
            _in_a_child(_query_frame, path, [statement.format(wh=path)], [], True)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    tally.counts["files written by sql"] += len(list(tmp_path.iterdir())) - len(names)
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    (tmp_path / "still_writable").write_text("the test process itself is not restricted")
