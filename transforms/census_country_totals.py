"""Census "U.S. trade in goods by country" (wide, millions of USD) to trade facts.

Each file row (year, CTY_CODE) carries 12 monthly values and an annual total per direction.
Facts: one per month and one per annual total (the publisher's own figure), reporter USA, product
TOTAL, exports at FAS value (X_FAS) and general imports at customs value (M_GEN_CUSTOMS).
In the file's latest year, the months after the last one published are shown as 0 in every row:
those cells are not facts (they are counted as skipped) and that year's annual figures are marked
partial. A zero anywhere else is a reported zero.
"""

from __future__ import annotations

import polars as pl

from schemas.numbers import parse_number
from schemas.raw.census_country_totals import MILLION, MILLIONS_USD, MONTHS, VALUE_COLUMNS
from transforms.conformed import PRODUCT_SCHEMA, Conformed, fact_frame
from transforms.countries import resolve_countries
from transforms.hs import TOTAL
from transforms.periods import period_rows

SOURCE = "census_country_totals"
REPORTER = "USA"
FLOW_BY_SIDE = {"E": "X_FAS", "I": "M_GEN_CUSTOMS"}


def unpublished_months(raw: pl.DataFrame) -> pl.DataFrame:
    """(year, column) cells not yet published: in the file's latest year, the months after the last
    month with any non-zero value (the file shows them as 0 in every row)."""
    if raw.height == 0:
        return pl.DataFrame(schema={"year": pl.String, "column": pl.String})
    latest = raw.get_column("year").max()
    rows = raw.filter(pl.col("year") == latest)
    published = [
        i for i, m in enumerate(MONTHS)
        if rows.select(
            parse_number(f"I{m}", MILLIONS_USD).abs().sum() + parse_number(f"E{m}", MILLIONS_USD).abs().sum()
        ).item() > 0
    ]
    after = (max(published) + 1) if published else 0
    columns = [f"{side}{m}" for m in MONTHS[after:] for side in "IE"]
    return pl.DataFrame({"year": [latest] * len(columns), "column": columns}, schema={"year": pl.String, "column": pl.String})


def conform(raw: pl.DataFrame, *, crosswalk: pl.DataFrame, file_hash: str) -> Conformed:
    """Validated raw rows (text, with ``source_row``) to conformed facts; unknown codes are rejects."""
    rows, rejects = resolve_countries(
        raw, code_column="CTY_CODE", schemes=["census"], crosswalk=crosswalk, target="partner_id"
    )
    unpublished = unpublished_months(raw)
    long = rows.select("year", "partner_id", *VALUE_COLUMNS).unpivot(
        index=["year", "partner_id"], variable_name="column", value_name="text"
    )
    skipped = long.join(unpublished, on=["year", "column"], how="semi")
    long = long.join(unpublished, on=["year", "column"], how="anti")
    partial_years = unpublished.get_column("year").unique()

    side = pl.col("column").str.slice(0, 1)
    suffix = pl.col("column").str.slice(1)
    month_number = suffix.replace_strict(
        {m: f"{i:02d}" for i, m in enumerate(MONTHS, start=1)}, default=None, return_dtype=pl.String
    )
    facts = long.with_columns(
        pl.lit(SOURCE).alias("source"),
        pl.lit(REPORTER).alias("reporter_id"),
        pl.lit(TOTAL).alias("product_id"),
        pl.when(suffix == "YR")
        .then(pl.col("year"))
        .otherwise(pl.format("{}-{}", pl.col("year"), month_number))
        .alias("period_id"),
        side.replace_strict(FLOW_BY_SIDE).alias("flow_id"),
        (parse_number("text", MILLIONS_USD) * MILLION).round(2).alias("value_usd"),
        pl.lit(None, dtype=pl.Float64).alias("quantity"),
        pl.lit(None, dtype=pl.String).alias("quantity_unit"),
        pl.when((suffix == "YR") & pl.col("year").is_in(partial_years.implode()))
        .then(pl.lit("partial"))
        .otherwise(pl.lit("reported"))
        .alias("value_status"),
        pl.lit(file_hash).alias("file_hash"),
    )
    facts = fact_frame(facts)
    products = pl.DataFrame(
        {
            "product_id": [TOTAL],
            "classification": ["TOTAL"],
            "hs_vintage": [None],
            "code": [TOTAL],
            "level": [0],
            "parent_id": [None],
            "description": ["All goods"],
        },
        schema=PRODUCT_SCHEMA,
    )
    return Conformed(
        facts=facts,
        products=products,
        periods=period_rows(facts.get_column("period_id")),
        rejects=rejects,
        rows_skipped=skipped.height,
    )

