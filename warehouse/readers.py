"""Read-only connections to the published warehouse file."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseBusyError, WarehouseMissingError


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def open_reader(path: Path | str, *, lock_timeout_s: float = 0.0, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse file. A program other than entrepot that
    holds the file for writing is waited for up to ``lock_timeout_s``."""
    path = Path(path)
    if not path.exists():
        raise WarehouseMissingError(
            f"warehouse {path} does not exist yet: run `entrepot run nightly` or `entrepot ingest` first"
        )
    deadline = time.monotonic() + lock_timeout_s
    delay = 0.1
    while True:
        try:
            return duckdb.connect(str(path), read_only=True, config=config or {})
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
