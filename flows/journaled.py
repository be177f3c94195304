"""A load of one landed file through the load journal: journaled as it runs, replayed as it ran."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from flows.sources.landing import LandedPayload
from warehouse.clock import load_clock
from warehouse.connection import warehouse
from warehouse.writer import WriterSession

B = TypeVar("B")
R = TypeVar("R")


def journaled_load(session: WriterSession, record: dict[str, object], load: Callable[[], R]) -> R:
    """``load()`` under a recording clock, journaled with its stamps; journaled as refused (and
    raised again) when it fails."""
    assert session.journal is not None
    try:
        with load_clock() as clock:
            result = load()
    except Exception as exc:
        session.journal.refused(str(record["run_id"]), str(exc), record["payloads"])
        raise
    session.journal.add({**record, "stamps": clock.recorded()})
    return result


def replay_one_file(
    record: dict[str, object], warehouse_path: Path, build: Callable[..., B],
    load: Callable[[duckdb.DuckDBPyConnection, B], R],
) -> R:
    """A journaled one-file load again exactly as it was (for a rebuild): ``build(payload, run_id=,
    flow_name=, max_reject_share=, started_at=)`` under the recorded stamps, then ``load(con, batch)``."""
    payload = LandedPayload.from_record(record["payloads"][0])
    with load_clock(list(record["stamps"])):
        batch = build(
            payload, run_id=str(record["run_id"]), flow_name=str(record["flow_name"]),
            max_reject_share=float(record["params"]["max_reject_share"]),
            started_at=dt.datetime.fromisoformat(str(record["started_at"])),
        )
        with warehouse(warehouse_path) as con:
            return load(con, batch)
