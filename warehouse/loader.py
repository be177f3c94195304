"""The loader: one run's conformed rows merged into the warehouse in one transaction.

``load`` merges one batch; ``LoadSession`` merges a run's rows in bounded parts (so memory stays
flat however many rows a run brings) and commits once at the end.

Idempotent on the fact grain: a value delivered again unchanged is left alone (no write), a changed
value is updated and its previous version kept in ``core.fact_trade_revision``. Dimension rows are
upserted, quarantined rows recorded once per (file, row, field), and the run logged in ``meta.runs``.
Any error rolls the whole run back, leaving the warehouse exactly as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import duckdb
import polars as pl

from schemas.core.dim_period import DimPeriod
from schemas.core.dim_product import DimProduct
from schemas.core.fact_trade import FactTrade
from schemas.core.meta import LandedFile, QuarantineRow
from schemas.validation import assert_valid
from warehouse import clock, mart_tables, runs, yearly_sums
from warehouse.fact_merge import merge_facts
from warehouse.runs import (
    LANDED_SCHEMA,
    QUARANTINE_SCHEMA,
    RunBatch,
    RunResult,
    RunRow,
    arrow_view,
    record_files,
    rollback,
)

__all__ = ["LANDED_SCHEMA", "QUARANTINE_SCHEMA", "arrow_view"]  # shared by every loader (warehouse.runs)

class TooManyRejectsError(RuntimeError):
    """The share of quarantined rows passed the configured threshold: nothing was loaded."""


class LoadIntegrityError(RuntimeError):
    """Conformed rows break the warehouse's grain or reference a missing dimension row."""


@dataclass
class LoadBatch(RunBatch):
    """Everything one run writes. Frames follow the schemas in ``schemas.core`` and above."""

    facts: pl.DataFrame
    products: pl.DataFrame
    periods: pl.DataFrame
    rows_skipped: int = 0
    message: str | None = None


@dataclass(frozen=True)
class LoadResult(RunResult):
    """A trade load: rows loaded and skipped, facts by what the merge did, quarantine rows written."""

    rows_loaded: int
    rows_skipped: int
    facts_inserted: int
    facts_updated: int
    facts_unchanged: int
    quarantine_rows_written: int
    notes: list[str] = field(default_factory=list)


def check_reject_share(rows_in: int, rows_quarantined: int, max_share: float, what: str) -> None:
    """Refuse a run whose quarantined share passes ``max_share`` (0..1)."""
    if rows_in and rows_quarantined / rows_in > max_share:
        raise TooManyRejectsError(
            f"{what}: {rows_quarantined} of {rows_in} rows failed validation "
            f"({rows_quarantined / rows_in:.1%} > threshold {max_share:.1%}); nothing was loaded. "
            "Fix the input or raise ENTREPOT_QUARANTINE_MAX_SHARE."
        )


_DIMENSION_OF = {
    "reporter_id": ("core.dim_country", "country_id"),
    "partner_id": ("core.dim_country", "country_id"),
    "flow_id": ("core.dim_flow", "flow_id"),
    "product_id": ("core.dim_product", "product_id"),
    "period_id": ("core.dim_period", "period_id"),
}


def _check_integrity(con: duckdb.DuckDBPyConnection, facts: pl.DataFrame) -> None:
    """Every key of the staged facts must exist in its dimension (grain uniqueness within the part
    is asserted by the FactTrade model before staging). Each column's distinct values are looked up,
    not every fact's."""
    for column, (table, key) in _DIMENSION_OF.items():
        con.register("stage_keys", facts.select(pl.col(column).unique().alias("v")))
        try:
            missing = con.sql(f"SELECT v FROM stage_keys ANTI JOIN {table} ON v = {key} LIMIT 5").fetchall()
        finally:
            con.unregister("stage_keys")
        if missing:
            raise LoadIntegrityError(f"facts reference unknown {column} values: {[m[0] for m in missing]}")


def _stage(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> list[str]:
    """Validate the batch's frames against the table models and expose them as ``stage_*`` views
    (zero-copy over the frames' Arrow memory); returns the registered names to release later."""
    frames = {
        "facts": assert_valid(batch.facts, FactTrade, "core.fact_trade"),
        "products": assert_valid(batch.products, DimProduct, "core.dim_product"),
        "periods": assert_valid(batch.periods, DimPeriod, "core.dim_period"),
        "quarantine": assert_valid(
            batch.quarantine.select(list(QUARANTINE_SCHEMA)).cast(QUARANTINE_SCHEMA), QuarantineRow, "meta.quarantine"
        ),
        "landed": assert_valid(
            batch.landed.select(list(LANDED_SCHEMA)).cast(LANDED_SCHEMA), LandedFile, "meta.landed_files"
        ),
    }
    for name, frame in frames.items():
        con.register(f"batch_{name}", arrow_view(frame))
    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW stage_fact AS
        SELECT source, reporter_id, partner_id, product_id, period_id, flow_id,
               CAST(value_usd AS DECIMAL(20, 2)) AS value_usd, quantity, quantity_unit, value_status,
               file_hash
        FROM batch_facts
        """
    )
    for table, name in (("product", "products"), ("period", "periods"), ("quarantine", "quarantine"), ("landed", "landed")):
        con.execute(f"CREATE OR REPLACE TEMP VIEW stage_{table} AS SELECT * FROM batch_{name}")
    return [f"batch_{name}" for name in frames]


def _merge_dimensions(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        INSERT INTO core.dim_product
        SELECT product_id, classification, hs_vintage, code, level, parent_id, description
        FROM stage_product
        ON CONFLICT (product_id) DO UPDATE
            SET description = coalesce(excluded.description, core.dim_product.description)
            WHERE core.dim_product.description IS DISTINCT FROM coalesce(excluded.description, core.dim_product.description)
        """
    )
    con.execute(
        """
        INSERT INTO core.dim_period
        SELECT period_id, period_grain, year, month, start_date, end_date FROM stage_period
        ON CONFLICT (period_id) DO NOTHING
        """
    )


STAGE_VIEWS = ("stage_fact", "stage_product", "stage_period", "stage_quarantine", "stage_landed")

Checks = Callable[["duckdb.DuckDBPyConnection"], object]  # a name, not the type: see tests/flows/test_exit_clean.py
"""Called inside the transaction after every part is merged and before COMMIT; raising aborts the run."""


@contextlib.contextmanager
def unordered_inserts(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB's ``preserve_insertion_order`` off for the block, then back to what it was (it is a
    setting of the database instance: every cursor of the connection shares it). DuckDB then writes
    each insert straight into compressed row groups instead of leaving them to the CHECKPOINT at
    publish (a 5M-row rebuild's final checkpoint took 8.2 s, 2.3 s with it; one new month on 1.5M rows
    5.5 s, 4.9 s). Only the order the rows are stored in changes, which nothing a load writes relies
    on: every query whose result depends on an order says ORDER BY (an export of a rebuilt warehouse
    may list its rows in another order than the live one's, a quality check its example rows)."""
    previous = bool(con.sql("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0])
    restore = f"SET preserve_insertion_order = {str(previous).lower()}"
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # never over the error that ended the block (a full disk)
            con.execute(restore)
        raise
    con.execute(restore)


class LoadSession:
    """One run's transaction: merge any number of parts (bounded batches), then commit once.

    ``with LoadSession(...) as session: session.merge(part); ...; result = session.finish(...)``.
    Leaving the block without ``finish`` (or with an exception) rolls everything back.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        run_id: str,
        flow_name: str,
        source: str,
        started_at: dt.datetime,
        checks: Checks | None = None,
        commit_each_part: bool = False,
        defer_marts: bool = False,
    ) -> None:
        """``commit_each_part`` keeps memory flat for very large runs; use it only on a private
        copy of the warehouse that replaces the real one when the run succeeds (see flows.rebuild).
        DuckDB inserts without keeping the rows' order for the session (``unordered_inserts``).
        ``defer_marts`` leaves the yearly sums and the stored marts as they were, for the caller to
        derive in full once a series of loads is merged (``mart_tables.refresh_all``: a rebuild's
        replay of its journal, on its private copy); the checks then see the marts as they were."""
        self.con = con
        self.commit_each_part = commit_each_part
        self.defer_marts = defer_marts
        self.run_id = run_id
        self.flow_name = flow_name
        self.source = source
        self.started_at = started_at
        self.checks = checks
        self.now = clock.now()
        self.inserted = self.updated = self.unchanged = self.quarantine_written = 0
        self._open = False
        self._settings = contextlib.ExitStack()

    def __enter__(self) -> LoadSession:
        self._settings.enter_context(unordered_inserts(self.con))
        try:
            self.con.execute("BEGIN TRANSACTION")
            self._open = True
            yearly_sums.start(self.con, deferred=self.defer_marts)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if self._open:
                self._open = False
                rollback(self.con)
        finally:
            self._settings.close()

    def merge(self, part: LoadBatch) -> None:
        """Stage, check and merge one part (its facts, dimension rows, files and quarantine rows)."""
        registered = _stage(self.con, part)
        try:
            _merge_dimensions(self.con)
            _check_integrity(self.con, part.facts)
            inserted, updated, unchanged = merge_facts(self.con, self.run_id, self.now)
            yearly_sums.apply_if_large(self.con)
            self.inserted += inserted
            self.updated += updated
            self.unchanged += unchanged
            self.quarantine_written += record_files(self.con, self.run_id, self.now)
        finally:
            self.con.execute("DROP TABLE IF EXISTS stage_change")
            for name in STAGE_VIEWS:
                self.con.execute(f"DROP VIEW IF EXISTS {name}")
            for name in registered:
                self.con.unregister(name)
        if self.commit_each_part:
            self.con.execute("COMMIT")
            self.con.execute("BEGIN TRANSACTION")

    def finish(self, *, rows_in: int, rows_quarantined: int, rows_skipped: int, message: str | None = None) -> LoadResult:
        """Run the checks (unless the run changed nothing: the published state was already checked),
        log the run in meta.runs and commit."""
        changed = self.inserted + self.updated + self.quarantine_written
        if not self.defer_marts:
            mart_tables.refresh(self.con)  # the stored marts' slices these facts touched, checked below
        if self.checks is not None and changed:
            self.checks(self.con)
        finished = clock.now()
        rows_loaded = rows_in - rows_quarantined
        runs.record_run(self.con, RunRow(
            self.run_id, self.flow_name, self.source, self.started_at, finished, rows_in, rows_loaded,
            rows_quarantined, rows_skipped, self.inserted, self.updated, self.unchanged, message,
        ))
        self.con.execute("COMMIT")
        self._open = False
        return LoadResult(
            run_id=self.run_id,
            rows_in=rows_in,
            rows_loaded=rows_loaded,
            rows_quarantined=rows_quarantined,
            rows_skipped=rows_skipped,
            facts_inserted=self.inserted,
            facts_updated=self.updated,
            facts_unchanged=self.unchanged,
            quarantine_rows_written=self.quarantine_written,
            duration_s=(finished - self.started_at).total_seconds(),
        )


def load(
    con: duckdb.DuckDBPyConnection, batch: LoadBatch, checks: Checks | None = None, *, defer_marts: bool = False
) -> LoadResult:
    """Merge ``batch`` into the warehouse in one transaction; roll back on any error (``defer_marts``:
    see ``LoadSession``)."""
    session = LoadSession(
        con, run_id=batch.run_id, flow_name=batch.flow_name, source=batch.source,
        started_at=batch.started_at, checks=checks, defer_marts=defer_marts,
    )
    with session:
        session.merge(batch)
        return session.finish(
            rows_in=batch.rows_in,
            rows_quarantined=batch.rows_quarantined,
            rows_skipped=batch.rows_skipped,
            message=batch.message,
        )


def latest_loaded_hashes(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """For each request of ``source``, the hash of the payload most recently loaded for it."""
    rows = con.sql(
        """
        SELECT request, arg_max(file_hash, last_loaded_at) FROM meta.landed_files
        WHERE source = $source GROUP BY request
        """,
        params={"source": source},
    ).fetchall()
    return dict(rows)
