"""Reference seeds shipped with the project (``warehouse/seeds/*.csv``), kept in sync on migrate."""

from __future__ import annotations

from pathlib import Path

import duckdb

from schemas.core.dim_country import DimCountry, DimCountryCode
from schemas.validation import assert_valid
from warehouse.tariff_seeds import sync_tariff_seeds

SEEDS_DIR = Path(__file__).parent / "seeds"


def sync_seeds(con: duckdb.DuckDBPyConnection, directory: Path = SEEDS_DIR) -> None:
    """Upsert the country seeds; every canonical code (and the name, scheme ``name``) also lands in
    the code crosswalk."""
    countries = directory / "countries.csv"
    aliases = directory / "country_code_aliases.csv"
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE seed_country AS
        SELECT * FROM read_csv(?, header = true, all_varchar = true)
        """,
        [str(countries)],
    )
    country_rows = con.sql(  # validated, then read by DuckDB's replacement scan
        """
        SELECT country_id, nullif(iso3, '') AS iso3, nullif(iso2, '') AS iso2, nullif(un_m49, '') AS un_m49,
               nullif(census_code, '') AS census_code, nullif(comtrade_code, '') AS comtrade_code, name,
               lower(is_aggregate) = 'true' AS is_aggregate, nullif(aggregate_kind, '') AS aggregate_kind
        FROM seed_country
        """
    ).pl()
    country_rows = assert_valid(country_rows, DimCountry, "core.dim_country")
    con.execute("INSERT OR REPLACE INTO core.dim_country SELECT * FROM country_rows")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE seed_code AS
        SELECT scheme, code, country_id, name AS source_name, NULL AS note FROM (
            SELECT 'census' AS scheme, census_code AS code, country_id, name FROM seed_country
            UNION ALL SELECT 'comtrade', comtrade_code, country_id, name FROM seed_country
            UNION ALL SELECT 'iso3', iso3, country_id, name FROM seed_country
            UNION ALL SELECT 'iso2', iso2, country_id, name FROM seed_country
            UNION ALL SELECT 'm49', un_m49, country_id, name FROM seed_country
            UNION ALL SELECT 'name', name, country_id, name FROM seed_country
        ) WHERE coalesce(code, '') <> ''
        UNION ALL
        SELECT scheme, code, country_id, source_name, note
        FROM read_csv(?, header = true, all_varchar = true)
        """,
        [str(aliases)],
    )
    dup = con.sql(
        "SELECT scheme, code, count(*) FROM seed_code GROUP BY ALL HAVING count(*) > 1 LIMIT 5"
    ).fetchall()
    if dup:
        raise ValueError(f"country seeds map one code to several countries: {dup}")
    assert_valid(con.sql("SELECT * FROM seed_code").pl(), DimCountryCode, "core.dim_country_code")
    con.execute("INSERT OR REPLACE INTO core.dim_country_code SELECT * FROM seed_code")
    con.execute("DROP TABLE seed_country")
    con.execute("DROP TABLE seed_code")
    sync_tariff_seeds(con, directory)
