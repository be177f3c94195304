"""Raw models of Korea's tariff files as analysts get them.

* WITS/TRAINS-style tariff-line download of MFN applied rates: one row per HSK line and year.
* FTA annex schedule (KORUS Annex 2-B, Schedule of Korea): HS code, description, base rate,
  staging category.

Readers (``flows.sources.korea_tariff``) map the header names each form uses to the names below.
"""

from __future__ import annotations

import pandera.polars as pa


class WitsTariffRaw(pa.DataFrameModel):
    """MFN applied rate of one national tariff line in one year; rate text as published."""

    reporter: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: str = pa.Field(str_matches=r"^(19|20)\d{2}$")
    tariff_line: str = pa.Field(str_matches=r"^\d{6,10}$")
    description: str = pa.Field(nullable=True)
    duty_type: str = pa.Field(isin=["MFN", "AHS", "BND"])
    rate_text: str = pa.Field(nullable=True)

    class Config:
        strict = False
        unique = ["reporter", "year", "tariff_line", "duty_type"]


class KorusAnnexRaw(pa.DataFrameModel):
    """One line of an FTA annex schedule: base rate (MFN at the base date) and staging category."""

    hs_code: str = pa.Field(str_matches=r"^\d{4}(\.?\d{2}){1,3}$")
    description: str = pa.Field(nullable=True)
    base_rate: str = pa.Field(nullable=True)
    staging_category: str = pa.Field(str_matches=r"^[A-Z][A-Z0-9\-]*$")

    class Config:
        strict = False
