"""A load of one landed file: what was asked, read and checked, journaled as it runs, replayed as it ran."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb
import pandera.polars as pa
import polars as pl

from flows.pipeline import rejected_rows
from flows.registry import Source
from flows.settings import Settings
from flows.sources.files import UnreadableFileError
from flows.sources.landing import LandedPayload
from schemas.validation import Validated, split_valid
from warehouse.clock import load_clock
from warehouse.connection import warehouse
from warehouse.loader import check_reject_share, latest_loaded_hashes
from warehouse.writer import WriterSession

B = TypeVar("B")
R = TypeVar("R")


@dataclass(frozen=True)
class IngestRequest:
    """One ``entrepot ingest``: the source's declaration, the file, the run, the checked options."""

    source: Source
    file: Path
    settings: Settings
    run_id: str
    started_at: dt.datetime
    force: bool = False
    valid_from: dt.date | None = None
    allow_removals: bool = False
    options: dict[str, str] = field(default_factory=dict)
    """The scope the load is recorded with (``flows.ingest_options.check_options``)."""

    @property
    def flow_name(self) -> str:
        """What meta.runs and the load journal call the run."""
        return f"ingest {self.source.name}"

    def already_loaded(self, payload: LandedPayload) -> bool:
        """Whether ``payload`` is the content last loaded under its name and ``--force`` was not given
        (to a source that takes it): the load is skipped."""
        if self.force or "force" not in self.source.options:
            return False
        with warehouse(self.settings.warehouse, lock_timeout_s=self.settings.lock_timeout_s) as con:
            return latest_loaded_hashes(con, payload.source).get(payload.request) == payload.file_hash


@dataclass(frozen=True)
class CheckedFile:
    """A landed file read and validated: its user-facing name, its rows, and how many failed."""

    name: str
    raw: pl.DataFrame
    validated: Validated
    rejected: int


def read_checked(
    payload: LandedPayload, landing_dir: Path, read: Callable[[Path], pl.DataFrame],
    model: type[pa.DataFrameModel], max_reject_share: float,
) -> CheckedFile:
    """Read a landed file (an unreadable one named by its original name), validate it against
    ``model``, and refuse it if more than ``max_reject_share`` of its rows fail."""
    name = payload.original_name or payload.request
    try:
        raw = read(payload.path(landing_dir))
    except UnreadableFileError as exc:
        raise exc.renamed(name) from None
    validated = split_valid(raw, model, name)
    rejected = rejected_rows(validated.rejects)
    check_reject_share(raw.height, rejected, max_reject_share, name)
    return CheckedFile(name, raw, validated, rejected)


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
