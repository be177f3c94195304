"""HS reference data: classification lists to product rows, conversion tables to concordance rows.

Concordance rows link a code of one vintage to codes of another with a weight; the weights of one
code sum to 1, so converting a value through them conserves it. The UN conversion tables give, for
each HS6 code of the newer vintage, the older code it falls in. From those links:

* newer -> older at HS6: weight 1 (or 1/k if a correlation table lists k older codes);
* older -> newer at HS6: equal shares, 1/k over the k newer codes that take from it;
* HS4 and HS2 in both directions: the share of the source code's HS6 links that lead to each target
  heading or chapter (a documented, count-based weight; no trade values are needed).
"""

from __future__ import annotations

import polars as pl

from schemas.raw.hs_reference import QUERY_GROUPS
from schemas.validation import REJECT_SCHEMA
from transforms.comtrade import VINTAGES
from transforms.conformed import FACT_SCHEMA, PERIOD_SCHEMA, Conformed

CONCORDANCE_SCHEMA = {
    "from_vintage": pl.String,
    "from_code": pl.String,
    "to_vintage": pl.String,
    "to_code": pl.String,
    "level": pl.Int32,
    "weight": pl.Float64,
    "links": pl.Int64,
}
LEVELS = (6, 4, 2)


def conform_classification(raw: pl.DataFrame, *, file_hash: str, crosswalk: pl.DataFrame | None = None) -> Conformed:
    """Product rows (one per HS code of the list's vintage); query-group entries are skipped. The
    country crosswalk every trade transform takes is unused: a classification names no country."""
    codes = raw.filter(~pl.col("id").is_in(list(QUERY_GROUPS)))
    vintage = pl.col("classCode").replace_strict(VINTAGES)
    level = pl.col("id").str.len_chars().cast(pl.Int32)
    products = codes.select(
        pl.format("{}:{}", vintage, pl.col("id")).alias("product_id"),
        pl.lit("HS").alias("classification"),
        vintage.alias("hs_vintage"),
        pl.col("id").alias("code"),
        level.alias("level"),
        pl.when(level > 2)
        .then(pl.format("{}:{}", vintage, pl.col("parent")))
        .otherwise(None)
        .alias("parent_id"),
        pl.col("text").str.replace(r"^\s*\d+\s*-\s*", "").alias("description"),
    )
    return Conformed(
        facts=pl.DataFrame(schema=FACT_SCHEMA),
        products=products,
        periods=pl.DataFrame(schema=PERIOD_SCHEMA),
        rejects=pl.DataFrame(schema=REJECT_SCHEMA),
        rows_skipped=raw.height - codes.height,
    )


def _weights(cut: pl.DataFrame, source: str, target: str, level: int) -> pl.DataFrame:
    """Rows from ``source`` codes to ``target`` codes, weighted by their share of the HS6 links."""
    key = [f"{source}_vintage", source, f"{target}_vintage"]
    counted = cut.group_by(*key, target).agg(pl.len().alias("links"))
    return counted.select(
        pl.col(f"{source}_vintage").alias("from_vintage"),
        pl.col(source).alias("from_code"),
        pl.col(f"{target}_vintage").alias("to_vintage"),
        pl.col(target).alias("to_code"),
        pl.lit(level, pl.Int32).alias("level"),
        (pl.col("links") / pl.col("links").sum().over(key)).alias("weight"),
        pl.col("links").cast(pl.Int64),
    )


def conform_concordance(raw: pl.DataFrame) -> pl.DataFrame:
    """Concordance rows in both directions at HS6, HS4 and HS2 from validated HS6 code pairs."""
    pairs = raw.select("new_vintage", "new_code", "old_vintage", "old_code").unique()
    parts = []
    for level in LEVELS:
        cut = pairs.select(
            "new_vintage",
            "old_vintage",
            pl.col("new_code").str.slice(0, level).alias("new"),
            pl.col("old_code").str.slice(0, level).alias("old"),
        )
        parts += [_weights(cut, "new", "old", level), _weights(cut, "old", "new", level)]
    return (
        pl.concat(parts)
        .cast(CONCORDANCE_SCHEMA)
        .sort("from_vintage", "to_vintage", "level", "from_code", "to_code")
    )
