"""Raw model of a Korea Customs Service ``getNitemtradeList`` response item (flows.sources.kcs_trade).

Every field is text. A data row has ``year`` YYYY.MM, an ISO2 ``statCd`` and an HS code of 2, 4, 6
or 10 digits; the publisher's total row (``year`` 총계 or 합계, ``statCd`` / ``hsCd`` "-") passes and
is left out by the transform. Values (USD) and weights (kg) are blank or plain non-negative numbers
(digits, maybe a decimal point), within the range their warehouse columns hold (``schemas.numbers``,
the one number parser); ``balPayments`` (exports minus imports) is not loaded and not checked.
"""

from __future__ import annotations

import pandera.polars as pa

from schemas.checks import hs_chapter_check
from schemas.numbers import PLAIN_QUANTITY, PLAIN_USD

TOTAL_YEARS = ("총계", "합계")


class KcsTradeRaw(pa.DataFrameModel):
    """One item: a month, a partner country, an HS code, exports FOB and imports CIF."""

    year: str = pa.Field(str_matches=r"^((19|20)\d{2}\.(0[1-9]|1[0-2])|총계|합계)$")
    statCd: str = pa.Field(str_matches=r"^([A-Z]{2}|-)$")
    statCdCntnKor1: str | None = pa.Field(nullable=True)
    hsCd: str = pa.Field(str_matches=r"^(\d{2}|\d{4}|\d{6}|\d{10}|-)$")
    statKor: str | None = pa.Field(nullable=True)
    expDlr: str = pa.Field(nullable=True)
    expWgt: str | None = pa.Field(nullable=True)
    impDlr: str = pa.Field(nullable=True)
    impWgt: str | None = pa.Field(nullable=True)
    balPayments: str | None = pa.Field(nullable=True)

    class Config:
        strict = False

    values = PLAIN_USD.model_check("expDlr", "impDlr")
    weights = PLAIN_QUANTITY.model_check("expWgt", "impWgt")

    chapter = hs_chapter_check("hsCd")
