"""The names ``entrepot ingest`` accepts and which ingest path each takes, without importing any flow.

The registries (``flows.registry.FILE_SOURCES``, ``flows.ingest_tariffs.TARIFF_SOURCES``, ...) hold
the code; this module holds only their names, so the CLI checks a command line in milliseconds.
tests/cli/test_source_names.py checks that both say the same.
"""

from __future__ import annotations

from typing import Literal

IngestPath = Literal["trade", "tariff", "reference", "staging-notes"]

TRADE_FILES = (
    "census-api-exports", "census-api-imports", "census-api-porths", "census-country-totals", "comtrade",
    "hs-nomenclature", "usitc-dataweb",
)
"""Trade and classification files (``flows.registry.FILE_SOURCES``)."""
TARIFFS = ("fta-annex", "kcs-tariff", "korea-mfn", "korus-schedule", "usitc-hts")
"""Tariff schedules (``flows.ingest_tariffs.TARIFF_SOURCES``)."""
REFERENCES = ("hs-concordance",)
"""Reference tables that are not facts (``flows.ingest_reference``)."""
STAGING_NOTES = "staging-notes"
"""An FTA schedule's staging-category texts (``flows.ingest_staging_notes``)."""

INGEST_PATHS: dict[str, IngestPath] = {
    **dict.fromkeys(TRADE_FILES, "trade"),
    **dict.fromkeys(TARIFFS, "tariff"),
    **dict.fromkeys(REFERENCES, "reference"),
    STAGING_NOTES: "staging-notes",
}
"""Every ``entrepot ingest`` source and the path it loads through."""
