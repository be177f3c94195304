"""Model of ``core.dim_period`` rows."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl


class DimPeriod(pa.DataFrameModel):
    """Grain: period_id (YYYY or YYYY-MM)."""

    period_id: str = pa.Field(unique=True, str_matches=r"^\d{4}(-(0[1-9]|1[0-2]))?$")
    period_grain: str = pa.Field(isin=["year", "month"])
    year: pl.Int32 = pa.Field(ge=1900, le=2100)
    month: pl.Int32 = pa.Field(nullable=True, ge=1, le=12)
    start_date: dt.date
    end_date: dt.date

    class Config:
        strict = True
