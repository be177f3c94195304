"""Models of the ``meta`` rows the loader writes: landed files and quarantined rows."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.engines.polars_engine import DateTime

SHA256 = r"^[0-9a-f]{64}$"


class LandedFile(pa.DataFrameModel):
    """``meta.landed_files``; grain: (file_hash, request)."""

    file_hash: str = pa.Field(str_matches=SHA256)
    request: str = pa.Field(str_length={"min_value": 1})
    source: str = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    fetched_at: DateTime = pa.Field(dtype_kwargs={"time_unit": "us", "time_zone": "UTC"})
    bytes: pl.Int64 = pa.Field(ge=0)
    rows: pl.Int64 = pa.Field(nullable=True, ge=0)
    landed_path: str = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        unique = ["file_hash", "request"]


class QuarantineRow(pa.DataFrameModel):
    """``meta.quarantine``: one failed field of one raw row, with the reason and the raw row."""

    source: str = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    file_hash: str = pa.Field(str_matches=SHA256)
    file_name: str = pa.Field(str_length={"min_value": 1})
    row_number: pl.Int64 = pa.Field(nullable=True, ge=0)
    field: str = pa.Field(nullable=True)
    value: str = pa.Field(nullable=True)
    reason: str = pa.Field(str_length={"min_value": 1})
    raw_record: str = pa.Field(nullable=True)

    class Config:
        strict = True
