"""Raw models of Census international trade API port-level responses
(``timeseries/intltrade/{exports,imports}/porths``): year-to-date values and shipping weights by air
and containerised vessel, per port, country and HS code; ``PORT`` "-" is the total for all ports."""

from __future__ import annotations

import pandera.polars as pa

from schemas.numbers import PLAIN_QUANTITY, PLAIN_USD
from schemas.raw.census_api import HS_LEVELS

MEASURE_COLUMNS = ("AIR_VAL_YR", "AIR_WGT_YR", "CNT_VAL_YR", "CNT_WGT_YR")


class CensusPortHsRaw(pa.DataFrameModel):
    """Exports (E_COMMODITY) or imports (I_COMMODITY): the transform takes the direction from which
    commodity column the payload has."""

    CTY_CODE: str = pa.Field(str_matches=r"^(\d{4}|\d{1}X{3}|\d{2}X{2}|-)$")
    CTY_NAME: str | None = pa.Field(nullable=True)
    PORT: str = pa.Field(str_matches=r"^([0-9A-Z]{4}|-)$")
    PORT_NAME: str | None = pa.Field(nullable=True)
    COMM_LVL: str = pa.Field(isin=list(HS_LEVELS))
    time: str = pa.Field(str_matches=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")
    AIR_VAL_YR: str = pa.Field(nullable=True)
    AIR_WGT_YR: str = pa.Field(nullable=True)
    CNT_VAL_YR: str = pa.Field(nullable=True)
    CNT_WGT_YR: str = pa.Field(nullable=True)

    E_COMMODITY: str | None = pa.Field(nullable=True, str_matches=r"^(\d{2}|\d{4}|\d{6}|\d{10}|-|TOTAL)$")
    I_COMMODITY: str | None = pa.Field(nullable=True, str_matches=r"^(\d{2}|\d{4}|\d{6}|\d{10}|-|TOTAL)$")

    values = PLAIN_USD.model_check("AIR_VAL_YR", "CNT_VAL_YR")
    weights = PLAIN_QUANTITY.model_check("AIR_WGT_YR", "CNT_WGT_YR")

    class Config:
        strict = False
