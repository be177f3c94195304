"""The intermediate layer: the one place a yearly value is defined; no mart repeats the rule."""

from __future__ import annotations

from tests.warehouse.conftest import add_fact, months
from warehouse.dictionary import mart_descriptions
from warehouse.migrate import MARTS_DIR


def test_only_the_intermediate_layer_reads_periods() -> None:
    """'Published annual, else months summed' lives in 00_intermediate.sql alone."""
    repeating = [p.name for p in sorted(MARTS_DIR.glob("*.sql"))
                 if p.name != "00_intermediate.sql" and "period_grain" in p.read_text()]
    assert repeating == []


def test_every_view_declares_its_grain_where_it_is_defined() -> None:
    described = mart_descriptions()
    assert {"marts.int_trade_facts", "marts.int_trade_yearly", "marts.int_trade_series_yearly"} <= set(described)
    assert [name for name, text in described.items() if " — grain: " not in text] == []


def test_a_suppressed_annual_figure_is_not_a_value_the_months_are(con) -> None:
    add_fact(con, "comtrade", "KOR", "2022", "X_FOB", None, status="suppressed")
    for period in months(2022, 12):
        add_fact(con, "comtrade", "KOR", period, "X_FOB", 10)
    rows = con.sql("SELECT value_usd, months_covered, is_partial_year, year_basis FROM marts.int_trade_yearly").fetchall()
    assert [(float(v), m, p, b) for v, m, p, b in rows] == [(120.0, 12, False, "sum of months")]


def test_the_headline_measure_is_one_per_direction(con) -> None:
    for flow_id, value in (("M_GEN_CUSTOMS", 100), ("M_CON_CUSTOMS", 90), ("M_GEN_CIF", 105), ("M_CAL_DUTY", 3)):
        add_fact(con, "census_api", "KOR", "2024-01", flow_id, value)
    headline = con.sql("SELECT flow_id FROM marts.int_trade_series_yearly WHERE is_headline").fetchall()
    assert headline == [("M_GEN_CUSTOMS",)]
