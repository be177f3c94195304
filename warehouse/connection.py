"""Opening the warehouse: readers open the published file read-only; writers work on a draft.

``warehouse(path)`` (read-write) runs inside the writer session this process holds on ``path``
(see ``warehouse.writer``), or opens a session of its own that publishes when the block ends
without an error. ``warehouse(path, read_only=True)`` reads the published file, except inside a
writer session of this process, which reads its own draft (what the run has written so far).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseBusyError, WarehouseDiskFullError, WarehouseMissingError
from warehouse.readers import open_reader
from warehouse.writer import active_session, writer_session

__all__ = ["WarehouseBusyError", "WarehouseDiskFullError", "WarehouseMissingError", "open_reader", "warehouse"]


@contextmanager
def warehouse(
    path: Path | str, *, read_only: bool = False, lock_timeout_s: float = 0.0, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for the block, always closed: read-only on the published file, or read-write on
    the draft of this process's writer session (waiting up to ``lock_timeout_s`` for the lock)."""
    session = active_session(path)
    if read_only and (session is None or not session.has_draft):
        con = open_reader(path, lock_timeout_s=lock_timeout_s)
    elif read_only:
        con = session.connect()
    else:
        with writer_session(path, lock_timeout_s=lock_timeout_s, memory_limit=memory_limit) as own:
            con = own.connect()
            try:
                yield con
            finally:
                con.close()
            return
    try:
        yield con
    finally:
        con.close()
