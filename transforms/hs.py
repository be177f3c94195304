"""Harmonized System codes: normalisation, vintages, product ids and dimension rows."""

from __future__ import annotations

import polars as pl

# First year each HS edition applied (HS1992 stands for the original 1988/1992 nomenclature).
HS_VINTAGES: tuple[tuple[int, str], ...] = (
    (2022, "HS2022"),
    (2017, "HS2017"),
    (2012, "HS2012"),
    (2007, "HS2007"),
    (2002, "HS2002"),
    (1996, "HS1996"),
    (0, "HS1992"),
)
TOTAL = "TOTAL"


def hs_vintage(year: int) -> str:
    """HS edition in force in ``year`` (e.g. 2016 -> HS2012)."""
    return next(name for first, name in HS_VINTAGES if year >= first)


def hs_vintage_expr(year: pl.Expr) -> pl.Expr:
    """Vectorised :func:`hs_vintage`."""
    expr = pl.lit(HS_VINTAGES[-1][1])
    for first, name in reversed(HS_VINTAGES[:-1]):
        expr = pl.when(year >= first).then(pl.lit(name)).otherwise(expr)
    return expr


def normalise_hs(code: pl.Expr, level: pl.Expr | None = None) -> pl.Expr:
    """Digits only ("8703.23.01" -> "87032301"); left-padded with zeros to ``level`` digits when given
    (a code read as a number loses its leading zero: 30111 at HS6 is 030111). Totals become TOTAL."""
    digits = code.cast(pl.String).str.strip_chars().str.replace_all(r"[^0-9]", "")
    if level is not None:
        digits = digits.str.zfill(level)
    raw = code.cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.when(raw.is_in(["-", "TOTAL", ""]) | raw.is_null()).then(pl.lit(TOTAL)).otherwise(digits)


def product_id_expr(vintage: pl.Expr, code: pl.Expr) -> pl.Expr:
    """TOTAL, or <vintage>:<digits>."""
    return pl.when(code == TOTAL).then(pl.lit(TOTAL)).otherwise(pl.format("{}:{}", vintage, code))


def product_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """core.dim_product rows from a frame with columns hs_vintage, code, description."""
    rows = (  # a code's smallest description (the first in sort order; null only when it has none)
        frame.group_by("hs_vintage", "code")
        .agg(pl.col("description").min())
        .with_columns(
            pl.when(pl.col("code") == TOTAL).then(None).otherwise(pl.col("hs_vintage")).alias("hs_vintage")
        )
    )
    level = pl.when(pl.col("code") == TOTAL).then(0).otherwise(pl.col("code").str.len_chars())
    parent_code = pl.when(level > 2).then(pl.col("code").str.slice(0, level - 2)).otherwise(None)
    return (
        rows.with_columns(level.cast(pl.Int32).alias("level"), parent_code.alias("parent_code"))
        .select(
            product_id_expr(pl.col("hs_vintage"), pl.col("code")).alias("product_id"),
            pl.when(pl.col("code") == TOTAL).then(pl.lit("TOTAL")).otherwise(pl.lit("HS")).alias("classification"),
            "hs_vintage",
            "code",
            "level",
            pl.when(pl.col("parent_code").is_null())
            .then(None)
            .otherwise(pl.format("{}:{}", pl.col("hs_vintage"), pl.col("parent_code")))
            .alias("parent_id"),
            pl.col("description").cast(pl.String),
        )
        .sort("description", nulls_last=True)  # TOTAL of two vintages is one product: its smallest description
        .unique("product_id", keep="first", maintain_order=True)
        .sort("product_id")
    )
