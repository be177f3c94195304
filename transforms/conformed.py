"""The shape every source's transform returns: facts and the dimension rows they need."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from schemas.validation import repeated_keys
from transforms.hs import product_rows
from transforms.periods import period_rows

FACT_SCHEMA = {
    "source": pl.String,
    "reporter_id": pl.String,
    "partner_id": pl.String,
    "product_id": pl.String,
    "period_id": pl.String,
    "flow_id": pl.String,
    "value_usd": pl.Float64,
    "quantity": pl.Float64,
    "quantity_unit": pl.String,
    "value_status": pl.String,
    "file_hash": pl.String,
}
PRODUCT_SCHEMA = {
    "product_id": pl.String,
    "classification": pl.String,
    "hs_vintage": pl.String,
    "code": pl.String,
    "level": pl.Int32,
    "parent_id": pl.String,
    "description": pl.String,
}
PERIOD_SCHEMA = {
    "period_id": pl.String,
    "period_grain": pl.String,
    "year": pl.Int32,
    "month": pl.Int32,
    "start_date": pl.Date,
    "end_date": pl.Date,
}


@dataclass(frozen=True)
class Conformed:
    """Output of a transform: rows for core.fact_trade, dim_product, dim_period, and rejects.

    ``rejects`` follows ``schemas.validation.REJECT_SCHEMA`` (row_number, field, value, reason,
    raw_record); ``rows_skipped`` counts cells the publisher had not released (not facts);
    ``notes`` are one-line findings worth reporting with the run (e.g. a checked publisher total).
    """

    facts: pl.DataFrame
    products: pl.DataFrame
    periods: pl.DataFrame
    rejects: pl.DataFrame
    rows_skipped: int = 0
    notes: tuple[str, ...] = ()


DERIVED = ("partner_id", "reporter_id", "product_id", "code", "hs_vintage", "description")
"""Columns a transform adds to raw rows before building facts."""


def one_row_per_fact(rows: pl.DataFrame, key: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows whose fact key (after code mapping) no other row has, and rejects for every row of a
    repeated key (two codes of one country, say): no copy is guessed to be the right one."""
    derived = {c: f"__{c}" for c in DERIVED if c in rows.columns}
    kept, rejects = repeated_keys(
        rows.rename(derived), [derived.get(c, c) for c in key], "CTY_CODE",
        "partner, product and period after code mapping",
    )
    return kept.rename({v: k for k, v in derived.items()}), rejects


def fact_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Select and type the fact columns in warehouse order."""
    return frame.select([pl.col(name).cast(dtype) for name, dtype in FACT_SCHEMA.items()])


def hs_conformed(parts: list[pl.DataFrame], rows: pl.DataFrame, rejects: pl.DataFrame, **extra: object) -> Conformed:
    """The facts of ``parts`` in warehouse order with the products of ``rows`` and the periods the facts
    name; ``extra``: ``rows_skipped``, ``notes``."""
    facts = fact_frame(pl.concat(parts))
    periods = period_rows(facts.get_column("period_id"))
    return Conformed(facts=facts, products=product_rows(rows), periods=periods, rejects=rejects, **extra)


def stack(frames: list[pl.DataFrame], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Concatenate frames of one schema; an empty list gives an empty frame of that schema."""
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat([f.select(list(schema)).cast(schema) for f in frames], how="vertical")
