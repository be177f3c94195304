"""The KCS trade transform on small frames."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from flows.sources.kcs_trade import month_ranges
from schemas.raw.kcs_trade import KcsTradeRaw
from schemas.validation import split_valid
from transforms import kcs_trade

CROSSWALK = pl.DataFrame({
    "scheme": ["iso2", "iso2", "iso3", "census"],
    "code": ["US", "JP", "USA", "5800"],
    "country_id": ["USA", "JPN", "USA", "KOR"],
})
COLUMNS = ["year", "statCd", "statCdCntnKor1", "hsCd", "statKor", "expDlr", "expWgt", "impDlr", "impWgt",
           "balPayments"]


def raw(*rows: tuple[str | None, ...]) -> pl.DataFrame:
    frame = pl.DataFrame([dict(zip(COLUMNS, r, strict=True)) for r in rows], schema={c: pl.String for c in COLUMNS})
    return frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("source_row"))


def conform(frame: pl.DataFrame) -> kcs_trade.Conformed:
    valid = split_valid(frame, KcsTradeRaw, "kcs.xml")
    assert valid.rejects.height == 0
    return kcs_trade.conform(valid.valid, crosswalk=CROSSWALK, file_hash="h")


def test_exports_fob_and_imports_cif_of_korea_with_each_partner() -> None:
    out = conform(raw(
        ("총계", "-", "-", "-", "-", "300", "30", "120", "12", "180"),
        ("2024.01", "US", "미국", "85", "전기기기", "200", "20", "100", "10", "100"),
        ("2024.02", "JP", "일본", "8703239000", "승용차", "100", "10", "20", "2", "80"),
    ))
    facts = out.facts.sort("period_id", "flow_id")
    assert facts.select("reporter_id", "partner_id", "product_id", "period_id", "flow_id", "value_usd",
                        "quantity", "quantity_unit").rows() == [
        ("KOR", "USA", "HS2022:85", "2024-01", "M_CIF", 100.0, 10.0, "kg"),
        ("KOR", "USA", "HS2022:85", "2024-01", "X_FOB", 200.0, 20.0, "kg"),
        ("KOR", "JPN", "HS2022:8703239000", "2024-02", "M_CIF", 20.0, 2.0, "kg"),
        ("KOR", "JPN", "HS2022:8703239000", "2024-02", "X_FOB", 100.0, 10.0, "kg"),
    ]
    assert set(facts.get_column("source")) == {"kcs_trade"} and set(facts.get_column("value_status")) == {"reported"}
    levels = dict(out.products.select("code", "level").rows())
    assert levels == {"85": 2, "8703239000": 10}  # the level is the code's length
    assert out.rows_skipped == 1 and out.rejects.height == 0  # the total row is no fact
    assert out.periods.get_column("period_id").to_list() == ["2024-01", "2024-02"]


def test_unknown_partner_and_repeated_item_are_rejects_with_reasons() -> None:
    out = conform(raw(
        ("2016.05", "US", "미국", "03", None, "5", None, "7", None, None),
        ("2016.05", "ZZ", "?", "03", None, "5", None, "7", None, None),
        ("2016.05", "US", "미국", "03", None, "6", None, "8", None, None),
    ))
    assert sorted(out.rejects.select("row_number", "field").rows()) == [(2, "statCd"), (3, "hsCd")]
    assert "unknown iso2 country code ZZ" in out.rejects.filter(pl.col("field") == "statCd")["reason"][0]
    assert out.facts.get_column("value_usd").sort().to_list() == [5.0, 7.0]  # the first item kept, none changed
    assert out.facts.get_column("product_id").unique().to_list() == ["HS2012:03"]
    assert out.facts.get_column("quantity").null_count() == 2


def test_a_blank_value_is_suppressed_not_zero() -> None:
    out = conform(raw(("2024.03", "US", "미국", "02", None, "", "", "9", "1", None)))
    exports = out.facts.filter(pl.col("flow_id") == "X_FOB")
    assert exports.select("value_usd", "value_status").rows() == [(None, "suppressed")]


def test_raw_model_refuses_bad_items() -> None:
    frame = raw(
        ("2024.13", "US", "", "85", "", "1", "1", "1", "1", "0"),
        ("2024.01", "usa", "", "85", "", "1", "1", "1", "1", "0"),
        ("2024.01", "US", "", "855", "", "1", "1", "1", "1", "0"),
        ("2024.01", "US", "", "85", "", "-3", "1", "1", "1", "0"),
        ("2024.01", "US", "", "77", "", "1", "1", "1,x", "1", "0"),
    )
    rejects = split_valid(frame, KcsTradeRaw, "kcs.xml").rejects
    assert sorted(set(rejects.select("row_number", "field").rows())) == [
        (1, "year"), (2, "statCd"), (3, "hsCd"), (4, "expDlr"), (5, "hsCd"), (5, "impDlr"),
    ]


@given(st.lists(st.integers(min_value=2000 * 12, max_value=2030 * 12), min_size=0, max_size=60, unique=True))
def test_month_ranges_cover_every_month_within_one_year(indexes: list[int]) -> None:
    months = [f"{i // 12}-{i % 12 + 1:02d}" for i in sorted(indexes)]
    ranges = month_ranges(months)
    assert all(first[:4] == last[:4] and first <= last for first, last in ranges)
    assert all(any(f <= m <= last for f, last in ranges) for m in months)
    assert len(ranges) == len({m[:4] for m in months})


def test_amounts_and_weights_are_read_by_the_one_number_parser_and_out_of_range_ones_quarantined() -> None:
    frame = raw(
        ("2024.01", "US", "미국", "85", None, " 200.5 ", ".5", "100", "", None),
        ("2024.01", "JP", "일본", "85", None, "1e5", "1", "100", "1", None),  # an exponent: not how KCS writes
        ("2024.02", "JP", "일본", "85", None, "1" + "0" * 18, "1", "100", "1", None),  # beyond DECIMAL(20, 2)
        ("2024.03", "JP", "일본", "85", None, "5", "1" + "0" * 20, "100", "1", None),  # a weight beyond 1e20
        ("2024.04", "JP", "일본", "85", None, "-5", "1", "100", "1", None),
    )
    validated = split_valid(frame, KcsTradeRaw, "kcs.xml")
    reasons = dict(validated.rejects.select("row_number", "reason").rows())
    assert sorted(reasons) == [2, 3, 4, 5] and validated.valid.height == 1
    assert "exponent" in reasons[2] and "beyond the range" in reasons[3] and "beyond the range" in reasons[4]
    assert "negative" in reasons[5]
    facts = kcs_trade.conform(validated.valid, crosswalk=CROSSWALK, file_hash="h").facts.sort("flow_id")
    assert facts.select("flow_id", "value_usd", "quantity").rows() == [("M_CIF", 100.0, None), ("X_FOB", 200.5, 0.5)]
