"""Census port-level responses (year-to-date values by air and containerised vessel) to trade facts.

The warehouse has no port dimension, so only the all-ports rows (``PORT`` "-", the publisher's own
total over ports) become facts; the port rows are checked against them and reported in ``notes``.
Exports or imports are told by the commodity column (E_COMMODITY or I_COMMODITY).
Facts: source ``census_api``, reporter USA, flows X_AIR/X_CNT (exports) or M_AIR/M_CNT (imports),
which are partial by mode of transport and never used as a direction's total; shipping weight as
quantity in kg; period = the year, ``partial`` when the year-to-date stops before December.
"""

from __future__ import annotations

import polars as pl

from schemas.checks import is_blank
from schemas.numbers import parse_number
from transforms.census_api import LEVEL_DIGITS, REPORTER, SOURCE
from transforms.conformed import Conformed, hs_conformed, one_row_per_fact
from transforms.countries import resolve_countries
from transforms.hs import hs_vintage_expr, normalise_hs, product_id_expr

COMMODITY = {"export": "E_COMMODITY", "import": "I_COMMODITY"}
MODES = {"export": [("AIR", "X_AIR"), ("CNT", "X_CNT")], "import": [("AIR", "M_AIR"), ("CNT", "M_CNT")]}
ALL_PORTS = "-"


def _port_check(raw: pl.DataFrame) -> str:
    """One line comparing the sum of the port rows with the all-ports rows, per mode."""
    is_total = pl.col("PORT") == ALL_PORTS
    parts = []
    for mode in ("AIR", "CNT"):
        ports = raw.filter(~is_total).select(parse_number(f"{mode}_VAL_YR").sum()).item() or 0
        total = raw.filter(is_total).select(parse_number(f"{mode}_VAL_YR").sum()).item() or 0
        parts.append(f"{mode} all ports {total:,.0f} vs ports summed {ports:,.0f}")
    ports_rows = raw.filter(~is_total).height
    return f"{ports_rows} port rows kept out of the facts (no port dimension); " + "; ".join(parts)


def direction_of(raw: pl.DataFrame) -> str:
    """export or import, from the payload's commodity column."""
    found = [d for d, column in COMMODITY.items() if column in raw.columns]
    if len(found) != 1:
        raise ValueError(f"a port-level payload has exactly one of E_COMMODITY and I_COMMODITY, not {found}")
    return found[0]


def conform(raw: pl.DataFrame, *, crosswalk: pl.DataFrame, file_hash: str) -> Conformed:
    """Validated raw rows (text, with ``source_row``) to conformed facts for the all-ports rows."""
    direction = direction_of(raw)
    commodity = COMMODITY[direction]
    totals = raw.filter(pl.col("PORT") == ALL_PORTS)
    rows, rejects = resolve_countries(
        totals, code_column="CTY_CODE", schemes=["census_api", "census"], crosswalk=crosswalk, target="partner_id"
    )
    level = pl.col("COMM_LVL").replace_strict(LEVEL_DIGITS, return_dtype=pl.Int32)
    year = pl.col("time").str.slice(0, 4)
    rows = rows.with_columns(
        normalise_hs(pl.col(commodity), level).alias("code"),
        hs_vintage_expr(year.cast(pl.Int32)).alias("hs_vintage"),
        pl.lit(None, pl.String).alias("description"),
    ).with_columns(product_id_expr(pl.col("hs_vintage"), pl.col("code")).alias("product_id"))
    rows, repeated = one_row_per_fact(rows, ["partner_id", "product_id", "time"])
    rejects = pl.concat([rejects, repeated], how="vertical_relaxed")
    parts = [
        rows.select(
            pl.lit(SOURCE).alias("source"),
            pl.lit(REPORTER).alias("reporter_id"),
            "partner_id",
            "product_id",
            year.alias("period_id"),
            pl.lit(flow_id).alias("flow_id"),
            parse_number(f"{mode}_VAL_YR").alias("value_usd"),
            parse_number(f"{mode}_WGT_YR").alias("quantity"),
            pl.when(is_blank(f"{mode}_WGT_YR")).then(None).otherwise(pl.lit("kg")).alias("quantity_unit"),
            pl.when(is_blank(f"{mode}_VAL_YR"))
            .then(pl.lit("suppressed"))
            .when(pl.col("time").str.slice(5, 2) != "12")
            .then(pl.lit("partial"))
            .otherwise(pl.lit("reported"))
            .alias("value_status"),
            pl.lit(file_hash).alias("file_hash"),
        )
        for mode, flow_id in MODES[direction]
    ]
    return hs_conformed(parts, rows, rejects, notes=(_port_check(raw),))
