"""Raw models of Korea's tariff files as analysts get them.

* WITS/TRAINS-style tariff-line download of MFN applied rates: one row per HSK line and year.
* FTA annex schedule (KORUS Annex 2-B, Schedule of Korea): HS code, description, base rate,
  staging category.

Readers (``flows.sources.korea_tariff``) map the header names each form uses to the names below.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


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


class KcsTariffRaw(pa.DataFrameModel):
    """One rate layer of one HSK line in the Korea Customs Service's form: rate code, rate text as
    printed, and its period (a year, or valid from / to)."""

    hs10: str = pa.Field(str_matches=r"^\d{10}$")
    rate_code: str = pa.Field(str_matches=r"^[A-Z][A-Z0-9]{0,5}$")
    rate_text: str
    year: str = pa.Field(nullable=True, str_matches=r"^(19|20)\d{2}$")
    valid_from: str = pa.Field(nullable=True, str_matches=r"^(19|20)\d{2}-[01]\d-[0-3]\d$")
    valid_to: str = pa.Field(nullable=True, str_matches=r"^(19|20)\d{2}-[01]\d-[0-3]\d$")
    description: str = pa.Field(nullable=True)
    part: str = pa.Field(nullable=True)

    @pa.dataframe_check(name="a period: year or valid_from")
    def has_period(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("year").is_not_null() | pl.col("valid_from").is_not_null())

    @pa.dataframe_check(name="valid_to not before valid_from")
    def ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("valid_to").is_null() | (pl.col("valid_to") >= pl.col("valid_from")))

    class Config:
        strict = False
        unique = ["hs10", "rate_code", "year", "valid_from", "part"]


class FtaAnnexRaw(KorusAnnexRaw):
    """An FTA annex row of any agreement; rows sharing a code are sub-items, all kept."""

    staging_category: str = pa.Field(str_matches=r"^\S.*$")


class StagingNoteRaw(pa.DataFrameModel):
    """One staging category's text from an FTA schedule's general notes, as captured: ``years`` the
    number of annual stages the text states (empty where the definition was not captured)."""

    category: str = pa.Field(str_matches=r"^[A-Z][A-Z0-9\-]*$")
    description: str = pa.Field(nullable=True)
    years: str = pa.Field(nullable=True, str_matches=r"^[1-9]\d?$")
    first_cut_rule: str = pa.Field(nullable=True)
    duty_free_rule: str = pa.Field(nullable=True)
    status: str
    source_url: str = pa.Field(nullable=True)
    source_note: str = pa.Field(nullable=True)

    class Config:
        strict = False
        unique = ["category"]
