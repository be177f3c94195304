"""Calendar periods: ids YYYY (a year) and YYYY-MM (a month), and their dimension rows."""

from __future__ import annotations

import polars as pl


def month_id(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    """YYYY-MM from integer year and month expressions."""
    return pl.format("{}-{}", year, month.cast(pl.String).str.zfill(2))


def period_rows(period_ids: pl.Series) -> pl.DataFrame:
    """core.dim_period rows for the distinct ids in ``period_ids``."""
    ids = pl.DataFrame({"period_id": period_ids.unique().sort()})
    parts = ids.with_columns(
        pl.col("period_id").str.slice(0, 4).cast(pl.Int32).alias("year"),
        pl.col("period_id").str.slice(5, 2).cast(pl.Int32, strict=False).alias("month"),
    )
    return parts.select(
        "period_id",
        pl.when(pl.col("month").is_null()).then(pl.lit("year")).otherwise(pl.lit("month")).alias("period_grain"),
        "year",
        "month",
        pl.date(pl.col("year"), pl.col("month").fill_null(1), 1).alias("start_date"),
        pl.when(pl.col("month").is_null())
        .then(pl.date(pl.col("year"), 12, 31))
        .otherwise(pl.date(pl.col("year"), pl.col("month"), 1).dt.month_end())
        .alias("end_date"),
    )
