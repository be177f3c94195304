"""The Great Expectations suites run on the loaded warehouse before each load commits.

Each suite is a SQL query (aggregated in DuckDB first, so the frame GX sees stays small) and the
expectations that frame must meet; every expectation is marked critical (a failure rolls the run
back) or warning (reported, the run commits). ``key`` names the column that identifies a failing row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import great_expectations.expectations as gxe

from schemas.core.fact_trade import GRAIN, VALUE_STATUSES
from warehouse.quality.report import CRITICAL, WARNING
from warehouse.tariff_loader import RATE_KEY

MAX_VALUE_USD = 1e14
"""No single trade value comes near 100 trillion dollars (world trade is about 25 trillion a year)."""
MONTH_ROUNDING_USD = 100_000.0
"""Census publishes months in millions with one decimal: each month may be off by up to 0.1 M."""
PUBLISHED_ANNUAL_SOURCES = ("census_country_totals",)
"""Sources whose annual figure is the publisher's own total of its months."""
CHAPTER_TOLERANCE_SHARE = 0.001


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    query: str
    key: str
    expectations: Callable[[], list[gxe.Expectation]]


def _meta(severity: str, why: str) -> dict[str, str]:
    return {"severity": severity, "notes": why}


def _grain_query() -> str:
    facts = {
        "core.fact_trade": GRAIN,
        "core.fact_trade_revision": [*GRAIN, "superseded_at"],
        "core.fact_tariff_rate": ["importer_id", "source", *RATE_KEY, "valid_from"],
    }
    return "\nUNION ALL\n".join(
        f"SELECT '{table}' AS fact, count(*) AS row_count, count(DISTINCT ({', '.join(key)})) AS key_count FROM {table}"
        for table, key in facts.items()
    )


FOREIGN_KEYS = [
    ("core.fact_trade", "reporter_id", "core.dim_country", "country_id"),
    ("core.fact_trade", "partner_id", "core.dim_country", "country_id"),
    ("core.fact_trade", "product_id", "core.dim_product", "product_id"),
    ("core.fact_trade", "period_id", "core.dim_period", "period_id"),
    ("core.fact_trade", "flow_id", "core.dim_flow", "flow_id"),
    ("core.fact_trade", "file_hash", "meta.landed_files", "file_hash"),
    ("core.dim_country_code", "country_id", "core.dim_country", "country_id"),
    ("core.fact_tariff_rate", "importer_id", "core.dim_country", "country_id"),
    ("core.fact_tariff_rate", "agreement_id", "core.dim_agreement", "agreement_id"),
]


def _foreign_key_query() -> str:
    return "\nUNION ALL\n".join(
        f"SELECT '{table}.{column} -> {dim}' AS relation, count(DISTINCT f.{column}) AS orphans "
        f"FROM {table} AS f ANTI JOIN {dim} AS d ON f.{column} = d.{dim_column} WHERE f.{column} IS NOT NULL"
        for table, column, dim, dim_column in FOREIGN_KEYS
    )


def _grain() -> list[gxe.Expectation]:
    why = "each fact table holds one row per grain key"
    return [gxe.ExpectColumnPairValuesToBeEqual(column_A="row_count", column_B="key_count", meta=_meta(CRITICAL, why))]


def _foreign_keys() -> list[gxe.Expectation]:
    why = "every key a fact references exists in its dimension"
    return [gxe.ExpectColumnValuesToBeBetween(column="orphans", min_value=0, max_value=0, meta=_meta(CRITICAL, why))]


def _value_ranges() -> list[gxe.Expectation]:
    latest_year = dt.date.today().year + 1
    return [
        gxe.ExpectColumnValuesToBeInSet(column="value_status", value_set=VALUE_STATUSES,
                                        meta=_meta(CRITICAL, "known value statuses only")),
        gxe.ExpectColumnValuesToBeBetween(column="min_value_usd", min_value=0,
                                          meta=_meta(CRITICAL, "trade values are never negative")),
        gxe.ExpectColumnValuesToBeBetween(column="max_value_usd", max_value=MAX_VALUE_USD,
                                          meta=_meta(CRITICAL, "no value near 100 trillion USD (a unit error)")),
        gxe.ExpectColumnValuesToBeBetween(column="min_quantity", min_value=0,
                                          meta=_meta(CRITICAL, "quantities are never negative")),
        gxe.ExpectColumnValuesToBeBetween(column="min_year", min_value=1900,
                                          meta=_meta(CRITICAL, "periods from 1900")),
        gxe.ExpectColumnValuesToBeBetween(column="max_year", max_value=latest_year,
                                          meta=_meta(CRITICAL, "no period after next year")),
        gxe.ExpectColumnValuesToBeBetween(column="suppressed_with_value", min_value=0, max_value=0,
                                          meta=_meta(CRITICAL, "a withheld value is null, never a number")),
    ]


def _ranking() -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToBeInSet(column="is_aggregate", value_set=[False],
                                        meta=_meta(CRITICAL, "World, unions and regions are never ranked")),
        gxe.ExpectColumnValuesToBeBetween(column="rank", min_value=1, meta=_meta(CRITICAL, "ranks start at 1")),
    ]


def _within_tolerance(severity: str, why: str) -> Callable[[], list[gxe.Expectation]]:
    def expectations() -> list[gxe.Expectation]:
        return [gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="tolerance_usd", column_B="difference_usd", or_equal=True, meta=_meta(severity, why)
        )]

    return expectations


_SERIES = "source, reporter_id, partner_id, product_id, flow_id"

SUITES: list[Suite] = [
    Suite("fact_grain", "The grain of each fact table is unique.", _grain_query(), "fact", _grain),
    Suite("foreign_keys", "Every foreign key is found in its dimension.", _foreign_key_query(), "relation",
          _foreign_keys),
    Suite(
        "value_ranges",
        "Trade values, quantities, statuses and years are in range (profiled per source, flow and status).",
        """
        SELECT f.source || ' ' || f.flow_id || ' ' || f.value_status AS series, f.value_status,
               count(*) AS facts,
               min(f.value_usd)::DOUBLE AS min_value_usd, max(f.value_usd)::DOUBLE AS max_value_usd,
               min(f.quantity) AS min_quantity,
               count(*) FILTER (WHERE f.value_status = 'suppressed' AND f.value_usd IS NOT NULL)
                   AS suppressed_with_value,
               min(p.year) AS min_year, max(p.year) AS max_year
        FROM core.fact_trade AS f LEFT JOIN core.dim_period AS p USING (period_id)
        GROUP BY ALL
        """,
        "series",
        _value_ranges,
    ),
    Suite(
        "partner_ranking",
        "Only countries are ranked among partners: no aggregates.",
        """
        SELECT r.source || ' ' || r.reporter_iso3 || ' ' || r.year || ' ' || r.partner_iso3 AS ranked,
               coalesce(c.is_aggregate, true) AS is_aggregate, r.rank
        FROM marts.partner_rank AS r LEFT JOIN core.dim_country AS c ON c.country_id = r.partner_iso3
        """,
        "ranked",
        _ranking,
    ),
    Suite(
        "annual_reconciliation",
        "The publisher's own annual figure equals the sum of its months (0.1 M USD rounding per month).",
        f"""
        WITH months AS (
            SELECT {_SERIES}, left(period_id, 4) AS period_id, sum(value_usd) AS months_usd, count(*) AS months
            FROM core.fact_trade
            WHERE length(period_id) = 7 AND value_usd IS NOT NULL
              AND source IN ({", ".join(f"'{s}'" for s in PUBLISHED_ANNUAL_SOURCES)})
            GROUP BY ALL
        )
        SELECT y.source || ' ' || y.partner_id || ' ' || y.product_id || ' ' || y.flow_id || ' ' || y.period_id
                   AS series,
               y.value_usd::DOUBLE AS annual_usd, m.months_usd::DOUBLE AS months_usd, m.months,
               abs(y.value_usd - m.months_usd)::DOUBLE AS difference_usd,
               m.months * {MONTH_ROUNDING_USD} AS tolerance_usd
        FROM core.fact_trade AS y JOIN months AS m USING ({_SERIES}, period_id)
        WHERE length(y.period_id) = 4 AND y.value_usd IS NOT NULL
        """,
        "series",
        _within_tolerance(CRITICAL, "a published annual total equals its months"),
    ),
    Suite(
        "chapter_reconciliation",
        "A partner's HS chapters sum to its total where both are loaded (warning: the publisher may "
        "withhold a chapter).",
        f"""
        WITH facts AS (
            SELECT f.*, p.level FROM core.fact_trade AS f JOIN core.dim_product AS p USING (product_id)
            WHERE f.value_usd IS NOT NULL
        ),
        chapters AS (
            SELECT source, reporter_id, partner_id, period_id, flow_id,
                   sum(value_usd) AS chapters_usd, count(*) AS chapters
            FROM facts WHERE level = 2 GROUP BY ALL
        )
        SELECT t.source || ' ' || t.partner_id || ' ' || t.flow_id || ' ' || t.period_id AS series,
               t.value_usd::DOUBLE AS total_usd, c.chapters_usd::DOUBLE AS chapters_usd,
               abs(t.value_usd - c.chapters_usd)::DOUBLE AS difference_usd,
               greatest(t.value_usd * {CHAPTER_TOLERANCE_SHARE}, 1.0 * c.chapters)::DOUBLE AS tolerance_usd
        FROM facts AS t JOIN chapters AS c USING (source, reporter_id, partner_id, period_id, flow_id)
        WHERE t.product_id = 'TOTAL'
        """,
        "series",
        _within_tolerance(WARNING, "HS chapters sum to the partner's total"),
    ),
]
