"""Korea Customs Service ``getNitemtradeList`` items to trade facts (Korea's side of its trade).

The reporter is the publisher's own country (``REPORTER``); the partner is the item's ISO2
``statCd`` through the crosswalk (scheme ``iso2``). Exports are FOB (``X_FOB``, ``expDlr``, weight
``expWgt`` kg), imports CIF (``M_CIF``, ``impDlr``, weight ``impWgt`` kg), both in US dollars as
published. ``year`` YYYY.MM is the month; each row keeps its own HS level, the length of its
``hsCd`` (2, 4, 6 or 10 digits), with the HS edition in force that year. The publisher's total rows
(``year`` 총계/합계, or ``statCd`` / ``hsCd`` "-") are not facts: they are skipped and counted.
A row repeating another's partner, code and month is a reject.
"""

from __future__ import annotations

import polars as pl

from schemas.checks import is_blank
from schemas.columns import ROW_COLUMN
from schemas.numbers import PLAIN_QUANTITY, PLAIN_USD, NumberFormat, parse_number
from schemas.validation import reject_rows
from transforms.conformed import Conformed, hs_conformed
from transforms.countries import resolve_countries
from transforms.hs import hs_vintage_expr, normalise_hs, product_id_expr

SOURCE = "kcs_trade"
REPORTER = "KOR"
"""The country whose customs publishes the statistics (the source's identity, as Census's USA)."""
MEASURES = (("X_FOB", "expDlr", "expWgt"), ("M_CIF", "impDlr", "impWgt"))
KEY = ["partner_id", "code", "period_id"]


def number(column: str, fmt: NumberFormat = PLAIN_USD) -> pl.Expr:
    """A validated amount (or weight, ``fmt`` PLAIN_QUANTITY) as Float64, by the one number parser."""
    return parse_number(column, fmt)


def is_total() -> pl.Expr:
    """The publisher's total rows: no month, no partner or no HS code."""
    return (
        ~pl.col("year").str.contains(r"^\d{4}\.\d{2}$")
        | (pl.col("statCd").str.strip_chars() == "-")
        | (pl.col("hsCd").str.strip_chars() == "-")
    )


def conform(raw: pl.DataFrame, *, crosswalk: pl.DataFrame, file_hash: str) -> Conformed:
    """Validated raw items (text, with ``source_row``) to conformed facts; unknown partners and
    repeated keys are rejects, total rows are skipped."""
    totals = raw.filter(is_total())
    rows, rejects = resolve_countries(
        raw.filter(~is_total()), code_column="statCd", schemes=["iso2"], crosswalk=crosswalk,
        target="partner_id",
    )
    period = pl.col("year").str.replace(".", "-", literal=True)
    rows = rows.with_columns(
        normalise_hs(pl.col("hsCd")).alias("code"),
        period.alias("period_id"),
        hs_vintage_expr(pl.col("year").str.slice(0, 4).cast(pl.Int32)).alias("hs_vintage"),
        (pl.col("statKor") if "statKor" in rows.columns else pl.lit(None, pl.String)).alias("description"),
    ).with_columns(product_id_expr(pl.col("hs_vintage"), pl.col("code")).alias("product_id"))
    rows = rows.sort(ROW_COLUMN)
    first = pl.struct(KEY).is_first_distinct()
    repeated = rows.filter(~first).drop("partner_id", "code", "period_id", "hs_vintage", "description", "product_id")
    reason = pl.lit("repeats an earlier item's partner, HS code and month")
    rejects = pl.concat([rejects, reject_rows(repeated, "hsCd", reason)], how="vertical_relaxed")
    rows = rows.filter(first)

    parts = []
    for flow_id, value, weight in MEASURES:
        quantity = number(weight, PLAIN_QUANTITY) if weight in rows.columns else pl.lit(None, pl.Float64)
        parts.append(rows.select(
            pl.lit(SOURCE).alias("source"),
            pl.lit(REPORTER).alias("reporter_id"),
            "partner_id",
            "product_id",
            "period_id",
            pl.lit(flow_id).alias("flow_id"),
            number(value).alias("value_usd"),
            quantity.alias("quantity"),
            pl.when(quantity.is_not_null()).then(pl.lit("kg")).otherwise(None).alias("quantity_unit"),
            pl.when(is_blank(value)).then(pl.lit("suppressed")).otherwise(pl.lit("reported")).alias("value_status"),
            pl.lit(file_hash).alias("file_hash"),
        ))
    return hs_conformed(parts, rows, rejects, rows_skipped=totals.height)
