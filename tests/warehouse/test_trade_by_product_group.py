"""marts.trade_by_product_group: an analyst's product groups (aggregation = 'group') summed from the
same yearly values as marts.trade_by_sector, with the codes and chapters behind each figure."""

from __future__ import annotations

from tests.warehouse.conftest import add_fact

CHAPTERS = {"50": 1.0, "52": 20.0, "55": 300.0, "60": 4000.0, "61": 50000.0, "63": 7.0, "85": 900.0, "02": 11.0}


def _trade(con) -> None:
    for chapter, value in CHAPTERS.items():
        add_fact(con, "usitc_dataweb", "KOR", "2021", "X_FAS", value, f"HS2017:{chapter}")
    # a second series published by heading: beef can be told apart there only
    for heading, value in (("0201", 3.0), ("0202", 5.0), ("0203", 100.0), ("5201", 2.0), ("6101", 9.0)):
        add_fact(con, "census_api", "KOR", "2021", "M_GEN_CUSTOMS", value, f"HS2017:{heading}")


def _groups(con, source: str) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in con.sql(
        """SELECT product_group, value_usd, hs_codes, chapters_covered, group_chapters, aggregation
           FROM marts.trade_by_product_group WHERE source = $s AND year = 2021""", params={"s": source}).fetchall()}


def test_textiles_are_the_sum_of_chapters_50_to_60(con) -> None:
    _trade(con)
    sector = dict(con.sql("""SELECT chapter, value_usd FROM marts.trade_by_sector
                             WHERE source = 'usitc_dataweb' AND year = 2021""").fetchall())
    groups = _groups(con, "usitc_dataweb")
    textiles = sum(float(v) for c, v in sector.items() if "50" <= c <= "60")
    assert float(groups["textiles"][0]) == textiles == 4321.0
    assert groups["textiles"][1:3] == (4, "50,52,55,60")  # 4 of the 11 chapters have trade: visible
    assert groups["textiles"][3] == ",".join(str(c) for c in range(50, 61))
    assert float(groups["apparel"][0]) == 50007.0 and groups["electronics"][0] == 900.0
    assert all(g[4] == "group" for g in groups.values())
    assert "beef" not in groups  # chapter 02 alone cannot say which part is beef
    assert len(sector) == len(CHAPTERS)  # marts.trade_by_sector keeps its chapter rows only


def test_a_heading_range_uses_the_headings_of_a_series_that_has_them(con) -> None:
    _trade(con)
    groups = _groups(con, "census_api")
    assert groups["beef"][:3] == (8.0, 2, "02")  # 0201 + 0202, not 0203
    assert groups["textiles"][:2] == (2.0, 1) and groups["apparel"][:2] == (9.0, 1)


def test_the_vintages_behind_a_group_are_listed_in_order_whatever_the_load_order(con) -> None:
    # textiles from two HS editions in one year, the later edition loaded first
    for product in ("HS2022:55", "HS2017:52", "HS2022:60"):
        add_fact(con, "census_api", "KOR", "2022", "M_GEN_CUSTOMS", 10, product)
    rows = con.sql(
        """SELECT product_levels, hs_vintages FROM marts.trade_by_product_group
           WHERE product_group = 'textiles' AND year = 2022"""
    ).fetchall()
    assert rows == [("2", "HS2017,HS2022")]
