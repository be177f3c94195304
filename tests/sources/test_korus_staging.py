"""KORUS staging: every category of the reviewed table, Korea's files, the flow into the marts."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.demo.korea_tariff_generator import LINES, mfn_rate, write_korus_annex, write_wits_mfn
from flows.sources.korea_tariff import UnreadableKoreaFileError, read_annex, read_wits
from schemas.raw.korea_tariff import KorusAnnexRaw, WitsTariffRaw
from schemas.validation import split_valid
from transforms import korea_tariff
from transforms.korus_staging import StagingRule, UnusableRuleError, rate_in_year, rate_path
from warehouse.migrate import migrate

IN_FORCE = dt.date(2012, 3, 15)


def _table() -> list[StagingRule]:
    con = duckdb.connect()
    try:
        migrate(con)
        rows = con.sql(
            """SELECT category, rule_kind, stages, duty_free_year, floor_pct, usable
               FROM core.dim_staging_category WHERE agreement_id = 'KORUS' ORDER BY category"""
        ).fetchall()
        in_force = con.sql("SELECT in_force_date FROM core.dim_agreement WHERE agreement_id = 'KORUS'").fetchall()
    finally:
        con.close()
    assert in_force == [(IN_FORCE,)]
    return [StagingRule(*r) for r in rows]


TABLE = _table()


def test_table_is_the_reviewed_one() -> None:
    by_kind = {r.category: r.rule_kind for r in TABLE}
    assert len(TABLE) == 24
    assert {c for c, k in by_kind.items() if k != "unknown"} == {"A", "L", "M", "N", "O", "X"}
    assert all(not r.usable for r in TABLE if r.rule_kind == "unknown")


@pytest.mark.parametrize("rule", TABLE, ids=lambda r: r.category)
def test_every_category_of_the_table(rule: StagingRule) -> None:
    """8% base: each year's rate follows the rule; equal stages reach zero in year N exactly."""
    if not rule.usable:
        with pytest.raises(UnusableRuleError, match=f"category {rule.category}"):
            rate_path(8.0, rule, IN_FORCE)
        return
    steps = rate_path(8.0, rule, IN_FORCE)
    assert steps[0][0] == IN_FORCE and steps[-1][1] is None
    assert all(a[1] == b[0] for a, b in itertools.pairwise(steps))  # contiguous, no gaps
    if rule.rule_kind == "immediate":
        assert rate_in_year(8.0, rule, IN_FORCE, 2012) == 0.0
    elif rule.rule_kind == "base_rate":
        assert [rate_in_year(8.0, rule, IN_FORCE, y) for y in (2012, 2020, 2040)] == [8.0] * 3
    elif rule.rule_kind == "equal_stages":
        n = rule.stages
        for k in range(1, n + 1):
            assert rate_in_year(8.0, rule, IN_FORCE, 2011 + k) == pytest.approx(8.0 * (n - k) / n)
        assert rate_in_year(8.0, rule, IN_FORCE, 2011 + n - 1) > 0
        assert steps[-1] == (dt.date(2011 + n, 1, 1), None, 0.0)
    else:  # equal_stages_to_floor: a base below the floor stays, then duty-free the year after
        assert rule.rule_kind == "equal_stages_to_floor"
        assert [rate_in_year(8.0, rule, IN_FORCE, 2011 + k) for k in (1, rule.stages)] == [8.0, 8.0]
        assert rate_in_year(8.0, rule, IN_FORCE, 2011 + rule.duty_free_year) == 0.0


def test_category_n_from_40_percent() -> None:
    n = next(r for r in TABLE if r.category == "N")
    years = {y: rate_in_year(40.0, n, IN_FORCE, y) for y in range(2012, 2029)}
    assert years[2012] == pytest.approx(40 - 10 / 15)
    assert years[2019] == pytest.approx(40 - 10 * 8 / 15)
    assert years[2026] == pytest.approx(30.0)
    assert years[2027] == 0.0 and years[2028] == 0.0


def test_l_category_path_dates() -> None:
    rule = next(r for r in TABLE if r.category == "L")
    path = rate_path(9.0, rule, IN_FORCE)
    assert path[:2] == [(IN_FORCE, dt.date(2013, 1, 1), 8.0), (dt.date(2013, 1, 1), dt.date(2014, 1, 1), 7.0)]
    assert path[-1] == (dt.date(2020, 1, 1), None, 0.0)


def test_generated_files_validate_and_conform(tmp_path: Path) -> None:
    wits = split_valid(read_wits(write_wits_mfn(tmp_path / "kor_2019.csv", 2019)), WitsTariffRaw, "w")
    annex = split_valid(read_annex(write_korus_annex(tmp_path / "annex.csv")), KorusAnnexRaw, "a")
    assert wits.rejects.height == 0 and annex.rejects.height == 0
    assert write_wits_mfn(tmp_path / "again.csv", 2019).read_bytes() == (tmp_path / "kor_2019.csv").read_bytes()
    lines, rates = korea_tariff.conform_mfn(wits.valid)
    assert lines.height == rates.height == len(LINES)
    honey = rates.row(by_predicate=pl.col("tariff_line") == "0409000000", named=True)
    assert honey["rate_kind"] == "greater_of" and honey["ad_valorem_pct"] is None

    rules = {r.category: r for r in TABLE}
    _, korus = korea_tariff.conform_korus(annex.valid, rules, IN_FORCE)
    beef = korus.filter(pl.col("tariff_line") == "0201100000").sort("valid_from")
    assert beef.height == 16 and beef["ad_valorem_pct"][-2] == pytest.approx(30.0) and beef["rate_kind"][-1] == "free"
    shirt = korus.filter(pl.col("tariff_line") == "6109100000").row(0, named=True)
    assert shirt["rate_kind"] == "reference" and "category D: rule not available" in shirt["reference"]
    honey_path = korus.filter(pl.col("tariff_line") == "0409000000")
    assert honey_path.height == 1 and honey_path["rate_kind"][0] == "greater_of"


def test_annex_reader_errors_name_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "annex.csv"
    path.write_text("HS code,Description,Staging Category\n0201.10.0000,Beef,N\n", encoding="utf-8")
    with pytest.raises(UnreadableKoreaFileError, match=r"annex\.csv: no column for 'base_rate'"):
        read_annex(path)
    path.write_text("HS code,Description,Base Rate,Staging Category\n0201.10.0000,Beef,40,N\nXX,Bad,8,n\n")
    rejects = split_valid(read_annex(path), KorusAnnexRaw, "annex.csv").rejects
    assert set(rejects.select("row_number", "field").iter_rows()) == {(3, "hs_code"), (3, "staging_category")}


@pytest.mark.realdata
def test_real_vkfta_annex_base_rates_parse(shared_data: Path) -> None:
    """Korea's real annex base-rate texts (VKFTA Section A, read in place) go through the same parser."""
    raw = read_annex(shared_data / "tariffs/korea/vkfta_korea_schedule_hs2012.csv")
    kinds = {}
    for text in raw.get_column("base_rate").to_list():
        kind = korea_tariff.parse_rate(text).kind
        kinds[kind] = kinds.get(kind, 0) + 1
    assert raw.height == 1_130
    assert kinds.get("greater_of", 0) >= 40
    assert kinds.get("unparsed", 0) <= 10, kinds


@pytest.mark.prefect
def test_flow_loads_korea_into_the_schedule_mart(env: Path, prefect_server) -> None:
    from flows.ingest import ingest

    ingest("korea-mfn", str(write_wits_mfn(env / "kor_2019.csv", 2019)))
    ingest("korea-mfn", str(write_wits_mfn(env / "kor_2021.csv", 2021)))
    annex = str(write_korus_annex(env / "korus_annex.csv"))
    first = ingest("korus-schedule", annex)
    again = ingest("korus-schedule", annex)
    assert first.rates_opened > len(LINES) and again.rates_opened == 0 and again.rates_unchanged == first.rates_opened
    con = duckdb.connect(str(env / "wh.duckdb"), read_only=True)
    try:
        rows = con.sql(
            """SELECT rate_type, program, ad_valorem_pct FROM marts.tariff_schedule
               WHERE importer_iso3 = 'KOR' AND tariff_line = '0201100000'
                 AND valid_from <= DATE '2020-06-01' AND (valid_to IS NULL OR valid_to > DATE '2020-06-01')
               ORDER BY rate_type"""
        ).fetchall()
        assert rows == [("mfn", None, 40.0), ("preferential", "KORUS", pytest.approx(40 - 10 * 9 / 15))]
        margin = con.sql(
            """SELECT valid_from, valid_to, margin_pct_points FROM marts.tariff_preference_margin
               WHERE importer_iso3 = 'KOR' AND tariff_line = '0201100000' ORDER BY valid_from"""
        ).fetchall()
        assert margin[0] == (dt.date(2019, 1, 1), dt.date(2020, 1, 1), pytest.approx(10 * 8 / 15))
        assert margin[-1] == (dt.date(2027, 1, 1), None, float(mfn_rate("40", "0201100000", 2021)))
        editions = con.sql("SELECT source, valid_from FROM core.dim_tariff_edition ORDER BY ALL").fetchall()
        assert editions == [("korea_mfn", dt.date(2019, 1, 1)), ("korea_mfn", dt.date(2021, 1, 1)),
                            ("korus_schedule", IN_FORCE)]
    finally:
        con.close()
