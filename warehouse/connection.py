"""Opening the warehouse file: one writer at a time, any number of read-only readers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class WarehouseBusyError(RuntimeError):
    """Another process holds the warehouse file's write lock."""


class WarehouseMissingError(FileNotFoundError):
    """A read-only open was asked for a warehouse file that does not exist."""


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def open_warehouse(
    path: Path | str, *, read_only: bool = False, lock_timeout_s: float = 0.0, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file, waiting up to ``lock_timeout_s`` for another writer to finish.

    ``memory_limit`` (e.g. "1GB") caps DuckDB's buffer pool, so a load's memory stays flat however
    large the warehouse grows (DuckDB otherwise caches up to 80% of RAM and spills past the cap)."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseMissingError(
            f"warehouse {path} does not exist yet: run `entrepot run nightly` or `entrepot ingest` first"
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout_s
    delay = 0.1
    while True:
        try:
            config = {"memory_limit": memory_limit} if memory_limit else {}
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"warehouse {path} is in use by another process (waited {lock_timeout_s:.0f} s); "
                    f"try again when it finishes. DuckDB said: {exc}"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


@contextmanager
def warehouse(
    path: Path | str, *, read_only: bool = False, lock_timeout_s: float = 0.0, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Context manager around :func:`open_warehouse` that always closes the connection."""
    con = open_warehouse(path, read_only=read_only, lock_timeout_s=lock_timeout_s, memory_limit=memory_limit)
    try:
        yield con
    finally:
        con.close()
