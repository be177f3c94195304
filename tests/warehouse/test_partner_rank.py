"""marts.partner_rank ranks only series of all goods in both directions, and flags partial years."""

from __future__ import annotations

from tests.warehouse.conftest import add_fact, months

PARTNERS = {"CAN": (300, 400), "MEX": (250, 500), "KOR": (60, 110)}


def _totals(con, year: int, count: int = 12) -> None:
    for partner, (x, m) in PARTNERS.items():
        for period in months(year, count):
            add_fact(con, "census_country_totals", partner, period, "X_FAS", x)
            add_fact(con, "census_country_totals", partner, period, "M_GEN_CUSTOMS", m)


def _ranked(con, source: str, year: int) -> list[tuple]:
    return con.sql(
        "SELECT partner_iso3, rank, is_partial_year, months_covered FROM marts.partner_rank "
        "WHERE reporter_iso3 = 'USA' AND source = $s AND year = $y ORDER BY rank",
        params={"s": source, "y": year},
    ).fetchall()


def test_a_seafood_only_extract_is_never_ranked(con) -> None:
    _totals(con, 2018)
    for period in months(2018, 12):  # Census API, HS6 fish only, both directions: Korea alone
        add_fact(con, "census_api", "KOR", period, "X_FAS", 5, product_id="HS2017:030111")
        add_fact(con, "census_api", "KOR", period, "M_GEN_CUSTOMS", 7, product_id="HS2017:030111")
    assert _ranked(con, "census_api", 2018) == []
    assert [r[0] for r in _ranked(con, "census_country_totals", 2018)] == ["MEX", "CAN", "KOR"]


def test_an_exports_only_file_is_not_total_trade(con) -> None:
    for partner, (x, _) in PARTNERS.items():
        add_fact(con, "usitc_dataweb", partner, "2021", "X_FAS", x, product_id="HS2017:85")
    assert _ranked(con, "usitc_dataweb", 2021) == []
    balance = con.sql("SELECT count(*) FROM marts.trade_balance WHERE source = 'usitc_dataweb'").fetchall()
    assert balance == [(3,)]  # still in the balance, which names each direction


def test_hs_chapters_in_both_directions_are_ranked(con) -> None:
    for partner, (x, m) in PARTNERS.items():
        for chapter in ("85", "87"):
            add_fact(con, "census_api", partner, "2024-01", "X_FAS", x, product_id=f"HS2022:{chapter}")
            add_fact(con, "census_api", partner, "2024-01", "M_GEN_CUSTOMS", m, product_id=f"HS2022:{chapter}")
    assert [r[:2] for r in _ranked(con, "census_api", 2024)] == [("MEX", 1), ("CAN", 2), ("KOR", 3)]


def test_a_partial_year_is_flagged_in_the_ranking(con) -> None:
    _totals(con, 2023)
    _totals(con, 2024, count=6)  # January-June
    assert {r[2:] for r in _ranked(con, "census_country_totals", 2023)} == {(False, 12)}
    assert {r[2:] for r in _ranked(con, "census_country_totals", 2024)} == {(True, 6)}
