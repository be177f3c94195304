"""Raw models of HS reference files: Comtrade classification lists and UN conversion tables."""

from __future__ import annotations

import pandera.polars as pa

CLASS_CODES = ("H0", "H1", "H2", "H3", "H4", "H5", "H6")
QUERY_GROUPS = ("ALL", "TOTAL", "AG2", "AG4", "AG6")
"""Entries of a classification list that are query helpers, not products."""


class HsClassificationRaw(pa.DataFrameModel):
    """One entry of a Comtrade classification list: an HS code (2, 4 or 6 digits) or a query group."""

    id: str = pa.Field(str_matches=r"^(\d{2}|\d{4}|\d{6}|ALL|TOTAL|AG[246])$")
    text: str = pa.Field(str_length={"min_value": 1})
    parent: str = pa.Field(nullable=True)
    classCode: str = pa.Field(isin=list(CLASS_CODES))

    class Config:
        strict = False
        unique = ["id"]


class HsConversionRaw(pa.DataFrameModel):
    """One pair of a conversion table: an HS6 code of the newer vintage and one of the older."""

    new_code: str = pa.Field(str_matches=r"^\d{6}$")
    old_code: str = pa.Field(str_matches=r"^\d{6}$")
    new_vintage: str = pa.Field(str_matches=r"^HS\d{4}$")
    old_vintage: str = pa.Field(str_matches=r"^HS\d{4}$")

    class Config:
        strict = False
        unique = ["new_code", "old_code"]
