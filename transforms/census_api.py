"""Census international trade API responses (one month, one direction, one HS level) to trade facts.

Rows keep their own product level (COMM_LVL) and country code, aggregates included; the marts never
add rows of different levels or aggregates to countries (see marts.trade_yearly).
Census values are whole US dollars; a blank value is kept as null with status ``suppressed``.
A measure whose column the payload lacks (an extract with a subset of variables) gives no facts.
Calculated duty and dutiable value load as their own flows, which balances never use.
"""

from __future__ import annotations

import polars as pl

from schemas.checks import is_blank
from schemas.numbers import parse_number
from transforms.conformed import Conformed, hs_conformed, one_row_per_fact
from transforms.countries import resolve_countries
from transforms.hs import hs_vintage_expr, normalise_hs, product_id_expr

SOURCE = "census_api"
REPORTER = "USA"

# direction -> (commodity field, description field, [(value field, flow_id, quantity field or None)])
MEASURES: dict[str, tuple[str, str, list[tuple[str, str, str | None]]]] = {
    "export": ("E_COMMODITY", "E_COMMODITY_LDESC", [("ALL_VAL_MO", "X_FAS", "QTY_1_MO")]),
    "import": (
        "I_COMMODITY",
        "I_COMMODITY_LDESC",
        [
            ("GEN_VAL_MO", "M_GEN_CUSTOMS", "GEN_QY1_MO"),
            ("CON_VAL_MO", "M_CON_CUSTOMS", None),
            ("GEN_CIF_MO", "M_GEN_CIF", None),
            ("CAL_DUT_MO", "M_CAL_DUTY", None),
            ("DUT_VAL_MO", "M_DUTIABLE", None),
        ],
    ),
}
LEVEL_DIGITS = {"HS2": 2, "HS4": 4, "HS6": 6, "HS10": 10}


def conform(raw: pl.DataFrame, *, direction: str, crosswalk: pl.DataFrame, file_hash: str) -> Conformed:
    """Validated raw rows (text, with ``source_row``) to conformed facts; unknown codes are rejects."""
    commodity, description, measures = MEASURES[direction]
    rows, rejects = resolve_countries(
        raw, code_column="CTY_CODE", schemes=["census_api", "census"], crosswalk=crosswalk, target="partner_id"
    )
    level = pl.col("COMM_LVL").replace_strict(LEVEL_DIGITS, return_dtype=pl.Int32)
    rows = rows.with_columns(
        normalise_hs(pl.col(commodity), level).alias("code"),
        hs_vintage_expr(pl.col("time").str.slice(0, 4).cast(pl.Int32)).alias("hs_vintage"),
        (pl.col(description) if description in rows.columns else pl.lit(None, pl.String)).alias("description"),
    ).with_columns(product_id_expr(pl.col("hs_vintage"), pl.col("code")).alias("product_id"))
    rows, repeated = one_row_per_fact(rows, ["partner_id", "product_id", "time"])
    rejects = pl.concat([rejects, repeated], how="vertical_relaxed")

    parts = []
    unit = pl.col("UNIT_QY1").str.strip_chars() if "UNIT_QY1" in rows.columns else pl.lit(None, pl.String)
    for value_field, flow_id, quantity_field in measures:
        if value_field not in rows.columns:
            continue
        has_quantity = quantity_field is not None and quantity_field in rows.columns
        parts.append(
            rows.select(
                pl.lit(SOURCE).alias("source"),
                pl.lit(REPORTER).alias("reporter_id"),
                "partner_id",
                "product_id",
                pl.col("time").alias("period_id"),
                pl.lit(flow_id).alias("flow_id"),
                parse_number(value_field).alias("value_usd"),
                (parse_number(quantity_field) if has_quantity else pl.lit(None, pl.Float64)).alias("quantity"),
                (
                    pl.when(unit.is_in(["", "-"])).then(None).otherwise(unit)
                    if has_quantity
                    else pl.lit(None, pl.String)
                ).alias("quantity_unit"),
                pl.when(is_blank(value_field)).then(pl.lit("suppressed")).otherwise(pl.lit("reported")).alias("value_status"),
                pl.lit(file_hash).alias("file_hash"),
            )
        )
    return hs_conformed(parts, rows, rejects)
