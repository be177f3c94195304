"""The Census API transform on small frames: measures to flows, levels, aggregates, blanks."""

from __future__ import annotations

import polars as pl

from transforms.census_api import conform

HASH = "b" * 64
CROSSWALK = pl.DataFrame(
    {
        "scheme": ["census", "census", "census", "census_api"],
        "code": ["5800", "-", "0022", "0022"],
        "country_id": ["KOR", "WORLD", "USMCA_CA_CONS", "OECD"],
    }
)


def imports(rows: list[list[str | None]]) -> pl.DataFrame:
    cols = ["CTY_CODE", "CTY_NAME", "I_COMMODITY", "I_COMMODITY_LDESC", "GEN_VAL_MO", "CON_VAL_MO",
            "GEN_CIF_MO", "GEN_QY1_MO", "UNIT_QY1", "COMM_LVL", "time"]
    frame = pl.DataFrame(rows, schema={c: pl.String for c in cols}, orient="row")
    return frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("source_row"))


def test_each_import_measure_is_its_own_flow() -> None:
    raw = imports([["5800", "KOREA, SOUTH", "87", "VEHICLES", "100", "90", "104", "0", "-", "HS2", "2024-03"]])
    facts = conform(raw, direction="import", crosswalk=CROSSWALK, file_hash=HASH).facts
    by_flow = dict(zip(facts["flow_id"], facts["value_usd"], strict=True))
    assert by_flow == {"M_GEN_CUSTOMS": 100.0, "M_CON_CUSTOMS": 90.0, "M_GEN_CIF": 104.0}
    assert set(facts["product_id"]) == {"HS2022:87"}
    assert set(facts["period_id"]) == {"2024-03"}
    assert facts["quantity_unit"].null_count() == 3


def test_api_group_codes_win_over_country_totals_meaning() -> None:
    raw = imports([["0022", "OECD", "87", "VEHICLES", "5", "5", "5", "0", "-", "HS2", "2016-01"]])
    facts = conform(raw, direction="import", crosswalk=CROSSWALK, file_hash=HASH).facts
    assert set(facts["partner_id"]) == {"OECD"}
    assert set(facts["product_id"]) == {"HS2012:87"}


def test_blank_value_is_null_and_suppressed_never_zero() -> None:
    raw = imports([["5800", "KOREA, SOUTH", "030111", "FISH", "", "1", "2", "3", "KG", "HS6", "2019-01"]])
    facts = conform(raw, direction="import", crosswalk=CROSSWALK, file_hash=HASH).facts
    gen = facts.filter(pl.col("flow_id") == "M_GEN_CUSTOMS").row(0, named=True)
    assert gen["value_usd"] is None and gen["value_status"] == "suppressed"
    assert gen["quantity"] == 3.0 and gen["quantity_unit"] == "KG"


def test_products_keep_their_level_and_parent() -> None:
    raw = imports(
        [
            ["-", "TOTAL FOR ALL COUNTRIES", "85", "ELECTRICAL", "10", "10", "10", "0", "-", "HS2", "2024-01"],
            ["-", "TOTAL FOR ALL COUNTRIES", "8542", "CIRCUITS", "4", "4", "4", "0", "-", "HS4", "2024-01"],
        ]
    )
    out = conform(raw, direction="import", crosswalk=CROSSWALK, file_hash=HASH)
    products = dict(zip(out.products["product_id"], out.products["parent_id"], strict=True))
    assert products == {"HS2022:85": None, "HS2022:8542": "HS2022:85"}
