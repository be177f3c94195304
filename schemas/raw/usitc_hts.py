"""Raw model of a USITC HTS edition, from the CSV download or the JSON export.

Both readers (``flows.sources.usitc_hts``) give the same text columns: the CSV headers "HTS Number,
Indent, Description, Unit of Quantity, General Rate of Duty, Special Rate of Duty, Column 2 Rate of
Duty, Quota Quantity, Additional Duties" and the JSON keys htsno, indent, description, units,
general, special, other, quotaQuantity, additionalDuties, footnotes map to the names below.
"""

from __future__ import annotations

import pandera.polars as pa

COLUMNS = (
    "hts_number", "indent", "description", "units", "general", "special", "other",
    "quota_quantity", "additional_duties", "footnotes",
)


class UsitcHtsRaw(pa.DataFrameModel):
    """One printed row of the schedule; an empty hts_number is an unnumbered heading."""

    hts_number: str = pa.Field(nullable=True, str_matches=r"^(\d{4}(\.\d{2}){0,3})?$")
    indent: str = pa.Field(str_matches=r"^\d{1,2}$")
    description: str = pa.Field(nullable=True)
    units: str = pa.Field(nullable=True)
    general: str = pa.Field(nullable=True)
    special: str = pa.Field(nullable=True)
    other: str = pa.Field(nullable=True)
    quota_quantity: str = pa.Field(nullable=True)
    additional_duties: str = pa.Field(nullable=True)
    footnotes: str = pa.Field(nullable=True)

    class Config:
        strict = False
