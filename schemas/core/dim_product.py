"""Model of ``core.dim_product`` rows."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


class DimProduct(pa.DataFrameModel):
    """Grain: product_id (TOTAL or <vintage>:<digits>)."""

    product_id: str = pa.Field(unique=True, str_matches=r"^(TOTAL|HS\d{4}:\d{2,10})$")
    classification: str = pa.Field(isin=["TOTAL", "HS"])
    hs_vintage: str = pa.Field(nullable=True, isin=["HS1992", "HS1996", "HS2002", "HS2007", "HS2012", "HS2017", "HS2022", "HS2028"])
    code: str
    level: pl.Int32 = pa.Field(isin=[0, 2, 4, 6, 8, 10])
    parent_id: str = pa.Field(nullable=True)
    description: str = pa.Field(nullable=True)

    class Config:
        strict = True
