"""Raw model of a USITC DataWeb annual query export: one row per (measure, HTS code, country), one
text column per year, plus the ``Total:`` footer row (no HTS code or country; the transform checks
that data rows have both)."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.checks import as_number, is_blank


class DataWebRaw(pa.DataFrameModel):
    """Every field as text; year cells are non-negative numbers (thousands separators allowed)."""

    trade_flow: str = pa.Field(alias="Trade Flow", str_length={"min_value": 1})
    data_type: str = pa.Field(alias="Data Type", str_length={"min_value": 1})
    hts_number: str = pa.Field(alias="HTS Number", nullable=True, str_matches=r"^\d{2}(\d{2}){0,4}$")
    description: str = pa.Field(alias="Description", nullable=True)
    country: str = pa.Field(alias="Country", nullable=True)
    years: str = pa.Field(alias=r"^\d{4}$", regex=True, nullable=True)

    @pa.check(r"^\d{4}$", name="blank or non-negative number")
    def numbers(cls, data: pa.PolarsData) -> pl.LazyFrame:
        value = as_number(data.key)
        return data.lazyframe.select(is_blank(data.key) | (value.is_not_null() & (value >= 0)))

    class Config:
        strict = False
