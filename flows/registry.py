"""Which reader, raw model and transform each source uses; the one place that maps names to code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandera.polars as pa
import polars as pl

from flows.sources import census_api as census_api_source
from flows.sources import census_country_totals as country_totals_source
from flows.sources import comtrade as comtrade_source
from flows.sources import comtrade_api as comtrade_api_source
from flows.sources import hs_reference as hs_reference_source
from flows.sources import kcs_trade as kcs_trade_source
from flows.sources import usitc_dataweb as dataweb_source
from schemas.raw.census_api import CensusApiExportsRaw, CensusApiImportsRaw
from schemas.raw.census_country_totals import CensusCountryTotalsRaw
from schemas.raw.census_porths import CensusPortHsRaw
from schemas.raw.comtrade import ComtradeRaw
from schemas.raw.hs_reference import HsClassificationRaw
from schemas.raw.kcs_trade import KcsTradeRaw
from schemas.raw.usitc_dataweb import DataWebRaw
from transforms import (
    census_api,
    census_country_totals,
    census_porths,
    comtrade,
    hs_reference,
    kcs_trade,
    usitc_dataweb,
)
from transforms.conformed import Conformed


class UnknownSourceError(ValueError):
    """No source of that name."""


Conform = Callable[[pl.DataFrame, pl.DataFrame, str], Conformed]
"""(valid raw rows, country-code crosswalk, file hash) -> conformed rows."""


@dataclass(frozen=True)
class PayloadKind:
    """How to turn one landed payload of a source into conformed rows."""

    source: str
    read: Callable[[Path], pl.DataFrame]
    model: type[pa.DataFrameModel]
    conform: Conform
    name: str = ""
    """What the load journal calls it (``kind_by_name`` finds it again for a rebuild)."""


FILE_SOURCES: dict[str, PayloadKind] = {
    "census-country-totals": PayloadKind(
        source=census_country_totals.SOURCE,
        read=country_totals_source.read_file,
        model=CensusCountryTotalsRaw,
        conform=lambda raw, crosswalk, file_hash: census_country_totals.conform(
            raw, crosswalk=crosswalk, file_hash=file_hash
        ),
    ),
    "comtrade": PayloadKind(
        source=comtrade.SOURCE,
        read=comtrade_source.read_file,
        model=ComtradeRaw,
        conform=lambda raw, crosswalk, file_hash: comtrade.conform(
            raw, crosswalk=crosswalk, file_hash=file_hash
        ),
    ),
    "hs-nomenclature": PayloadKind(
        source="hs_nomenclature",
        read=hs_reference_source.read_classification,
        model=HsClassificationRaw,
        conform=lambda raw, crosswalk, file_hash: hs_reference.conform_classification(raw, file_hash=file_hash),
    ),
    "usitc-dataweb": PayloadKind(
        source=usitc_dataweb.SOURCE,
        read=dataweb_source.read_file,
        model=DataWebRaw,
        conform=lambda raw, crosswalk, file_hash: usitc_dataweb.conform(
            raw, crosswalk=crosswalk, file_hash=file_hash
        ),
    ),
}
"""Sources loaded from a local file with ``entrepot ingest SOURCE --file PATH``."""


def census_api_kind(direction: str) -> PayloadKind:
    """The payload kind of a Census API response for ``direction`` (export or import)."""
    return PayloadKind(
        name=f"census-api-response:{direction}",
        source=census_api.SOURCE,
        read=census_api_source.read_payload,
        model=CensusApiExportsRaw if direction == "export" else CensusApiImportsRaw,
        conform=lambda raw, crosswalk, file_hash: census_api.conform(
            raw, direction=direction, crosswalk=crosswalk, file_hash=file_hash
        ),
    )


def census_api_file_kind(direction: str) -> PayloadKind:
    """A Census API extract saved as CSV: the same raw model and transform as a response."""
    return replace(census_api_kind(direction), read=census_api_source.read_file)


FILE_SOURCES["census-api-exports"] = census_api_file_kind("export")
FILE_SOURCES["census-api-imports"] = census_api_file_kind("import")
FILE_SOURCES["census-api-porths"] = PayloadKind(
    source="census_api_porths",
    read=census_api_source.read_file,
    model=CensusPortHsRaw,
    conform=lambda raw, crosswalk, file_hash: census_porths.conform(raw, crosswalk=crosswalk, file_hash=file_hash),
)


for _name, _kind in FILE_SOURCES.items():
    FILE_SOURCES[_name] = replace(_kind, name=_name)


def is_trade_source(source: str) -> bool:
    """Whether landed payloads of ``source`` load through the trade loader (``kind_for_payload``)."""
    return source in {census_api.SOURCE, comtrade.SOURCE, kcs_trade.SOURCE} | {
        kind.source for kind in FILE_SOURCES.values()
    }


def kind_for_payload(source: str, request: str) -> PayloadKind:
    """The payload kind of a landed payload, from its source and request (as in the manifest)."""
    if source == comtrade.SOURCE and not request.startswith("file:"):
        return COMTRADE_API
    if source == kcs_trade.SOURCE:
        return KCS_TRADE
    if source == census_api.SOURCE:
        direction = "export" if "export" in request.lower() else "import"
        return census_api_file_kind(direction) if request.startswith("file:") else census_api_kind(direction)
    for kind in FILE_SOURCES.values():
        if kind.source == source:
            return kind
    raise UnknownSourceError(f"no reader for landed payloads of source {source!r}")


COMTRADE_API = PayloadKind(
    name="comtrade-api-response",
    source=comtrade.SOURCE,
    read=comtrade_api_source.read_payload,
    model=ComtradeRaw,
    conform=lambda raw, crosswalk, file_hash: comtrade.conform(raw, crosswalk=crosswalk, file_hash=file_hash),
)
"""A Comtrade API v1 response: the same raw model and transform as the CSV download."""


KCS_TRADE = PayloadKind(
    name="kcs-trade-response",
    source=kcs_trade.SOURCE,
    read=kcs_trade_source.read_payload,
    model=KcsTradeRaw,
    conform=lambda raw, crosswalk, file_hash: kcs_trade.conform(raw, crosswalk=crosswalk, file_hash=file_hash),
)
"""A Korea Customs Service ``getNitemtradeList`` response page (Korea's trade by country and item)."""


def kind_by_name(name: str) -> PayloadKind:
    """The payload kind the load journal names (``PayloadKind.name``)."""
    if name in FILE_SOURCES:
        return FILE_SOURCES[name]
    if name in (COMTRADE_API.name, KCS_TRADE.name):
        return COMTRADE_API if name == COMTRADE_API.name else KCS_TRADE
    for direction in ("export", "import"):
        if name == census_api_kind(direction).name:
            return census_api_kind(direction)
    raise UnknownSourceError(f"the load journal names a payload kind this version does not know: {name!r}")
