"""marts.tariff_realised_duty: months and basis as every other mart."""

from __future__ import annotations

import pytest

from tests.warehouse.conftest import add_fact, months

PRODUCT = "HS2022:870323"


def _duty(con) -> list[tuple]:
    return con.sql(
        """SELECT year, duty_on_dutiable_pct, months_covered, is_partial_year, year_basis
           FROM marts.tariff_realised_duty WHERE importer_iso3 = 'USA' ORDER BY year"""
    ).fetchall()


def test_an_annual_only_year_covers_twelve_months(con) -> None:
    for flow_id, value in (("M_CAL_DUTY", 50), ("M_DUTIABLE", 250), ("M_CON_CUSTOMS", 1000)):
        add_fact(con, "usitc_dataweb", "KOR", "2023", flow_id, value, PRODUCT)
    assert _duty(con) == [(2023, pytest.approx(20.0), 12, False, "published annual")]


def test_months_summed_count_their_months(con) -> None:
    for period in months(2024, 5):
        add_fact(con, "census_api", "KOR", period, "M_CAL_DUTY", 5, PRODUCT)
        add_fact(con, "census_api", "KOR", period, "M_DUTIABLE", 100, PRODUCT)
    assert _duty(con) == [(2024, pytest.approx(5.0), 5, True, "sum of months")]
