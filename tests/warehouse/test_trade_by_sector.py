"""marts.trade_by_sector: iso3 names, and the same yearly value, months and basis as trade_yearly."""

from __future__ import annotations

from tests.warehouse.conftest import add_fact, months


def _partial_year(con) -> None:
    """2024: a published year to date (status partial) and its nine months, chapters 85 and 87."""
    for chapter, value in (("85", 100), ("87", 50)):
        product = f"HS2022:{chapter}"
        add_fact(con, "usitc_dataweb", "KOR", "2024", "M_GEN_CUSTOMS", 9 * value, product, status="partial")
        for period in months(2024, 9):
            add_fact(con, "usitc_dataweb", "KOR", period, "M_GEN_CUSTOMS", value, product)


def test_a_nine_month_partial_year_says_nine_months_and_partial_everywhere(con) -> None:
    _partial_year(con)
    sector = con.sql(
        """SELECT chapter, value_usd, months_covered, is_partial_year, year_basis FROM marts.trade_by_sector
           WHERE reporter_iso3 = 'USA' AND partner_iso3 = 'KOR' AND year = 2024 ORDER BY chapter"""
    ).fetchall()
    assert [(c, float(v), m, p, b) for c, v, m, p, b in sector] == [
        ("85", 900.0, 9, True, "published annual"),
        ("87", 450.0, 9, True, "published annual"),
    ]
    yearly = con.sql(
        """SELECT value_usd, months_covered, is_partial_year, year_basis FROM marts.trade_yearly
           WHERE partner_iso3 = 'KOR' AND year = 2024"""
    ).fetchall()
    assert [(float(v), m, p, b) for v, m, p, b in yearly] == [(1350.0, 9, True, "published annual")]


def test_a_full_published_year_is_twelve_months_even_with_months_missing(con) -> None:
    add_fact(con, "usitc_dataweb", "KOR", "2021", "X_FAS", 1200, "HS2017:85")
    add_fact(con, "usitc_dataweb", "KOR", "2021-03", "X_FAS", 100, "HS2017:85")
    for mart in ("marts.trade_by_sector", "marts.trade_yearly"):
        rows = con.sql(f"SELECT value_usd, months_covered, is_partial_year FROM {mart} WHERE year = 2021").fetchall()
        assert [(float(v), m, p) for v, m, p in rows] == [(1200.0, 12, False)], mart


def test_reporter_and_partner_are_named_as_in_every_trade_mart(con) -> None:
    columns = {r[0] for r in con.sql("DESCRIBE marts.trade_by_sector").fetchall()}
    assert {"reporter_iso3", "partner_iso3", "is_partial_year"} <= columns


def test_a_chapter_from_two_vintages_lists_them_in_order_whatever_the_load_order(con) -> None:
    # a year whose months straddle two HS editions; the text is the same whichever arrives first
    for period, product in (("2022-02", "HS2022:85"), ("2022-01", "HS2017:85"), ("2022-03", "HS2022:85")):
        add_fact(con, "census_api", "KOR", period, "M_GEN_CUSTOMS", 10, product)
    rows = con.sql("SELECT hs_vintages FROM marts.trade_by_sector WHERE year = 2022 AND chapter = '85'").fetchall()
    assert rows == [("HS2017,HS2022",)]
    logic = con.sql("SELECT hs_vintages FROM mart_tables.trade_by_sector_logic WHERE year = 2022").fetchall()
    assert logic == rows
