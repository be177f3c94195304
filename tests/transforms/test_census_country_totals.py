"""The country-totals transform on small frames: units, periods, partial years, unknown codes."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.raw.census_country_totals import MONTHS, VALUE_COLUMNS
from transforms.census_country_totals import conform

HASH = "a" * 64
CROSSWALK = pl.DataFrame(
    {"scheme": ["census", "census", "census"], "code": ["5800", "0015", "1220"], "country_id": ["KOR", "WORLD", "CAN"]}
)


def raw_frame(rows: list[dict[str, str]]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema={c: pl.String for c in ["year", "CTY_CODE", "CTYNAME", *VALUE_COLUMNS]})
    return frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("source_row"))


def row(year: str, code: str, value: str = "1.5", **overrides: str) -> dict[str, str]:
    cells = {c: value for c in VALUE_COLUMNS}
    cells["IYR"] = cells["EYR"] = str(round(float(value) * 12, 6))
    cells.update(overrides)
    return {"year": year, "CTY_CODE": code, "CTYNAME": code, **cells}


def test_millions_become_usd_and_periods_split() -> None:
    out = conform(raw_frame([row("2020", "5800", "2.5")]), crosswalk=CROSSWALK, file_hash=HASH)
    facts = out.facts
    assert facts.height == 26  # 12 months + 1 year, two directions
    jan = facts.filter((pl.col("period_id") == "2020-01") & (pl.col("flow_id") == "X_FAS"))
    assert jan.get_column("value_usd").item() == 2_500_000.0
    year = facts.filter((pl.col("period_id") == "2020") & (pl.col("flow_id") == "M_GEN_CUSTOMS"))
    assert year.get_column("value_usd").item() == 30_000_000.0
    assert set(facts.get_column("partner_id")) == {"KOR"}
    assert set(facts.get_column("reporter_id")) == {"USA"}
    assert set(out.periods.get_column("period_grain")) == {"month", "year"}
    assert out.rejects.height == 0


def test_float_artefacts_round_to_cents() -> None:
    out = conform(raw_frame([row("1986", "5800", EYR="6355.000000000001")]), crosswalk=CROSSWALK, file_hash=HASH)
    value = out.facts.filter((pl.col("period_id") == "1986") & (pl.col("flow_id") == "X_FAS"))["value_usd"].item()
    assert value == 6_355_000_000.0


def test_unpublished_months_are_skipped_and_year_marked_partial() -> None:
    late = {f"{side}{m}": "0" for side in "IE" for m in MONTHS[6:]}
    rows = [row("2024", "5800", "3", **late), row("2024", "0015", "9", **late), row("2023", "5800", "1", IJUL="0")]
    out = conform(raw_frame(rows), crosswalk=CROSSWALK, file_hash=HASH)
    periods = set(out.facts.filter(pl.col("period_id").str.starts_with("2024")).get_column("period_id"))
    assert "2024-07" not in periods and "2024-06" in periods
    assert out.rows_skipped == 2 * 6 * 2  # two rows, six months, two directions
    status = out.facts.filter(pl.col("period_id") == "2024").get_column("value_status").unique().to_list()
    assert status == ["partial"]
    # a zero in one country's row of a full year is a real zero, not an unpublished month
    assert out.facts.filter(pl.col("period_id") == "2023-07").height == 2


def test_unknown_country_code_is_rejected_with_reason() -> None:
    out = conform(raw_frame([row("2020", "5800"), row("2020", "9999")]), crosswalk=CROSSWALK, file_hash=HASH)
    assert out.rejects.height == 1
    reject = out.rejects.row(0, named=True)
    assert reject["row_number"] == 3 and reject["field"] == "CTY_CODE" and reject["value"] == "9999"
    assert "unknown census country code" in reject["reason"]
    assert '"CTY_CODE": "9999"' in reject["raw_record"]
    assert set(out.facts.get_column("partner_id")) == {"KOR"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10_000, places=1, allow_nan=False), min_size=26, max_size=26))
def test_values_are_conserved(values) -> None:
    cells = {c: str(v) for c, v in zip(VALUE_COLUMNS, values, strict=True)}
    raw = raw_frame([{"year": "2019", "CTY_CODE": "1220", "CTYNAME": "Canada", **cells}])
    out = conform(raw, crosswalk=CROSSWALK, file_hash=HASH)
    expected = sum(float(v) for v in values) * 1_000_000
    assert abs(out.facts.get_column("value_usd").sum() - expected) < 0.01 * 26
