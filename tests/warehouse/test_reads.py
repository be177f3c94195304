"""The reads the flows ask the warehouse for (warehouse/reads.py), on a freshly migrated warehouse."""

from __future__ import annotations

import datetime as dt

from tests.warehouse.conftest import add_fact
from warehouse import reads


def test_seeded_reference_reads(con) -> None:
    assert reads.agreement_in_force(con, "KORUS") == dt.date(2012, 3, 15)
    assert reads.agreement_in_force(con, "NOSUCH") is None
    rules = reads.staging_rules(con, "KORUS", "KOR")
    assert rules["A"].rule_kind == "immediate" and rules["A"].usable
    assert reads.staging_rules(con, "KORUS", "USA") == {}
    assert reads.rate_layer_rules(con, "KOR")["FUS1"].layer_kind == "fta"
    assert reads.comtrade_codes(con, ["USA", "KOR", "XXX"]) == {"USA": "842", "KOR": "410"}
    assert reads.iso2_codes(con, ["USA", "KOR"]) == {"USA": "US", "KOR": "KR"}
    assert {"scheme", "code", "country_id"} <= set(reads.country_crosswalk(con).columns)


def test_trade_reads(con) -> None:
    assert reads.last_loaded_month(con, "census_api") is None and reads.trade_fact_count(con) == 0
    add_fact(con, "census_api", "KOR", "2024-03", "X_FAS", 1.0)
    add_fact(con, "census_api", "KOR", "2025", "X_FAS", 2.0)
    assert reads.last_loaded_month(con, "census_api") == "2024-03"  # a year is not a month
    assert reads.trade_fact_count(con) == 2
    assert reads.unparsed_rate_texts(con, "no-such-run") == []
