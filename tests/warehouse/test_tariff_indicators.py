"""marts.tariff_indicators against hand-computed values on a small schedule (and the preference marts).

Schedule of USA, in force 2024 (MFN; KR = KORUS preference):
    HS6     line         MFN                      KR      world imports (value, qty kg)   from KOR
    010121  0101210010   Free                              1,000                           -
            0101210020   10%                      Free
    010129  01012900     20%                               3,000                           1,000
    010130  0101300000   Free                              2,000                           -
    020110  02011050     10¢/kg (specific)                 1,000, 500 kg -> 2 USD/kg       -
    030111  03011100     5¢/kg + 2% (no unit value)          500, no quantity              -
    870323  87032301     2.5%                     Free     5,000                           4,000
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from warehouse import mart_tables
from warehouse.migrate import migrate

RATES = [
    # line, rate_type, program, kind, pct, amount, unit, text
    ("0101210010", "mfn", None, "free", 0.0, None, None, "Free"),
    ("0101210020", "mfn", None, "ad_valorem", 10.0, None, None, "10%"),
    ("0101210020", "preferential", "KR", "free", 0.0, None, None, "Free"),
    ("01012900", "mfn", None, "ad_valorem", 20.0, None, None, "20%"),
    ("0101300000", "mfn", None, "free", 0.0, None, None, "Free"),
    ("02011050", "mfn", None, "specific", None, 0.10, "kg", "10¢/kg"),
    ("03011100", "mfn", None, "compound", 2.0, 0.05, "kg", "5¢/kg + 2%"),
    ("87032301", "mfn", None, "ad_valorem", 2.5, None, None, "2.5%"),
    ("87032301", "preferential", "KR", "free", 0.0, None, None, "Free"),
]
IMPORTS = [
    # hs6, partner, value, quantity
    ("010121", "WORLD", 1000, None), ("010129", "WORLD", 3000, None), ("010130", "WORLD", 2000, None),
    ("020110", "WORLD", 1000, 500.0), ("030111", "WORLD", 500, None), ("870323", "WORLD", 5000, None),
    ("010129", "KOR", 1000, None), ("870323", "KOR", 4000, None),
]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    migrate(connection)
    for line, rate_type, program, kind, pct, amount, unit, text in RATES:
        connection.execute(
            """INSERT INTO core.fact_tariff_rate (importer_id, source, tariff_line, rate_type, program_code,
                   agreement_id, rate_kind, parse_status, ad_valorem_pct, specific_amount, specific_currency,
                   specific_unit, rate_text, valid_from, valid_to, edition, row_hash, run_id, file_hash)
               VALUES ('USA', 'usitc_hts', ?, ?, ?, CASE WHEN ? = 'KR' THEN 'KORUS' END, ?, 'parsed', ?, ?,
                   CASE WHEN ? IS NOT NULL THEN 'USD' END, ?, ?, DATE '2024-01-01', DATE '2025-01-01', 'test', '',
                   'r', '')""",
            [line, rate_type, program, program, kind, pct, amount, amount, unit, text],
        )
    connection.execute("INSERT INTO core.dim_period VALUES ('2024', 'year', 2024, NULL, DATE '2024-01-01', DATE '2024-12-31')")
    for hs6, partner, value, quantity in IMPORTS:
        connection.execute(
            "INSERT INTO core.dim_product VALUES (?, 'HS', 'HS2022', ?, 6, NULL, NULL) ON CONFLICT DO NOTHING",
            [f"HS2022:{hs6}", hs6],
        )
        connection.execute(
            """INSERT INTO core.fact_trade VALUES ('census_api', 'USA', ?, ?, '2024', 'M_GEN_CUSTOMS', ?, ?,
                   CASE WHEN ? IS NOT NULL THEN 'KG' END, 'reported', 'r', '', now())""",
            [partner, f"HS2022:{hs6}", value, quantity, quantity],
        )
    mart_tables.refresh_all(connection)  # facts written past the loader: the stored marts and sums refreshed
    yield connection
    connection.close()


def _row(con, program: str | None, aggregation: str = "total", chapter: str | None = None) -> dict:
    rel = con.sql(
        """SELECT * FROM marts.tariff_indicators WHERE importer_iso3 = 'USA' AND year = 2024
             AND program IS NOT DISTINCT FROM $p AND aggregation = $a AND hs_chapter IS NOT DISTINCT FROM $c
             AND rate_type = CASE WHEN $p IS NULL THEN 'mfn' ELSE 'preferential' END""",
        params={"p": program, "a": aggregation, "c": chapter},
    )
    rows = rel.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(rel.columns, rows[0], strict=True))


def test_mfn_totals_by_hand(con) -> None:
    row = _row(con, None)
    assert (row["tariff_lines"], row["hs6_subheadings"]) == (7, 6)
    # HS6 first: 010121 avg(0, 10) = 5; 010129 20; 010130 0; 020110 AVE 100 x 0.10 / 2 = 5; 030111 none; 870323 2.5
    assert row["simple_avg_pct"] == pytest.approx((5 + 20 + 0 + 5 + 2.5) / 5)
    assert row["simple_avg_pct"] != pytest.approx((0 + 10 + 20 + 0 + 5 + 2.5) / 6)  # not line-weighted
    assert row["trade_weighted_avg_pct"] == pytest.approx((5 * 1000 + 20 * 3000 + 0 + 5 * 1000 + 2.5 * 5000) / 12000)
    assert row["duty_free_lines_pct"] == pytest.approx(100 * 2 / 7)
    assert row["duty_free_imports_pct"] == pytest.approx(100 * 2000 / 12500)
    assert row["lines_above_15_pct"] == pytest.approx(100 * 1 / 6)
    assert row["non_ad_valorem_lines_pct"] == pytest.approx(100 * 2 / 7)
    assert (row["lines_with_ave"], row["lines_without_ave"]) == (1, 1)
    assert row["weights_partner"] == "WORLD" and row["ave_method"].startswith("AVE = ")


def test_section_and_chapter_levels(con) -> None:
    section = con.sql(
        """SELECT simple_avg_pct FROM marts.tariff_indicators WHERE program IS NULL AND rate_type = 'mfn'
             AND aggregation = 'section' AND hs_section = 1"""
    ).fetchall()
    assert section == [(pytest.approx((5 + 20 + 0 + 5) / 4),)]
    chapter = _row(con, None, "chapter", "01")
    assert chapter["simple_avg_pct"] == pytest.approx(25 / 3) and chapter["hs_section"] == 1
    cars = _row(con, None, "chapter", "87")
    assert (cars["hs_section"], cars["simple_avg_pct"], cars["non_ad_valorem_lines_pct"]) == (17, 2.5, 0.0)
    assert cars["ave_method"] == "ad valorem rates only"


def test_specific_duty_without_unit_value_is_left_out_not_zero(con) -> None:
    fish = _row(con, None, "chapter", "03")
    assert fish["simple_avg_pct"] is None and fish["lines_without_ave"] == 1
    assert fish["duty_free_lines_pct"] == 0.0 and fish["lines_above_15_pct"] is None


def test_korus_preference_uses_mfn_where_no_preference_and_partner_weights(con) -> None:
    row = _row(con, "KR")
    assert row["agreement_id"] == "KORUS" and row["weights_partner"] == "KOR"
    assert row["simple_avg_pct"] == pytest.approx((0 + 20 + 0 + 5 + 0) / 5)
    assert row["trade_weighted_avg_pct"] == pytest.approx((20 * 1000 + 0 * 4000) / 5000)
    assert row["duty_free_lines_pct"] == pytest.approx(100 * 4 / 7)


def test_no_indicators_outside_the_validity(con) -> None:
    assert con.sql("SELECT DISTINCT year FROM marts.tariff_indicators").fetchall() == [(2024,)]


def test_preference_margin_mart(con) -> None:
    rows = con.sql(
        """SELECT tariff_line, mfn_ad_valorem_pct, pref_ad_valorem_pct, margin_pct_points, valid_from, valid_to
           FROM marts.tariff_preference_margin WHERE importer_iso3 = 'USA' ORDER BY tariff_line"""
    ).fetchall()
    assert rows == [
        ("0101210020", 10.0, 0.0, 10.0, dt.date(2024, 1, 1), dt.date(2025, 1, 1)),
        ("87032301", 2.5, 0.0, 2.5, dt.date(2024, 1, 1), dt.date(2025, 1, 1)),
    ]


def test_realised_duty_rate(con) -> None:
    for flow_id, value in (("M_CAL_DUTY", 50), ("M_DUTIABLE", 250), ("M_CON_CUSTOMS", 1000)):
        con.execute(
            """INSERT INTO core.fact_trade VALUES ('census_api', 'USA', 'KOR', 'HS2022:870323', '2024', ?, ?,
                   NULL, NULL, 'reported', 'r', '', now())""",
            [flow_id, value],
        )
    mart_tables.refresh_all(con)  # written past the loader
    rows = con.sql(
        """SELECT partner_iso3, calculated_duty_usd, duty_on_dutiable_pct, duty_on_customs_value_pct
           FROM marts.tariff_realised_duty WHERE importer_iso3 = 'USA' AND year = 2024"""
    ).fetchall()
    assert rows == [("KOR", 50, pytest.approx(20.0), pytest.approx(5.0))]
