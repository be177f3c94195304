"""Reusable polars expressions for pandera custom checks."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


def is_blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def is_known_hs_chapter(column: str) -> pl.Expr:
    """Non-numeric codes (TOTAL, -) pass; an HS code's chapter must exist: 01-97, or 98-99 (national
    provisions); 00 and 77 (reserved by the HS) do not."""
    chapter = pl.col(column).str.slice(0, 2).cast(pl.Int32, strict=False)
    return (~pl.col(column).str.contains(r"^\d") | (chapter.is_between(1, 99) & (chapter != 77))).fill_null(False)


def hs_chapter_check(column: str) -> classmethod:
    """A raw model's pandera check, assigned in its class body, that ``column``'s HS codes have a known
    chapter (:func:`is_known_hs_chapter`)."""

    def chapter(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(is_known_hs_chapter(data.key))

    return pa.check(column, name="known HS chapter")(chapter)
