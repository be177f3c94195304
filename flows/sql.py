"""Read-only SQL for people: the engine confined to the warehouse, writes refused, results rendered.

Three layers keep ``entrepot sql`` read-only:

* the connection itself (:func:`confine`): opened read-only, then DuckDB's own settings switch off
  every file and network access (``enable_external_access``), extension installs and loads
  (``autoinstall_known_extensions``, ``autoload_known_extensions``) and Python replacement scans,
  and ``lock_configuration`` stops a query from setting any of them back. ``--allow-read DIR``
  opens reads below the given directories alone (DuckDB's ``allowed_directories``).
* the statement check (:func:`check_read_only`): only SELECT, PRAGMA and EXPLAIN of those. It is
  needed, not decorative: DuckDB 2.0 always allows a connection its own database file, WAL and
  temporary directory, and with ``enable_external_access=false`` still runs
  ``COPY ... TO '<warehouse file>' (USE_TMP_FILE false)`` (destroying the warehouse) and
  ``EXPORT DATABASE '<warehouse>.tmp'``; in an ``--allow-read`` directory it would write too.
  ``EXPLAIN ANALYZE`` executes what it explains, so the explained statement is checked as well.
* the kernel (``flows.no_writes``, Linux Landlock, in the CLI's own process): once the warehouse is
  open, the process may write no file at all, the warehouse included, whatever DuckDB would allow.
"""

from __future__ import annotations

import io
import json
import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

from flows.no_writes import forbid_writes
from warehouse.connection import warehouse

READ_ONLY_TYPES = {"SELECT", "EXPLAIN", "PRAGMA"}
"""Statement types (``duckdb.StatementType`` names: no DuckDB object in a module global, see
tests/flows/test_exit_clean.py)."""
EXPLAIN_OPTIONS = {"ANALYZE", "ANALYSE"}
STATEMENT_STARTS = {"SELECT", "WITH", "FROM", "VALUES", "TABLE", "("}
UNSHOWN_TYPES = {"interval", "union", "bignum", "bit"}
"""DuckDB type ids polars cannot import from Arrow (or imports as opaque bytes): shown as text."""
T = TypeVar("T")


class WriteRefusedError(ValueError):
    """A statement that would write was given to the read-only SQL command."""


class SqlError(ValueError):
    """DuckDB refused or could not run a query of ``entrepot sql`` (its message on one line)."""


def one_line(exc: BaseException) -> str:
    """DuckDB's message without the ``LINE n:`` excerpt and caret, on one line."""
    lines = [line.strip() for line in str(exc).splitlines()]
    kept = [line for line in lines if line and not line.startswith("LINE ") and set(line) != {"^"}]
    return " ".join(kept) or type(exc).__name__


def _explained(text: str) -> str:
    """The statement an EXPLAIN statement explains: ``text`` after EXPLAIN, ANALYZE and any (options)."""
    tokens = duckdb.tokenize(text)
    ends = [pos for pos, _ in tokens[1:]] + [len(text)]
    words = [(pos, text[pos:end].strip()) for (pos, kind), end in zip(tokens, ends, strict=True)
             if kind != duckdb.token_type.comment]
    i, depth = 1, 0
    while i < len(words):
        word = words[i][1]
        following = words[i + 1][1].upper() if i + 1 < len(words) else ""
        if not depth and word == "(" and following in STATEMENT_STARTS:
            return text[words[i][0]:]
        if word.startswith("("):
            depth += 1
        elif word.startswith(")") and depth:
            depth -= 1
        elif not depth and word.upper() not in EXPLAIN_OPTIONS:
            return text[words[i][0]:]
        i += 1
    return ""


def _refuse(statement: str, kind: str) -> WriteRefusedError:
    return WriteRefusedError(
        f"entrepot sql is read-only and refuses {kind} ({statement.strip()[:60]!r}); "
        "the warehouse changes only through `entrepot run` and `entrepot ingest`"
    )


def _check_statements(query: str, outer: str | None = None) -> list[str]:
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise SqlError(f"could not parse the query: {one_line(exc)}") from None
    for statement in statements:
        if statement.type.name not in READ_ONLY_TYPES:
            kind = f"{statement.type.name} statements" + ("" if outer is None else " inside EXPLAIN")
            raise _refuse(outer or statement.query, kind)
        if statement.type.name == "EXPLAIN":
            inner = _explained(statement.query)
            if len(_check_statements(inner, outer or statement.query)) != 1:
                raise _refuse(outer or statement.query, "EXPLAIN without one statement to explain")
    return [s.query for s in statements]


def check_read_only(query: str) -> list[str]:
    """The statements of ``query``; raises if any of them (or any statement it explains) could write."""
    return _check_statements(query)


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def confine(con: duckdb.DuckDBPyConnection, allow_read: Sequence[Path] = ()) -> None:
    """Lock ``con`` to its own database: no file or network access but reads below ``allow_read``,
    no extension installed or loaded, no setting changed afterwards."""
    directories = [str(Path(d).resolve()).rstrip("/") + "/" for d in allow_read]
    for statement in (
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET python_enable_replacements = false",
        f"SET allowed_directories = {_sql_list(directories)}",
        "SET allowed_paths = []",
        "SET enable_external_access = false",
        "SET lock_configuration = true",
    ):
        con.execute(statement)


def _readable_dirs(allow_read: Sequence[Path]) -> list[Path]:
    for directory in allow_read:
        if not Path(directory).is_dir():
            raise ValueError(f"--allow-read {directory}: no such directory")
    return [Path(d) for d in allow_read]


def _unshown(kind: duckdb.sqltypes.DuckDBPyType) -> bool:
    """Whether polars cannot show a DuckDB type, or a type nested in it."""
    if kind.id in UNSHOWN_TYPES:
        return True
    nested = kind.children if kind.id in {"list", "array", "struct", "map"} else []
    return any(_unshown(child) for _, child in nested if hasattr(child, "id"))  # an array also has its size


def _frame(relation: duckdb.DuckDBPyRelation) -> pl.DataFrame:
    """The relation's rows as polars; columns of a type polars cannot import (it panics on
    INTERVAL and UNION, nested or not; BIGNUM and BIT come as opaque bytes) come as their DuckDB text."""
    unshown = [_unshown(kind) for kind in relation.types]
    if any(unshown):
        relation = relation.project(", ".join(
            f"CAST({_quoted(name)} AS VARCHAR) AS {_quoted(name)}" if cast else _quoted(name)
            for name, cast in zip(relation.columns, unshown, strict=True)
        ))
    return pl.DataFrame(relation)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _query_frame(path: Path, statements: list[str], directories: list[Path], kernel_guard: bool) -> pl.DataFrame:
    """The last statement's rows, on a confined read-only connection. The kernel guard goes first:
    Landlock binds the thread that asks and the threads it starts later (DuckDB's workers, started
    when the file opens), never threads already running. The rows reach polars through the Arrow
    C stream interface (no pyarrow: it would double the command's start-up)."""
    if kernel_guard:
        forbid_writes()
    with warehouse(path, read_only=True) as con:
        confine(con, directories)
        result = pl.DataFrame()
        try:
            for statement in statements:
                relation = con.sql(statement)
                result = _frame(relation) if relation is not None else pl.DataFrame()
        except duckdb.Error as exc:
            raise SqlError(f"the query failed: {one_line(exc)}") from None
        return result


def _in_a_child(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in a forked child process, its result or exception handed back: the
    child's kernel restrictions (``forbid_writes``) never reach this process."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, send the outcome, leave without running the parent's exit handlers
        os.close(read_end)
        try:
            outcome = ("ok", function(*args))
        except BaseException as exc:  # every error goes back to the parent, which raises it
            outcome = ("error", exc)
        try:
            data = pickle.dumps(outcome)
        except Exception as exc:
            data = pickle.dumps(("error", SqlError(f"the query failed: {type(exc).__name__}: {exc}")))
        with os.fdopen(write_end, "wb") as handle:
            handle.write(data)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as handle:
        data = handle.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise SqlError(f"the query process ended without an answer (wait status {status})")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise value
    return value


def run_query(path: Path, query: str, allow_read: Sequence[Path] = (), kernel_guard: bool = False) -> pl.DataFrame:
    """Run a read-only query on a confined read-only connection; the last statement's rows. With
    ``kernel_guard`` (the CLI) the query runs in a child process that the kernel forbids every file
    write and TCP connection before it opens the warehouse read-only (``flows.no_writes``)."""
    statements = check_read_only(query)
    directories = _readable_dirs(allow_read)
    if kernel_guard and hasattr(os, "fork"):
        return _in_a_child(_query_frame, Path(path), statements, directories, True)
    return _query_frame(Path(path), statements, directories, False)


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
