"""Concurrency: a second writer waits for the lock or exits with a clear message, never corrupting
the file; readers use read-only connections."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from flows.sql import run_query
from tests.conftest import REPO
from tests.helpers import snapshot
from tests.reliability.bad_files import HEADER, base_rows, write_csv
from tests.reliability.loading import ingest_plain
from tests.test_cli import entrepot
from warehouse.connection import WarehouseBusyError, open_warehouse, warehouse
from warehouse.migrate import migrate


@pytest.fixture
def wh(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    ingest_plain("census-country-totals", write_csv(tmp_path / "country.csv", HEADER, base_rows()), path,
                 tmp_path / "landing")
    return path


@contextmanager
def writer_mid_load(path: Path, hold_s: float) -> Iterator[subprocess.Popen[str]]:
    """Another process with the write lock, in the middle of an uncommitted load for ``hold_s`` seconds."""
    script = textwrap.dedent(
        f"""
        import time, duckdb
        con = duckdb.connect({str(path)!r})
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM core.fact_trade")
        print("holding", flush=True)
        time.sleep({hold_s})
        con.execute("ROLLBACK")
        con.close()
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_second_writer_exits_with_a_clear_message_and_the_file_is_intact(wh, tmp_path) -> None:
    before = snapshot(wh)
    with writer_mid_load(wh, hold_s=60):
        started = time.monotonic()
        done = entrepot("--warehouse", str(wh), "migrate", cwd=tmp_path, env={"ENTREPOT_LOCK_TIMEOUT_S": "1"})
        waited = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert f"entrepot: error: warehouse {wh} is in use by another process (waited 1 s)" in done.stderr
    assert "Traceback" not in done.stderr
    assert waited >= 1.0
    assert snapshot(wh) == before  # the killed holder's uncommitted delete is gone too


def test_second_writer_waits_for_the_lock_and_then_runs(wh) -> None:
    with writer_mid_load(wh, hold_s=2) as holder:
        started = time.monotonic()
        with warehouse(wh, lock_timeout_s=30) as con:
            waited = time.monotonic() - started
            migrate(con)
            facts = con.sql("SELECT count(*) FROM core.fact_trade").fetchall()[0][0]
        assert holder.wait(timeout=30) == 0  # the holder finished (and rolled back) first
    assert waited >= 1.0
    assert facts == 60 * 26


def test_reader_while_a_writer_loads_gets_a_clear_message(wh) -> None:
    with writer_mid_load(wh, hold_s=60), pytest.raises(WarehouseBusyError, match="is in use by another process"):
        run_query(wh, "SELECT count(*) FROM core.fact_trade")


def test_readers_share_the_file_on_read_only_connections(wh) -> None:
    script = f"import duckdb; con = duckdb.connect({str(wh)!r}, read_only=True); print('reading', flush=True); input()"
    other = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "reading"
        assert run_query(wh, "SELECT count(*) AS n FROM core.fact_trade").item() == 60 * 26
        with open_warehouse(wh, read_only=True) as reader, pytest.raises(duckdb.InvalidInputException, match="read-only"):
            reader.execute("DELETE FROM core.fact_trade")
    finally:
        other.kill()
        other.wait()
