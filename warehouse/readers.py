"""Read-only connections to the published warehouse file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.errors import WarehouseBusyError, WarehouseMissingError
from warehouse.retry import retry_until


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
    def busy(exc: Exception) -> bool:
        return isinstance(exc, duckdb.IOException) and _is_lock_error(exc)

    def give_up(exc: Exception) -> WarehouseBusyError:
        return WarehouseBusyError(
            f"warehouse {path} is in use by another process (waited {lock_timeout_s:.0f} s); "
            f"try again when it finishes. DuckDB said: {exc}"
        )

    return retry_until(lambda: duckdb.connect(str(path), read_only=True, config=config or {}),
                       timeout_s=lock_timeout_s, busy=busy, give_up=give_up, delay_s=0.1, max_delay_s=2.0)
