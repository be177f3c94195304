"""Models of conformed tariff rows: ``core.fact_tariff_rate`` and ``core.dim_tariff_line``."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

RATE_TYPES = ["mfn", "preferential", "column2", "additional"]
RATE_KINDS = [
    "free", "ad_valorem", "specific", "compound", "multi_component", "greater_of", "lesser_of", "reference",
    "unparsed",
]
RATE_GRAIN = ["tariff_line", "rate_type", "program_code"]


class FactTariffRate(pa.DataFrameModel):
    """Grain within one edition: (tariff_line, rate_type, program_code[, valid_from for derived paths])."""

    tariff_line: str = pa.Field(str_matches=r"^\d{4,10}$")
    rate_type: str = pa.Field(isin=RATE_TYPES)
    program_code: str = pa.Field(nullable=True, str_matches=r"^[A-Z][A-Z0-9]*[+*]?$")
    rate_kind: str = pa.Field(isin=RATE_KINDS)
    parse_status: str = pa.Field(isin=["parsed", "unparsed"])
    ad_valorem_pct: pl.Float64 = pa.Field(nullable=True, ge=0)
    specific_amount: pl.Float64 = pa.Field(nullable=True, ge=0)
    specific_currency: str = pa.Field(nullable=True, isin=["USD", "KRW", "JPY", "EUR", "CNY", "GBP"])
    specific_unit: str = pa.Field(nullable=True)
    rate_components: str = pa.Field(nullable=True)
    qualifier: str = pa.Field(nullable=True)
    reference: str = pa.Field(nullable=True)
    rate_text: str
    staging_category: str = pa.Field(nullable=True)

    @pa.dataframe_check(name="program_code set exactly on preferential rates")
    def program_only_on_preferences(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("rate_type") == "preferential") == pl.col("program_code").is_not_null()
        )

    @pa.dataframe_check(name="parse_status unparsed exactly for kind unparsed")
    def status_matches_kind(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("rate_kind") == "unparsed") == (pl.col("parse_status") == "unparsed"))

    class Config:
        strict = False


class DimTariffLine(pa.DataFrameModel):
    """Grain within one edition: line_key."""

    line_key: str = pa.Field(unique=True, str_matches=r"^\d*(/[hsp]\d+)?$")
    tariff_line: str = pa.Field(nullable=True, str_matches=r"^\d{2,10}$")
    level: pl.Int32 = pa.Field(isin=[0, 2, 4, 6, 8, 10])
    indent: pl.Int32 = pa.Field(nullable=True, ge=0)
    parent_key: str = pa.Field(nullable=True)
    description: str = pa.Field(nullable=True)
    is_heading: bool

    class Config:
        strict = False
