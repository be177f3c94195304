"""Staging-category texts of an FTA schedule's general notes to reference rows (pure).

The texts are kept as captured, beside (never over) the reviewed rules of
``warehouse/seeds/korus_staging_categories.csv``; ``marts.fta_staging_rules`` compares the two.
"""

from __future__ import annotations

import polars as pl

SOURCE = "fta_staging_notes"
NOTE_SCHEMA = {
    "agreement_id": pl.String,
    "importer_id": pl.String,
    "category": pl.String,
    "description": pl.String,
    "years": pl.Int32,
    "first_cut_rule": pl.String,
    "duty_free_rule": pl.String,
    "status": pl.String,
    "source_url": pl.String,
    "source_note": pl.String,
}


def conform(valid: pl.DataFrame, agreement: str, importer: str) -> pl.DataFrame:
    """Validated note rows (``schemas.raw.korea_tariff.StagingNoteRaw``) as rows of core.fta_staging_note
    (without file_hash and run_id, which the loader adds)."""
    return valid.select(
        pl.lit(agreement).alias("agreement_id"),
        pl.lit(importer).alias("importer_id"),
        "category",
        "description",
        pl.col("years").cast(pl.Int32, strict=True),
        "first_cut_rule",
        "duty_free_rule",
        "status",
        "source_url",
        "source_note",
    ).cast(NOTE_SCHEMA)
