"""Models of ``core.dim_country`` and ``core.dim_country_code`` rows (synced from the seeds)."""

from __future__ import annotations

import pandera.polars as pa


class DimCountry(pa.DataFrameModel):
    """Grain: country_id (ISO3 for countries, an upper-case mnemonic for aggregates)."""

    country_id: str = pa.Field(unique=True, str_matches=r"^[A-Z][A-Z0-9_]{1,}$")
    iso3: str = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}$")
    iso2: str = pa.Field(nullable=True, str_matches=r"^[A-Z0-9]{2}$")
    un_m49: str = pa.Field(nullable=True, str_matches=r"^\d{3}$")
    census_code: str = pa.Field(nullable=True, str_matches=r"^(\d{4}|\dX{3}|\d{2}X{2})$")
    comtrade_code: str = pa.Field(nullable=True, str_matches=r"^\d{1,4}$")
    name: str = pa.Field(str_length={"min_value": 1})
    is_aggregate: bool
    aggregate_kind: str = pa.Field(nullable=True)

    class Config:
        strict = True


class DimCountryCode(pa.DataFrameModel):
    """Grain: (scheme, code): each source's code for a country_id."""

    scheme: str = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    code: str = pa.Field(str_length={"min_value": 1})
    country_id: str = pa.Field(str_matches=r"^[A-Z][A-Z0-9_]{1,}$")
    source_name: str = pa.Field(nullable=True)
    note: str = pa.Field(nullable=True)

    class Config:
        strict = True
        unique = ["scheme", "code"]
