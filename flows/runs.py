"""Shared start-of-run steps for every flow: settings, run id, an up-to-date warehouse."""

from __future__ import annotations

import uuid

from prefect.runtime import flow_run

from warehouse.connection import warehouse
from warehouse.migrate import migrate


def current_run_id() -> str:
    """The Prefect flow-run id, or a fresh UUID when called outside Prefect."""
    return str(flow_run.get_id() or uuid.uuid4())


def ensure_warehouse(path, lock_timeout_s: float) -> None:
    """Create or upgrade the warehouse file to the newest schema."""
    with warehouse(path, lock_timeout_s=lock_timeout_s) as con:
        migrate(con)
