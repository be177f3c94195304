"""Raw model of UN Comtrade (Comtrade Plus, API v1) trade records: the CSV download and the API's
``data`` array share one layout, every field read as text.

Only aggregate records are accepted: a record broken down by second partner, mode of transport or
customs procedure (``partner2Code`` not 0, ``motCode`` not 0, ``customsCode`` not C00) would be
counted twice beside its total, so it is quarantined.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.numbers import PLAIN_QUANTITY, PLAIN_USD

CLASSIFICATIONS = ("H0", "H1", "H2", "H3", "H4", "H5", "H6")


class ComtradeRaw(pa.DataFrameModel):
    """One Comtrade record (reporter, partner, flow, commodity, period), values in USD."""

    typeCode: str = pa.Field(isin=["C"])
    freqCode: str = pa.Field(isin=["A", "M"])
    period: str = pa.Field(str_matches=r"^(19|20)\d{2}((0[1-9])|(1[0-2]))?$")
    reporterCode: str = pa.Field(str_matches=r"^\d{1,4}$")
    flowCode: str = pa.Field(str_length={"min_value": 1})
    partnerCode: str = pa.Field(str_matches=r"^\d{1,4}$")
    partner2Code: str = pa.Field(isin=["0"])
    classificationCode: str = pa.Field(isin=list(CLASSIFICATIONS))
    cmdCode: str = pa.Field(str_matches=r"^(TOTAL|\d{2}|\d{4}|\d{6})$")
    cmdDesc: str = pa.Field(nullable=True)
    customsCode: str = pa.Field(isin=["C00"])
    motCode: str = pa.Field(isin=["0"])
    qtyUnitAbbr: str = pa.Field(nullable=True)
    qty: str = pa.Field(nullable=True)
    cifvalue: str = pa.Field(nullable=True)
    fobvalue: str = pa.Field(nullable=True)
    primaryValue: str = pa.Field(nullable=True)

    values = PLAIN_USD.model_check("cifvalue", "fobvalue", "primaryValue")
    quantities = PLAIN_QUANTITY.model_check("qty")

    @pa.check("period", name="period of its freqCode (A: YYYY, M: YYYYMM)")
    def period_of_frequency(cls, data: pa.PolarsData) -> pl.LazyFrame:
        length = pl.col("period").str.len_chars()
        annual, monthly = pl.col("freqCode") == "A", pl.col("freqCode") == "M"
        return data.lazyframe.select(((annual & (length == 4)) | (monthly & (length == 6))).fill_null(False))

    class Config:
        strict = False
