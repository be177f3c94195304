"""Raw models of Census international trade API responses (``timeseries/intltrade/{exports,imports}/hs``).

A response is a JSON array of arrays, header first; every value arrives as text (or null).
Only the identifying fields and the headline value are required: the other measures are optional
columns (a query or an extract may ask for a subset of variables) and load where present.
"""

from __future__ import annotations

import pandera.polars as pa

from schemas.checks import hs_chapter_check
from schemas.numbers import PLAIN_QUANTITY, PLAIN_USD

HS_LEVELS = ("HS2", "HS4", "HS6", "HS10")


class CensusApiRaw(pa.DataFrameModel):
    """Fields common to exports and imports."""

    CTY_CODE: str = pa.Field(str_matches=r"^(\d{4}|\d{1}X{3}|\d{2}X{2}|-)$")
    CTY_NAME: str = pa.Field(nullable=True)
    COMM_LVL: str = pa.Field(isin=list(HS_LEVELS))
    time: str = pa.Field(str_matches=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")

    class Config:
        strict = False


class CensusApiExportsRaw(CensusApiRaw):
    """Exports: total value FAS (ALL_VAL_MO) and first quantity, by HS code (E_COMMODITY)."""

    E_COMMODITY: str = pa.Field(str_matches=r"^(\d{2}|\d{4}|\d{6}|\d{10}|-|TOTAL)$")
    E_COMMODITY_LDESC: str | None = pa.Field(nullable=True)
    ALL_VAL_MO: str = pa.Field(nullable=True)
    QTY_1_MO: str | None = pa.Field(nullable=True)
    UNIT_QY1: str | None = pa.Field(nullable=True)

    values = PLAIN_USD.model_check("ALL_VAL_MO")
    quantities = PLAIN_QUANTITY.model_check("QTY_1_MO")
    chapter = hs_chapter_check("E_COMMODITY")

    class Config:
        strict = False
        unique = ["CTY_CODE", "E_COMMODITY", "COMM_LVL", "time"]


class CensusApiImportsRaw(CensusApiRaw):
    """Imports: general and consumption values at customs value, CIF value, calculated duty, dutiable
    value, first quantity."""

    I_COMMODITY: str = pa.Field(str_matches=r"^(\d{2}|\d{4}|\d{6}|\d{10}|-|TOTAL)$")
    I_COMMODITY_LDESC: str | None = pa.Field(nullable=True)
    GEN_VAL_MO: str = pa.Field(nullable=True)
    CON_VAL_MO: str | None = pa.Field(nullable=True)
    GEN_CIF_MO: str | None = pa.Field(nullable=True)
    CAL_DUT_MO: str | None = pa.Field(nullable=True)
    DUT_VAL_MO: str | None = pa.Field(nullable=True)
    GEN_QY1_MO: str | None = pa.Field(nullable=True)
    UNIT_QY1: str | None = pa.Field(nullable=True)

    values = PLAIN_USD.model_check("GEN_VAL_MO", "CON_VAL_MO", "GEN_CIF_MO", "CAL_DUT_MO", "DUT_VAL_MO")
    quantities = PLAIN_QUANTITY.model_check("GEN_QY1_MO")
    chapter = hs_chapter_check("I_COMMODITY")

    class Config:
        strict = False
        unique = ["CTY_CODE", "I_COMMODITY", "COMM_LVL", "time"]
