"""Shared start-of-run steps for every flow: run id, the writer session, an up-to-date warehouse."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.runtime import flow_run

from flows.settings import Settings
from flows.sources.landing import LandedPayload
from warehouse.connection import warehouse
from warehouse.journal import Journal
from warehouse.migrate import migrate
from warehouse.writer import WriterSession, active_session, writer_session


def current_run_id() -> str:
    """The Prefect flow-run id, or a fresh UUID when called outside Prefect."""
    return str(flow_run.get_id() or uuid.uuid4())


def ensure_warehouse(path, lock_timeout_s: float) -> None:
    """Create or upgrade the warehouse file to the newest schema."""
    with warehouse(path, lock_timeout_s=lock_timeout_s) as con:
        migrate(con)


@contextmanager
def writing(settings: Settings, what: str, *, fresh: bool = False, memory_limit: str | None = None) -> Iterator[WriterSession]:
    """The writer session of a whole run: the warehouse's writer lock, a draft published when the
    run ends without an error, and the load journal in the landing directory."""
    with writer_session(
        settings.warehouse, lock_timeout_s=settings.lock_timeout_s, fresh=fresh, memory_limit=memory_limit,
        what=what, journal_dir=settings.landing_dir,
    ) as session:
        yield session


def journal_of(settings: Settings) -> Journal | None:
    """The load journal of the writer session this process holds on the warehouse, if any."""
    session = active_session(settings.warehouse)
    return session.journal if session is not None else None


def payload_records(payloads: list[tuple[LandedPayload, str]]) -> list[dict[str, object]]:
    """How the journal records payloads: their manifest line and the name of their kind."""
    return [{**payload.manifest_record(), "kind": kind} for payload, kind in payloads]


def load_record(
    *, run_id: str, loader: str, flow_name: str, started_at, payloads: list[dict[str, object]],
    max_reject_share: float, stamps: list[str] | None = None, **extra: object,
) -> dict[str, object]:
    """A journal record of one load: enough to replay it exactly (``flows.journal_replay``)."""
    return {
        "run_id": run_id, "loader": loader, "flow_name": flow_name, "started_at": started_at.isoformat(),
        "stamps": stamps or [], "payloads": payloads, "params": {"max_reject_share": max_reject_share}, **extra,
    }
