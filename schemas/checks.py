"""Reusable polars expressions for pandera custom checks."""

from __future__ import annotations

import polars as pl


def as_number(column: str) -> pl.Expr:
    """The text column parsed as a float, null where it does not parse."""
    return pl.col(column).str.strip_chars().str.replace_all(",", "").cast(pl.Float64, strict=False)


def is_non_negative_number(column: str) -> pl.Expr:
    value = as_number(column)
    return value.is_not_null() & value.is_finite() & (value >= 0)


def is_blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")
