"""Model of ``core.fact_trade`` rows as the transforms hand them to the loader."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.numbers import QUANTITY_LIMIT

GRAIN = ["source", "reporter_id", "partner_id", "product_id", "period_id", "flow_id"]
VALUE_STATUSES = ["reported", "partial", "suppressed"]


class FactTrade(pa.DataFrameModel):
    """Grain: (source, reporter_id, partner_id, product_id, period_id, flow_id)."""

    source: str = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    reporter_id: str = pa.Field(str_length={"min_value": 2})
    partner_id: str = pa.Field(str_length={"min_value": 2})
    product_id: str = pa.Field(str_matches=r"^(TOTAL|HS\d{4}:\d{2,10})$")
    period_id: str = pa.Field(str_matches=r"^\d{4}(-(0[1-9]|1[0-2]))?$")
    flow_id: str = pa.Field(str_matches=r"^[XM]_[A-Z_]+$")
    value_usd: pl.Float64 = pa.Field(nullable=True, ge=0)
    quantity: pl.Float64 = pa.Field(nullable=True, ge=0, lt=QUANTITY_LIMIT)
    quantity_unit: str = pa.Field(nullable=True)
    value_status: str = pa.Field(isin=VALUE_STATUSES)
    file_hash: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")

    class Config:
        strict = True
        unique = GRAIN
