"""Concurrency: every writer holds the same lock for its whole run, a second one waits (or exits with
a clear message), no committed load is ever lost, and readers are never locked out."""

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
from tests.cli.test_cli import entrepot
from tests.conftest import REPO
from tests.helpers import every_table, snapshot
from tests.reliability import tally
from tests.reliability.bad_files import HEADER, base_rows, census_countries, country_totals_rows, write_csv
from tests.reliability.loading import ingest_plain
from warehouse.connection import WarehouseBusyError, open_reader, warehouse
from warehouse.migrate import migrate


@pytest.fixture
def wh(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    ingest_plain("census-country-totals", write_csv(tmp_path / "country.csv", HEADER, base_rows()), path,
                 tmp_path / "landing")
    return path


@contextmanager
def foreign_writer(path: Path, hold_s: float) -> Iterator[subprocess.Popen[str]]:
    """A program other than entrepot holding the file for writing, mid-transaction, for ``hold_s`` s."""
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
    with _holding(script, env=None) as holder:
        yield holder


@contextmanager
def _holding(script: str, env: dict[str, str] | None) -> Iterator[subprocess.Popen[str]]:
    """A child running ``script`` until it has printed "holding"; killed when the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO, env=env)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        holder.kill()
        holder.wait()


@contextmanager
def entrepot_writer(path: Path, hold_s: float) -> Iterator[subprocess.Popen[str]]:
    """Another entrepot writer holding the writer lock (with a draft written) for ``hold_s`` s."""
    script = textwrap.dedent(
        f"""
        import time
        from warehouse.writer import writer_session
        with writer_session({str(path)!r}, what="a test writer") as session:
            session.connect().execute("DELETE FROM core.fact_trade")
            print("holding", flush=True)
            time.sleep({hold_s})
            raise SystemExit(3)
        """
    )
    with _holding(script, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}) as holder:
        yield holder


def test_second_writer_exits_with_a_clear_message_and_the_file_is_intact(wh, tmp_path) -> None:
    before = snapshot(wh)
    with entrepot_writer(wh, hold_s=60):
        started = time.monotonic()
        done = entrepot("--warehouse", str(wh), "migrate", cwd=tmp_path, env={"ENTREPOT_LOCK_TIMEOUT_S": "1"})
        waited = time.monotonic() - started
        assert run_query(wh, "SELECT count(*) FROM core.fact_trade").item() == 60 * 26  # readers still answer
    assert done.returncode == 2, done.stderr
    assert f"entrepot: error: warehouse {wh} is in use by another process (pid" in done.stderr
    assert "Traceback" not in done.stderr
    assert waited >= 1.0
    assert snapshot(wh) == before  # the killed holder's draft never reached the warehouse
    tally.concurrency_cases.add("writer x writer (second exits)")


def test_second_writer_waits_for_the_lock_and_then_runs(wh) -> None:
    with entrepot_writer(wh, hold_s=2) as holder:
        started = time.monotonic()
        with warehouse(wh, lock_timeout_s=30) as con:
            waited = time.monotonic() - started
            migrate(con)
            facts = con.sql("SELECT count(*) FROM core.fact_trade").fetchall()[0][0]
        assert holder.wait(timeout=30) == 3  # the holder gave up without publishing
    assert waited >= 1.0
    assert facts == 60 * 26
    tally.concurrency_cases.add("writer x writer (second waits)")


def test_a_program_writing_the_file_is_waited_for_and_reported(wh) -> None:
    before = snapshot(wh)
    with (
        foreign_writer(wh, hold_s=60),
        pytest.raises(WarehouseBusyError, match="is in use by another process"),
        warehouse(wh, lock_timeout_s=1) as con,
    ):
        con.execute("DELETE FROM core.fact_trade")
    assert snapshot(wh) == before


def test_readers_answer_while_a_writer_holds_the_lock(wh) -> None:
    with entrepot_writer(wh, hold_s=60):
        assert run_query(wh, "SELECT count(*) AS n FROM core.fact_trade").item() == 60 * 26
        with open_reader(wh) as reader, pytest.raises(duckdb.InvalidInputException, match="read-only"):
            reader.execute("DELETE FROM core.fact_trade")
    tally.concurrency_cases.add("reader x writer (lock held)")


@pytest.mark.prefect
def test_a_reader_held_open_does_not_block_a_writer(wh, tmp_path) -> None:
    """A BI tool's connection held open: an ingest neither waits for it nor fails after its commit
    (it used to wait 53 s, then fail, or exit 2 because printing its summary met the lock)."""
    script = f"import duckdb; con = duckdb.connect({str(wh)!r}, read_only=True); print('reading', flush=True); input()"
    other = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "reading"
        more = write_csv(tmp_path / "more.csv", HEADER, country_totals_rows(range(2023, 2024), census_countries(30)))
        done = entrepot("--warehouse", str(wh), "ingest", "census-country-totals", "--file", str(more), cwd=tmp_path,
                        env={"ENTREPOT_LANDING_DIR": str(tmp_path / "landing"), "ENTREPOT_LOCK_TIMEOUT_S": "5"})
        assert done.returncode == 0, done.stderr[-2000:]
        assert "facts inserted" in done.stdout and "warning" not in done.stderr
        assert run_query(wh, "SELECT count(*) AS n FROM core.fact_trade").item() == 60 * 26 + 30 * 26
    finally:
        other.kill()
        other.wait()
    tally.concurrency_cases.add("writer x held reader")


def _start(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith(("ENTREPOT_", "PREFECT_API"))}
    base.update({"PREFECT_HOME": str(cwd / f".prefect-{time.monotonic_ns()}"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                 "PYTHONPATH": str(REPO), "ENTREPOT_LOCK_TIMEOUT_S": "240", **env})
    return subprocess.Popen([sys.executable, "-m", "flows.cli", *args], cwd=cwd, env=base, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=400)
    assert process.returncode == 0, err[-2000:]
    return out


@pytest.mark.prefect
@pytest.mark.parametrize("first, second", [
    ("ingest", "ingest"), ("ingest", "rebuild"), ("rebuild", "ingest"), ("nightly", "rebuild"), ("rebuild", "rebuild"),
])
def test_two_writers_at_once_lose_nothing(first: str, second: str, tmp_path: Path) -> None:
    """Two writers started together: both succeed one after the other, every committed load is in
    the warehouse at the end, and a rebuild afterwards equals it row for row."""
    env = {"ENTREPOT_WAREHOUSE": str(tmp_path / "w.duckdb"), "ENTREPOT_LANDING_DIR": str(tmp_path / "landing")}
    countries = census_countries(40)
    files = iter([write_csv(tmp_path / f"country_{y}.csv", HEADER, country_totals_rows(range(y, y + 2), countries))
                  for y in (2010, 2014, 2018)])
    _finish(_start("ingest", "census-country-totals", "--file", str(next(files)), cwd=tmp_path, env=env))
    commands = {
        "ingest": lambda: ("ingest", "census-country-totals", "--file", str(next(files))),
        "rebuild": lambda: ("rebuild",),
        "nightly": lambda: ("run", "nightly", "--today", "2026-11-23"),
    }
    running = [_start(*commands[first](), cwd=tmp_path, env=env), _start(*commands[second](), cwd=tmp_path, env=env)]
    for process in running:
        _finish(process)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        runs = con.sql("SELECT flow_name FROM meta.runs ORDER BY started_at").fetchall()
    expected = 1 + [first, second].count("ingest") + [first, second].count("nightly")
    assert len(runs) == expected, runs  # no committed load lost, none duplicated
    live = every_table(tmp_path / "w.duckdb")
    _finish(_start("rebuild", cwd=tmp_path, env=env))
    assert every_table(tmp_path / "w.duckdb") == live
    tally.concurrency_cases.add(f"{first} x {second}")


@pytest.mark.prefect
def test_readers_polling_during_a_nightly_see_the_old_or_the_new_state(tmp_path: Path) -> None:
    """A reader polls every 0.2 s from another process while a nightly loads new months: no error,
    and every answer is the state before the run or the state after it."""
    env = {"ENTREPOT_WAREHOUSE": str(tmp_path / "w.duckdb"), "ENTREPOT_LANDING_DIR": str(tmp_path / "landing")}
    _finish(_start("run", "nightly", "--today", "2026-06-15", cwd=tmp_path, env=env))
    query = "SELECT count(*), sum(value_usd) FROM core.fact_trade"
    poller = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time, duckdb
            while True:
                try:
                    with duckdb.connect({str(tmp_path / 'w.duckdb')!r}, read_only=True) as con:
                        n, total = con.sql({query!r}).fetchall()[0]
                        marts = con.sql("SELECT count(*) FROM marts.trade_balance").fetchall()[0][0]
                    print(f"ok {{n}} {{total}} {{marts}}", flush=True)
                except Exception as exc:
                    print("error", repr(exc).replace(chr(10), " "), flush=True)
                time.sleep(0.2)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        _finish(_start("run", "nightly", "--today", "2026-11-23", cwd=tmp_path, env=env))
        time.sleep(1.0)
    finally:
        poller.kill()
        out, _ = poller.communicate()
    answers = [line.split(" ", 1)[1] for line in out.splitlines()]
    errors = [a for a in answers if not a[0].isdigit()]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        n, total = con.sql(query).fetchall()[0]
        marts = con.sql("SELECT count(*) FROM marts.trade_balance").fetchall()[0][0]
    states = list(dict.fromkeys(answers))
    assert not errors, errors[:3]
    assert len(answers) >= 10 and len(states) == 2, states
    assert states[-1] == f"{n} {total} {marts}"  # the last state seen is the published new state
    tally.concurrency_cases.add("reader x nightly (polling)")
