"""The one registry: every declaration resolves to code, and the names earlier versions wrote into the
load journal and meta tables still find their sources (a rebuild replays journals of the old code)."""

from __future__ import annotations

import pandera.polars as pa
import pytest

from flows.registry import (
    SOURCES,
    UnknownSourceError,
    declaration,
    is_trade_source,
    kind_by_name,
    kind_for_payload,
)

JOURNALED = {
    "trade": ["census-api-exports", "census-api-imports", "census-api-porths", "census-country-totals", "comtrade",
              "hs-nomenclature", "usitc-dataweb", "census-api-response:export", "census-api-response:import",
              "comtrade-api-response", "kcs-trade-response"],
    "tariff": ["fta-annex", "kcs-tariff", "korea-mfn", "korus-schedule", "usitc-hts"],
    "reference": ["hs-concordance", "staging-notes"],
}
"""The kind names (trade) and ``name`` fields (tariff, reference) of the load journals earlier versions wrote."""
LANDED = {
    "census-country-totals": "census_country_totals", "comtrade": "comtrade", "hs-nomenclature": "hs_nomenclature",
    "usitc-dataweb": "usitc_dataweb", "census-api-exports": "census_api", "census-api-porths": "census_api_porths",
    "kcs-trade-response": "kcs_trade", "usitc-hts": "usitc_hts", "korea-mfn": "korea_mfn",
    "korus-schedule": "korus_schedule", "kcs-tariff": "kcs_tariff", "hs-concordance": "hs_concordance",
    "staging-notes": "fta_staging_notes",
}
"""The source names meta.landed_files, meta.runs and the core tables carry for them."""


def test_the_journal_names_of_earlier_versions_find_their_sources() -> None:
    assert {d.loader: sorted(n for n, e in SOURCES.items() if e.loader == d.loader) for d in SOURCES.values()} == {
        loader: sorted(names) for loader, names in JOURNALED.items()}
    assert all(kind_by_name(name).name == name for name in JOURNALED["trade"])
    assert {name: SOURCES[name].source for name in LANDED} == LANDED


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_declaration_resolves_to_code(name: str) -> None:
    source = SOURCES[name]
    assert callable(source.code("read")) and callable(source.code("conform"))
    assert issubclass(source.code("model"), pa.DataFrameModel)
    assert all(callable(source.code(k)) for k, v in source.params.items() if ":" in v)
    assert set(source.required) <= set(source.options)


def test_a_landed_payload_finds_its_kind() -> None:
    assert kind_for_payload("census_api", "file:census_exports_2024.csv").name == "census-api-exports"
    assert kind_for_payload("census_api", "https://x/intltrade/imports/hs?time=2024-01").name == "census-api-response:import"
    assert kind_for_payload("comtrade", "file:comtrade.csv").name == "comtrade"
    assert kind_for_payload("comtrade", "https://comtrade/x").name == "comtrade-api-response"
    assert kind_for_payload("kcs_trade", "getNitemtradeList?x").name == "kcs-trade-response"
    assert is_trade_source("hs_nomenclature") and not is_trade_source("usitc_hts")
    with pytest.raises(UnknownSourceError):
        kind_for_payload("usitc_hts", "file:hts.csv")
    with pytest.raises(UnknownSourceError, match="not know"):
        kind_by_name("usitc-hts")
    with pytest.raises(UnknownSourceError, match="unknown source 'census-api-response:export'"):
        declaration("census-api-response:export", "file")
