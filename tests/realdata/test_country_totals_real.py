"""Acceptance on the real Census "trade in goods by country" file (../shared/data)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.ingest import ingest
from schemas.validation import PayloadSchemaError
from tests.helpers import DATA_TABLES, snapshot

SOURCE = "census-country-totals"
ROWS = 8725


@pytest.fixture(scope="module")
def files(shared_data: Path) -> dict[str, Path]:
    folder = shared_data / "census_trade" / "country_totals"
    return {
        "xlsx": folder / "census_country_nsa_1985_2024jun.xlsx",
        "csv": folder / "census_country_nsa_1985_2024jun.csv",
    }


@pytest.fixture(scope="module")
def loaded(files, tmp_path_factory, prefect_server) -> tuple[Path, object]:
    """A warehouse with the xlsx loaded once, shared by the read-only checks below."""
    root = tmp_path_factory.mktemp("xlsx")
    mp = pytest.MonkeyPatch()
    mp.setenv("ENTREPOT_LANDING_DIR", str(root / "landing"))
    try:
        summary = ingest(SOURCE, str(files["xlsx"]), warehouse_path=str(root / "w.duckdb"))
    finally:
        mp.undo()
    return root / "w.duckdb", summary


def facts_without_lineage(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(
            """
            SELECT source, reporter_id, partner_id, product_id, period_id, flow_id, value_usd, quantity,
                   quantity_unit, value_status
            FROM core.fact_trade ORDER BY ALL
            """
        ).fetchall()


def test_every_row_loads(loaded) -> None:
    path, summary = loaded
    result = summary.result
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (ROWS, ROWS, 0)
    # 26 cells a row; 2024 July-December are not published yet (shown as 0 in every row)
    with duckdb.connect(str(path), read_only=True) as con:
        n_2024 = con.sql("SELECT count(DISTINCT partner_id) FROM core.fact_trade WHERE period_id = '2024'").fetchall()[0][0]
        n_facts = con.sql("SELECT count(*) FROM core.fact_trade").fetchall()[0][0]
    assert result.rows_skipped == n_2024 * 12
    assert n_facts == ROWS * 26 - result.rows_skipped == result.facts_inserted


def test_trade_balance_equals_the_files_annual_columns(loaded, files) -> None:
    path, _ = loaded
    with duckdb.connect(str(path), read_only=True) as con:
        codes = dict(con.sql("SELECT code, country_id FROM core.dim_country_code WHERE scheme = 'census'").fetchall())
        mart = {
            (r[0], r[1]): (r[2], r[3])
            for r in con.sql(
                "SELECT partner_iso3, year, exports_usd, imports_usd FROM marts.trade_balance "
                "WHERE reporter_iso3 = 'USA' AND source = 'census_country_totals'"
            ).fetchall()
        }
    with open(files["csv"], newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(mart) == len(rows) == ROWS
    for row in rows:
        exports, imports = mart[(codes[row["CTY_CODE"]], int(row["year"]))]
        assert float(exports) == pytest.approx(round(float(row["EYR"]) * 1e6, 2), abs=0.005), row
        assert float(imports) == pytest.approx(round(float(row["IYR"]) * 1e6, 2), abs=0.005), row


def test_korus_headlines(loaded) -> None:
    path, _ = loaded
    with duckdb.connect(str(path), read_only=True) as con:
        deficit = dict(
            con.sql(
                "SELECT year, -balance_usd / 1e6 FROM marts.trade_balance WHERE reporter_iso3 = 'USA' "
                "AND partner_iso3 = 'KOR' AND year IN (2011, 2016)"
            ).fetchall()
        )
        ranks = con.sql(
            "SELECT partner_iso3 FROM marts.partner_rank WHERE reporter_iso3 = 'USA' AND year = 2023 ORDER BY rank LIMIT 3"
        ).fetchall()
        aggregates_ranked = con.sql(
            "SELECT count(*) FROM marts.partner_rank r JOIN core.dim_country c ON c.country_id = r.partner_iso3 "
            "WHERE c.is_aggregate"
        ).fetchall()[0][0]
        partial = con.sql(
            "SELECT months_covered, is_partial_year FROM marts.trade_balance WHERE partner_iso3 = 'KOR' AND year = 2024"
        ).fetchall()
    assert float(deficit[2011]) == pytest.approx(13_199.7, abs=0.05)
    assert float(deficit[2016]) == pytest.approx(27_624.6, abs=0.05)
    assert float(deficit[2016]) / float(deficit[2011]) > 2  # "did it really double?" yes, and more
    assert [r[0] for r in ranks] == ["MEX", "CAN", "CHN"]
    assert aggregates_ranked == 0
    assert partial == [(6, True)]


def test_csv_form_gives_an_identical_warehouse(loaded, files, env) -> None:
    path, _ = loaded
    other = env / "csv.duckdb"
    ingest(SOURCE, str(files["csv"]), warehouse_path=str(other))
    assert facts_without_lineage(other) == facts_without_lineage(path)
    tables = ["core.dim_product", "core.dim_period", "core.dim_country", "core.dim_country_code"]
    assert snapshot(other, tables) == snapshot(path, tables)


def test_loading_twice_changes_nothing(files, env) -> None:
    wh = env / "twice.duckdb"
    ingest(SOURCE, str(files["xlsx"]), warehouse_path=str(wh))
    before = snapshot(wh, DATA_TABLES)
    again = ingest(SOURCE, str(files["xlsx"]), warehouse_path=str(wh))
    assert again.result is None and "already loaded" in again.notes[0]
    assert snapshot(wh, DATA_TABLES) == before
    forced = ingest(SOURCE, str(files["xlsx"]), warehouse_path=str(wh), force=True)
    assert (forced.result.facts_inserted, forced.result.facts_updated) == (0, 0)
    after = snapshot(wh, DATA_TABLES)
    assert {t: after[t] for t in DATA_TABLES if t != "meta.runs" and t != "meta.landed_files"} == {
        t: before[t] for t in DATA_TABLES if t != "meta.runs" and t != "meta.landed_files"
    }


def test_corrupted_value_is_quarantined_and_the_rest_loads(files, env) -> None:
    text = files["csv"].read_text().splitlines(keepends=True)
    line = next(i for i, t in enumerate(text) if t.startswith("2016,5800,"))
    cells = text[line].split(",")
    cells[5] = "69x8.1"  # IFEB of Korea 2016 ("Korea, South" is quoted: one extra comma)
    text[line] = ",".join(cells)
    bad = env / "country_corrupted.csv"
    bad.write_text("".join(text))
    summary = ingest(SOURCE, str(bad), warehouse_path=str(env / "w.duckdb"))
    assert (summary.result.rows_loaded, summary.result.rows_quarantined) == (ROWS - 1, 1)
    with duckdb.connect(str(env / "w.duckdb"), read_only=True) as con:
        q = con.sql("SELECT file_name, row_number, field, value, reason FROM meta.quarantine").fetchall()
        kor_2016 = con.sql("SELECT count(*) FROM core.fact_trade WHERE partner_id = 'KOR' AND period_id LIKE '2016%'").fetchall()
    assert q == [("country_corrupted.csv", line + 1, "IFEB", "69x8.1",
                  "IFEB: not a plain decimal number")]
    assert kor_2016 == [(0,)]


def test_missing_column_fails_naming_file_and_column_and_changes_nothing(files, env) -> None:
    wh = env / "w.duckdb"
    ingest(SOURCE, str(files["csv"]), warehouse_path=str(wh))
    before = snapshot(wh)
    frame = pl.read_csv(files["csv"], infer_schema=False).drop("EMAR")
    bad = env / "country_no_emar.csv"
    frame.write_csv(bad)
    with pytest.raises(PayloadSchemaError, match=r"country_no_emar.csv: missing column 'EMAR'"):
        ingest(SOURCE, str(bad), warehouse_path=str(wh))
    assert snapshot(wh) == before


def test_too_many_bad_rows_load_nothing(files, env) -> None:
    from warehouse.loader import TooManyRejectsError

    frame = pl.read_csv(files["csv"], infer_schema=False).with_row_index("i")
    bad = env / "country_mostly_bad.csv"
    negative = pl.when(pl.col("i") % 5 == 0).then("-" + pl.col("IJAN")).otherwise(pl.col("IJAN"))
    frame.with_columns(negative.alias("IJAN")).drop("i").write_csv(bad)
    with pytest.raises(TooManyRejectsError, match=r"of 8725 rows failed validation .* nothing was loaded"):
        ingest(SOURCE, str(bad), warehouse_path=str(env / "w.duckdb"))
    assert not (env / "w.duckdb").exists()  # the first load was refused: nothing was published, not even a schema
