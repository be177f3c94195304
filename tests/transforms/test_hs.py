"""HS code normalisation, vintages and product rows."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.hs import hs_vintage, hs_vintage_expr, normalise_hs, product_id_expr, product_rows


def test_vintage_boundaries() -> None:
    assert hs_vintage(2011) == "HS2007"
    assert hs_vintage(2012) == "HS2012"
    assert hs_vintage(2016) == "HS2012"
    assert hs_vintage(2017) == "HS2017"
    assert hs_vintage(2022) == "HS2022"
    assert hs_vintage(1990) == "HS1992"


@given(st.integers(min_value=1988, max_value=2030))
def test_vectorised_vintage_agrees(year: int) -> None:
    frame = pl.DataFrame({"year": [year]})
    assert frame.select(hs_vintage_expr(pl.col("year"))).item() == hs_vintage(year)


def test_normalise_strips_punctuation_and_pads() -> None:
    frame = pl.DataFrame({"code": ["8703.23.01", "30111", "-", " 0201 ", "TOTAL"], "level": [8, 6, 2, 4, 0]})
    out = frame.select(normalise_hs(pl.col("code"), pl.col("level"))).to_series().to_list()
    assert out == ["87032301", "030111", "TOTAL", "0201", "TOTAL"]


@given(st.from_regex(r"[0-9]{2}([0-9]{2}){0,4}", fullmatch=True))
def test_normalise_keeps_digit_codes(code: str) -> None:
    dotted = ".".join(code[i : i + 2] for i in range(0, len(code), 2))
    frame = pl.DataFrame({"code": [dotted]})
    assert frame.select(normalise_hs(pl.col("code"))).item() == code


def test_product_rows_levels_and_parents() -> None:
    frame = pl.DataFrame(
        {
            "hs_vintage": ["HS2022", "HS2022", "HS2022", "HS2022"],
            "code": ["87", "8703", "870323", "TOTAL"],
            "description": ["VEHICLES", None, "CARS", "All goods"],
        }
    )
    rows = product_rows(frame).sort("product_id")
    assert rows.get_column("product_id").to_list() == ["HS2022:87", "HS2022:8703", "HS2022:870323", "TOTAL"]
    assert rows.get_column("level").to_list() == [2, 4, 6, 0]
    assert rows.get_column("parent_id").to_list() == [None, "HS2022:87", "HS2022:8703", None]
    assert rows.filter(pl.col("code") == "TOTAL").get_column("hs_vintage").item() is None


def test_product_id() -> None:
    frame = pl.DataFrame({"v": ["HS2017", "HS2017"], "c": ["TOTAL", "85"]})
    assert frame.select(product_id_expr(pl.col("v"), pl.col("c"))).to_series().to_list() == ["TOTAL", "HS2017:85"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["0101", "0102", "TOTAL"]), st.one_of(st.none(), st.sampled_from(["b", "a", "B", "é", ""]))), min_size=1, max_size=30))
def test_a_product_keeps_its_first_description_in_sort_order(rows: list[tuple[str, str | None]]) -> None:
    frame = pl.DataFrame({"hs_vintage": ["2022"] * len(rows), "code": [r[0] for r in rows], "description": [r[1] for r in rows]})
    got = {r["code"]: r["description"] for r in product_rows(frame).iter_rows(named=True)}
    for code in {r[0] for r in rows}:
        described = sorted(d for c, d in rows if c == code and d is not None)
        assert got[code] == (described[0] if described else None)


def test_total_of_two_vintages_is_one_product_with_its_smallest_description() -> None:
    frame = pl.DataFrame({
        "hs_vintage": ["HS2017", "HS2022", "HS2017", "HS2022", "HS2017"],
        "code": ["TOTAL", "TOTAL", "TOTAL", "01", "01"],
        "description": [None, "b Total", "a Total", "Live animals", None],
    })
    for _ in range(20):  # group_by's order is not fixed: the answer must not depend on it
        rows = product_rows(frame)
        total = rows.filter(pl.col("product_id") == "TOTAL")
        assert total.height == 1 and total.item(0, "description") == "a Total"
        assert rows.filter(pl.col("code") == "01").get_column("description").to_list() == [None, "Live animals"]
