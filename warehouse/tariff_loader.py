"""Tariff loader: one schedule edition merged as slowly changing history in one transaction.

For an edition of (importer, source) taking effect on ``valid_from`` = D:
* a row identical (same key, same attributes) to the one in force stays open: nothing is written,
  so loading the same edition again changes nothing;
* a changed or vanished row is closed (valid_to = D) and the new version opened at D; a version
  that itself started on D (the same edition loaded before, now corrected) is replaced in place;
* an edition older than the newest one loaded is refused (history is appended in date order).
Derived schedules (a staging path with its own dates) replace their whole scope, again only when
something differs. Any error rolls everything back; meta.runs gets one row per successful run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from schemas.core.fact_tariff_rate import DimTariffLine, FactTariffRate
from schemas.validation import assert_valid
from warehouse import clock
from warehouse.runs import RunBatch, RunResult, close_run, transaction

LINE_KEY = ("line_key",)
RATE_KEY = ("tariff_line", "sub_item", "rate_type", "program_code")
LINE_ATTRS = (
    "tariff_line", "level", "indent", "parent_key", "description", "description_path", "units",
    "footnotes", "is_heading",
)
RATE_ATTRS = (
    "agreement_id", "rate_kind", "parse_status", "ad_valorem_pct", "specific_amount", "specific_currency",
    "specific_unit", "rate_components", "qualifier", "reference", "rate_text", "staging_category",
)
OPTIONAL_RATE_ATTRS = ("rate_code", "sub_item")
"""Hashed only when set (concat_ws skips nulls), so rows of sources without them keep their hashes."""


class OutOfOrderEditionError(ValueError):
    """An edition older than the newest one already loaded for the same schedule."""


class TariffIntegrityError(ValueError):
    """Conformed tariff rows break their grain."""


class TooManyRemovalsError(ValueError):
    """An edition would close more of the lines in force than a schedule change plausibly does."""


@dataclass
class TariffBatch(RunBatch):
    """One edition (or derived schedule) of one importer's schedule from one source."""

    importer_id: str
    valid_from: dt.date
    edition: str
    file_hash: str
    lines: pl.DataFrame
    rates: pl.DataFrame
    derived: bool = False
    """True when rates carry their own valid_from / valid_to (a staging path): replace the scope."""
    max_removed_share: float | None = None
    """Refuse the edition if it would close more than this share of the lines in force (None: never)."""


@dataclass(frozen=True)
class TariffLoadResult(RunResult):
    """A tariff edition: lines and rates opened, closed and left unchanged; rate texts unparsed."""

    lines_opened: int
    lines_closed: int
    lines_unchanged: int
    rates_opened: int
    rates_closed: int
    rates_unchanged: int
    unparsed_rates: int


def _hash(attrs: tuple[str, ...], optional: tuple[str, ...] = ()) -> str:
    parts = [f"coalesce(CAST({a} AS VARCHAR), '\u2205')" for a in attrs]
    parts += [f"'{a}=' || CAST({a} AS VARCHAR)" for a in optional]
    return f"md5(concat_ws('|', {', '.join(parts)}))"


def _key_match(key: tuple[str, ...], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" for k in key)


def _check_grain(con: duckdb.DuckDBPyConnection, stage: str, key: tuple[str, ...]) -> None:
    cols = ", ".join(key)
    dupes = con.sql(f"SELECT {cols}, count(*) AS n FROM {stage} GROUP BY ALL HAVING n > 1 LIMIT 3").fetchall()
    if dupes:
        raise TariffIntegrityError(f"{stage}: keys ({cols}) repeat within one edition, e.g. {dupes}")


def _scd_merge(
    con: duckdb.DuckDBPyConnection, table: str, stage: str, key: tuple[str, ...], batch: TariffBatch
) -> tuple[int, int, int]:
    """Merge staged rows (with row_hash) into ``table`` for the batch's scope; (opened, closed, same)."""
    scope = "importer_id = $importer AND source = $source"
    params = {"importer": batch.importer_id, "source": batch.source}
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE scd_open AS SELECT {', '.join(key)}, row_hash, valid_from "
        f"FROM {table} WHERE {scope} AND valid_to IS NULL",
        parameters=params,
    )
    match = _key_match(key, "o", "s") + " AND o.row_hash = s.row_hash"
    con.execute(f"CREATE OR REPLACE TEMP TABLE scd_close AS SELECT o.* FROM scd_open AS o ANTI JOIN {stage} AS s ON {match}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE scd_new AS SELECT s.* FROM {stage} AS s ANTI JOIN scd_open AS o ON {match}")
    closed = con.sql("SELECT count(*) FROM scd_close").fetchall()[0][0]
    opened = con.sql("SELECT count(*) FROM scd_new").fetchall()[0][0]
    same = con.sql(f"SELECT count(*) FROM {stage}").fetchall()[0][0] - opened
    t_match = _key_match(key, "t", "c") + " AND t.valid_from = c.valid_from"
    where = "t.importer_id = $importer AND t.source = $source AND t.valid_to IS NULL"
    con.execute(
        f"DELETE FROM {table} AS t WHERE {where} AND t.valid_from = $d "
        f"AND EXISTS (SELECT 1 FROM scd_close AS c WHERE {t_match})",
        parameters={**params, "d": batch.valid_from},
    )
    con.execute(
        f"UPDATE {table} AS t SET valid_to = $d WHERE {where} "
        f"AND EXISTS (SELECT 1 FROM scd_close AS c WHERE {t_match})",
        parameters={**params, "d": batch.valid_from},
    )
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM scd_new")
    for name in ("scd_open", "scd_close", "scd_new"):
        con.execute(f"DROP TABLE {name}")
    return opened, closed, same


def _replace_scope(con: duckdb.DuckDBPyConnection, table: str, stage: str, batch: TariffBatch) -> tuple[int, int, int]:
    """Derived rows: replace the scope when the set of (hash, valid_from, valid_to) differs."""
    scope = "importer_id = $importer AND source = $source"
    params = {"importer": batch.importer_id, "source": batch.source}
    fingerprint = "SELECT row_hash, valid_from, valid_to FROM {}"
    differs = con.sql(
        f"SELECT count(*) FROM (({fingerprint.format(stage)}) EXCEPT ALL "
        f"(SELECT row_hash, valid_from, valid_to FROM {table} WHERE {scope})) UNION ALL "
        f"SELECT count(*) FROM ((SELECT row_hash, valid_from, valid_to FROM {table} WHERE {scope}) "
        f"EXCEPT ALL ({fingerprint.format(stage)}))",
        params=params,
    ).fetchall()
    new_rows, old_rows = differs[0][0], differs[1][0]
    total = con.sql(f"SELECT count(*) FROM {stage}").fetchall()[0][0]
    if new_rows or old_rows:
        con.execute(f"DELETE FROM {table} WHERE {scope}", parameters=params)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {stage}")
        return total, old_rows, 0
    return 0, 0, total


def _stage(con: duckdb.DuckDBPyConnection, batch: TariffBatch) -> None:
    lines = assert_valid(batch.lines, DimTariffLine, "core.dim_tariff_line")  # noqa: F841 (DuckDB scan)
    rates = assert_valid(batch.rates, FactTariffRate, "core.fact_tariff_rate")
    common = "$importer AS importer_id, $source AS source, $edition AS edition, $run_id AS run_id"
    params = {"importer": batch.importer_id, "source": batch.source, "edition": batch.edition, "run_id": batch.run_id}
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE stage_line AS SELECT *, {_hash(LINE_ATTRS)} AS row_hash, {common}, "
        "CAST($d AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to FROM lines",
        parameters={**params, "d": batch.valid_from},
    )
    dates = "valid_from, valid_to" if batch.derived else "CAST($d AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to"
    rate_cols = ", ".join(c for c in rates.columns if c not in {"valid_from", "valid_to"})
    rate_params = {**params, "file_hash": batch.file_hash} | ({} if batch.derived else {"d": batch.valid_from})
    rate_hash = _hash(RATE_ATTRS, OPTIONAL_RATE_ATTRS).replace("agreement_id", "p.agreement_id")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE stage_rate AS
        SELECT r.*, p.agreement_id, {rate_hash} AS row_hash, {common}, $file_hash AS file_hash
        FROM (SELECT {rate_cols}, {dates} FROM rates) AS r
        LEFT JOIN core.dim_tariff_program AS p
          ON p.importer_id = $importer AND p.program_code = r.program_code
        """,
        parameters=rate_params,
    )
    _check_grain(con, "stage_line", LINE_KEY)
    _check_grain(con, "stage_rate", (*RATE_KEY, "valid_from"))


def _add_unknown_programs(con: duckdb.DuckDBPyConnection, importer: str) -> None:
    con.execute(
        """
        INSERT INTO core.dim_tariff_program
        SELECT DISTINCT $importer, program_code, NULL, NULL,
               'Met in a loaded schedule; not in warehouse/seeds/tariff_programs.csv: meaning unreviewed'
        FROM stage_rate
        WHERE program_code IS NOT NULL
          AND program_code NOT IN (SELECT program_code FROM core.dim_tariff_program WHERE importer_id = $importer)
        """,
        parameters={"importer": importer},
    )


def _check_order(con: duckdb.DuckDBPyConnection, batch: TariffBatch) -> None:
    newest = con.sql(
        "SELECT max(valid_from) FROM core.dim_tariff_edition WHERE importer_id = $i AND source = $s",
        params={"i": batch.importer_id, "s": batch.source},
    ).fetchall()[0][0]
    if newest is not None and batch.valid_from < newest and not batch.derived:
        raise OutOfOrderEditionError(
            f"{batch.edition}: valid from {batch.valid_from} is before the newest {batch.source} edition "
            f"already loaded ({newest}); editions are appended in date order"
        )


def check_removals(con: duckdb.DuckDBPyConnection, batch: TariffBatch) -> None:
    """Refuse a staged edition that would close more than ``batch.max_removed_share`` of the lines in
    force for its scope (a short or truncated file is not a schedule change). With nothing in force
    (the first edition) it always passes."""
    share = batch.max_removed_share
    if share is None:
        return
    in_force, removed = con.sql(
        """SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (
               SELECT 1 FROM stage_line AS s WHERE s.line_key IS NOT DISTINCT FROM t.line_key))
           FROM core.dim_tariff_line AS t WHERE importer_id = $i AND source = $s AND valid_to IS NULL""",
        params={"i": batch.importer_id, "s": batch.source},
    ).fetchall()[0]
    if in_force and removed > share * in_force:
        raise TooManyRemovalsError(
            f"{batch.edition}: this edition would close {removed:,} of the {in_force:,} {batch.source} lines in "
            f"force ({removed / in_force:.1%}, more than the {share:.1%} allowed by tariff_max_removed_share); "
            "nothing was loaded. A short or partial file? If the schedule really drops these lines, "
            "load it again with --allow-removals"
        )


def load_tariffs(con: duckdb.DuckDBPyConnection, batch: TariffBatch) -> TariffLoadResult:
    """Merge ``batch`` in one transaction; roll back on any error."""
    now = clock.now()
    with transaction(con):
        _check_order(con, batch)
        _stage(con, batch)
        check_removals(con, batch)
        _add_unknown_programs(con, batch.importer_id)
        if batch.derived:
            lines = _replace_scope(con, "core.dim_tariff_line", "stage_line", batch)
            rates = _replace_scope(con, "core.fact_tariff_rate", "stage_rate", batch)
        else:
            lines = _scd_merge(con, "core.dim_tariff_line", "stage_line", LINE_KEY, batch)
            rates = _scd_merge(con, "core.fact_tariff_rate", "stage_rate", RATE_KEY, batch)
        unparsed = con.sql("SELECT count(*) FROM stage_rate WHERE parse_status = 'unparsed'").fetchall()[0][0]
        _record_edition(con, batch, now, unparsed)
        message = (
            f"{batch.edition} valid from {batch.valid_from}: lines opened {lines[0]}, closed {lines[1]}, "
            f"unchanged {lines[2]}; rates opened {rates[0]}, closed {rates[1]}, unchanged {rates[2]}; "
            f"unparsed rate texts {unparsed}"
        )
        finished = close_run(con, batch, now, message, rates)
        con.execute("DROP TABLE stage_line")
        con.execute("DROP TABLE stage_rate")
    return TariffLoadResult(
        run_id=batch.run_id, rows_in=batch.rows_in, rows_quarantined=batch.rows_quarantined,
        lines_opened=lines[0], lines_closed=lines[1], lines_unchanged=lines[2],
        rates_opened=rates[0], rates_closed=rates[1], rates_unchanged=rates[2],
        unparsed_rates=unparsed, duration_s=(finished - batch.started_at).total_seconds(),
    )


def _record_edition(con: duckdb.DuckDBPyConnection, batch: TariffBatch, now: dt.datetime, unparsed: int) -> None:
    """The edition's row of core.dim_tariff_edition (replaced when the same edition loads again)."""
    total_rates = con.sql("SELECT count(*) FROM stage_rate").fetchall()[0][0]
    con.execute(
        """
        INSERT INTO core.dim_tariff_edition VALUES ($i, $s, $d, $e, $h, $r, $now, $lines, $rates, $unparsed)
        ON CONFLICT (importer_id, source, valid_from) DO UPDATE SET
            edition = excluded.edition, file_hash = excluded.file_hash, run_id = excluded.run_id,
            loaded_at = excluded.loaded_at, lines = excluded.lines, rates = excluded.rates,
            unparsed_rates = excluded.unparsed_rates
        """,
        parameters={
            "i": batch.importer_id, "s": batch.source, "d": batch.valid_from, "e": batch.edition,
            "h": batch.file_hash, "r": batch.run_id, "now": now, "lines": batch.lines.height,
            "rates": total_rates, "unparsed": unparsed,
        },
    )
