"""The reads the flows need, each named by what it answers (``flows/`` runs no SQL of its own)."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from transforms.korus_staging import StagingRule
from transforms.rate_layers import LayerRule


def last_loaded_month(con: duckdb.DuckDBPyConnection, source: str) -> str | None:
    """Latest monthly period the warehouse holds for ``source``."""
    # month ids are YYYY-MM, year ids YYYY (schemas.core.fact_trade): no join with dim_period, so
    # DuckDB answers from the two compressed columns in milliseconds however large the table
    rows = con.sql(
        "SELECT max(period_id) FROM core.fact_trade WHERE source = $source AND length(period_id) = 7",
        params={"source": source},
    ).fetchall()
    return rows[0][0]


def trade_fact_count(con: duckdb.DuckDBPyConnection) -> int:
    """Rows of core.fact_trade."""
    return con.sql("SELECT count(*) FROM core.fact_trade").fetchall()[0][0]


def country_crosswalk(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The country-code crosswalk (scheme, code, country_id)."""
    return con.sql("SELECT scheme, code, country_id FROM core.dim_country_code").pl()


def _country_column(con: duckdb.DuckDBPyConnection, column: str, countries: list[str]) -> dict[str, str]:
    return dict(con.execute(
        f"SELECT country_id, {column} FROM core.dim_country WHERE list_contains(?, country_id)", [countries]
    ).fetchall())


def comtrade_codes(con: duckdb.DuckDBPyConnection, countries: list[str]) -> dict[str, str]:
    """Comtrade's code of each of ``countries`` (ISO3) that core.dim_country knows."""
    return _country_column(con, "comtrade_code", countries)


def iso2_codes(con: duckdb.DuckDBPyConnection, countries: list[str]) -> dict[str, str]:
    """The ISO2 code of each of ``countries`` (ISO3) that core.dim_country knows."""
    return _country_column(con, "iso2", countries)


def staging_rules(con: duckdb.DuckDBPyConnection, agreement: str, importer: str) -> dict[str, StagingRule]:
    """The reviewed staging rules of an agreement's schedule for ``importer``, by category."""
    rows = con.sql(
        """SELECT category, rule_kind, stages, duty_free_year, floor_pct, usable
           FROM core.dim_staging_category WHERE agreement_id = $a AND importer_id = $i""",
        params={"a": agreement, "i": importer},
    ).fetchall()
    return {r[0]: StagingRule(*r) for r in rows}


def agreement_in_force(con: duckdb.DuckDBPyConnection, agreement: str) -> dt.date | None:
    """The date ``agreement`` entered into force (core.dim_agreement, seeded); None if unknown."""
    found = con.sql(
        "SELECT in_force_date FROM core.dim_agreement WHERE agreement_id = $a", params={"a": agreement}
    ).fetchall()
    return found[0][0] if found else None


def rate_layer_rules(con: duckdb.DuckDBPyConnection, importer: str) -> dict[str, LayerRule]:
    """How each rate code of ``importer``'s schedule layers over the others (core.dim_rate_layer)."""
    rows = con.sql(
        """SELECT rate_code, layer_kind, precedence_rank, rule, program_code FROM core.dim_rate_layer
           WHERE importer_id = $i""",
        params={"i": importer},
    ).fetchall()
    return {r[0]: LayerRule(*r) for r in rows}


def unparsed_rate_texts(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, int]]:
    """Distinct unparsed rate texts in the edition a run loaded, with row counts, most frequent first."""
    return con.sql(
        """SELECT r.rate_text, count(*) AS n FROM core.fact_tariff_rate AS r
           JOIN core.dim_tariff_edition AS e USING (importer_id, source)
           WHERE e.run_id = $run AND r.parse_status = 'unparsed' AND r.valid_from <= e.valid_from
             AND (r.valid_to IS NULL OR r.valid_to > e.valid_from)
           GROUP BY r.rate_text ORDER BY n DESC, r.rate_text""",
        params={"run": run_id},
    ).fetchall()


def pair_trade_balance(con: duckdb.DuckDBPyConnection, reporter: str, partner: str) -> list[tuple]:
    """marts.trade_balance for one pair: (source, year, exports, imports, balance in billion USD,
    months covered), by source and year."""
    return con.sql(
        """
        SELECT source, year, exports_usd / 1e9, imports_usd / 1e9, balance_usd / 1e9, months_covered
        FROM marts.trade_balance
        WHERE reporter_iso3 = $r AND partner_iso3 = $p
        ORDER BY source, year
        """,
        params={"r": reporter, "p": partner},
    ).fetchall()
