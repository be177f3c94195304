"""Raw model of a USITC DataWeb annual query export: one row per (measure, HTS code, country), one
text column per year, plus the ``Total:`` footer row (no HTS code or country; the transform checks
that data rows have both)."""

from __future__ import annotations

import pandera.polars as pa

from schemas.numbers import NumberFormat

DATAWEB_USD = NumberFormat(grouping=True)
"""DataWeb writes plain decimals in its data rows (4483.00) and thousands separators in its ``Total:``
footer (1,429,995,404,019): both forms are read, the grouping only in its exact 1,234,567.89 form."""


class DataWebRaw(pa.DataFrameModel):
    """Every field as text; year cells are non-negative numbers (thousands separators allowed)."""

    trade_flow: str = pa.Field(alias="Trade Flow", str_length={"min_value": 1})
    data_type: str = pa.Field(alias="Data Type", str_length={"min_value": 1})
    hts_number: str = pa.Field(alias="HTS Number", nullable=True, str_matches=r"^\d{2}(\d{2}){0,4}$")
    description: str = pa.Field(alias="Description", nullable=True)
    country: str = pa.Field(alias="Country", nullable=True)
    years: str = pa.Field(alias=r"^\d{4}$", regex=True, nullable=True)

    numbers = DATAWEB_USD.model_check(r"^\d{4}$")

    class Config:
        strict = False
