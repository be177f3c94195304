"""Source country codes to the warehouse's country_id, through the code crosswalk."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from schemas.validation import reject_rows


def resolve_countries(
    frame: pl.DataFrame,
    *,
    code_column: str,
    schemes: Sequence[str],
    crosswalk: pl.DataFrame,
    target: str,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add ``target`` (a country_id) for each row's code; rows with unknown codes become rejects.

    ``crosswalk`` has columns scheme, code, country_id (core.dim_country_code); where a code is
    known under several of ``schemes``, the first scheme listed wins.
    """
    priority = {name: rank for rank, name in enumerate(schemes)}
    codes = (
        crosswalk.filter(pl.col("scheme").is_in(list(schemes)))
        .with_columns(pl.col("scheme").replace_strict(priority, return_dtype=pl.Int32).alias("__rank"))
        .sort("__rank")
        .unique("code", keep="first")
        .select(pl.col("code").alias("__code"), pl.col("country_id").alias(target))
    )
    joined = frame.with_columns(pl.col(code_column).str.strip_chars().alias("__code")).join(
        codes, on="__code", how="left"
    )
    unknown = joined.filter(pl.col(target).is_null()).drop("__code", target)
    reason = pl.format("unknown {} country code {}", pl.lit(schemes[-1]), pl.col(code_column))
    rejects = reject_rows(unknown, code_column, reason)
    return joined.filter(pl.col(target).is_not_null()).drop("__code"), rejects
