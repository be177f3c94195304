"""Tariff reference seeds (HS sections, agreements, programs, staging rules), kept in sync on migrate."""

from __future__ import annotations

from pathlib import Path

import duckdb

# table -> (seed file, key columns); every seed column maps to the table column of the same name.
TARIFF_SEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "core.dim_hs_section": ("hs_sections.csv", ("section",)),
    "core.dim_agreement": ("tariff_agreements.csv", ("agreement_id",)),
    "core.dim_tariff_program": ("tariff_programs.csv", ("importer_id", "program_code")),
    "core.dim_staging_category": ("korus_staging_categories.csv", ("agreement_id", "importer_id", "category")),
    "core.dim_rate_layer": ("kcs_rate_precedence.csv", ("importer_id", "rate_code")),
    "core.dim_product_group": ("product_groups.csv", ("product_group", "hs_from")),
}


def sync_tariff_seeds(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
    """Upsert each tariff seed into its table (rows removed from a seed are kept: facts may cite them)."""
    for table, (file_name, key) in TARIFF_SEEDS.items():
        types = [(r[0], r[1]) for r in con.sql(f"DESCRIBE {table}").fetchall()]
        select = ", ".join(f"CAST(nullif(trim({c}), '') AS {t}) AS {c}" for c, t in types)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE seed_tariff AS SELECT {select} "
            "FROM read_csv(?, header = true, all_varchar = true)",
            [str(directory / file_name)],
        )
        dupes = con.sql(f"SELECT {', '.join(key)} FROM seed_tariff GROUP BY ALL HAVING count(*) > 1").fetchall()
        if dupes:
            raise ValueError(f"seed {file_name} repeats keys {dupes[:5]}")
        con.execute(f"INSERT OR REPLACE INTO {table} SELECT * FROM seed_tariff")
        con.execute("DROP TABLE seed_tariff")
