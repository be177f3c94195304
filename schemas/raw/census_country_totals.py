"""Raw model of the Census "U.S. trade in goods by country" file (country.xlsx / its CSV form).

One row per year and Census country code; twelve monthly import columns (IJAN..IDEC), the annual
import total (IYR), and the same for exports (EJAN..EYR), in millions of USD.
"""

from __future__ import annotations

import pandera.polars as pa

from schemas.numbers import USD_LIMIT, NumberFormat

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
VALUE_COLUMNS = tuple(f"{side}{m}" for side in "IE" for m in (*MONTHS, "YR"))
ID_COLUMNS = ("year", "CTY_CODE", "CTYNAME")
MILLION = 1_000_000
MILLIONS_USD = NumberFormat(limit=USD_LIMIT / MILLION, exponent=True, required=True)
"""Millions of USD, every cell required. The cells are spreadsheet numbers written as their shortest
round-trip text, which puts values under 0.0001 million in exponent form (``2e-06``, i.e. $2): this
source alone accepts exponents, within the range (1e23 is refused as beyond it)."""


class CensusCountryTotalsRaw(pa.DataFrameModel):
    """Every field as text; numbers must parse and be non-negative."""

    year: str = pa.Field(str_matches=r"^(19|20)\d{2}$")
    CTY_CODE: str = pa.Field(str_matches=r"^\d{4}$")
    CTYNAME: str = pa.Field(str_length={"min_value": 1})
    IJAN: str
    IFEB: str
    IMAR: str
    IAPR: str
    IMAY: str
    IJUN: str
    IJUL: str
    IAUG: str
    ISEP: str
    IOCT: str
    INOV: str
    IDEC: str
    IYR: str
    EJAN: str
    EFEB: str
    EMAR: str
    EAPR: str
    EMAY: str
    EJUN: str
    EJUL: str
    EAUG: str
    ESEP: str
    EOCT: str
    ENOV: str
    EDEC: str
    EYR: str

    non_negative_number = MILLIONS_USD.model_check(
        r"^[IE](JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|YR)$", regex=True
    )

    class Config:
        strict = False
        unique = ["year", "CTY_CODE"]
