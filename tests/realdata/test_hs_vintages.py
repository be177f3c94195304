"""HS vintages: the nomenclatures in core.dim_product, the UN concordance, series converted between
vintages with their totals conserved, and trade by HS section."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.cli import main
from flows.ingest import ingest
from flows.pipeline import load_processed, process_payload, read_crosswalk
from flows.registry import kind_by_name
from flows.sources.landing import land_file
from tests.helpers import batch, facts
from transforms.conformed import FACT_SCHEMA
from warehouse.loader import load

pytestmark = pytest.mark.realdata

HS6_COUNTS = {"HS2007": 5053, "HS2012": 5206, "HS2017": 5388, "HS2022": 5613}


@pytest.fixture(scope="module")
def loaded(shared_data: Path, tmp_path_factory, prefect_server) -> Path:
    """A warehouse with the four nomenclatures, the 2022->2017 concordance and DataWeb's exports."""
    root = tmp_path_factory.mktemp("hs")
    path, landing = root / "w.duckdb", root / "landing"
    mp = pytest.MonkeyPatch()
    mp.setenv("ENTREPOT_LANDING_DIR", str(landing))
    try:
        table = shared_data / "reference" / "hs_concordance" / "hs2022_to_hs2017_conversion.csv"
        assert main(["--warehouse", str(path), "ingest", "hs-concordance", "--file", str(table)]) == 0
        assert ingest("hs-concordance", str(table), str(path)) is None  # same content: skipped
    finally:
        mp.undo()
    with duckdb.connect(str(path)) as con:
        crosswalk = read_crosswalk(con)
        files = [
            (
                "hs-nomenclature",
                shared_data / "reference" / "hs_nomenclature" / f"comtrade_classificationH{i}.json",
            )
            for i in "3456"
        ] + [("usitc-dataweb", shared_data / "usitc_dataweb" / "DataWeb-Query-Export__FAS_Value.csv")]
        for source, file in files:
            kind = kind_by_name(source)
            payload = land_file(landing, source=kind.source, path=file)
            processed = process_payload(payload, kind, landing, crosswalk)
            result = load_processed(
                con,
                [processed],
                run_id=str(uuid.uuid4()),
                flow_name="test",
                started_at=dt.datetime.now(dt.UTC),
                max_reject_share=0.0,
            )
            assert result.rows_in == result.rows_loaded and result.rows_quarantined == 0
    return path


def sql(path: Path, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def test_product_dimension_holds_four_nomenclatures(loaded: Path) -> None:
    rows = sql(
        loaded,
        """SELECT hs_vintage, level, count(*) FROM core.dim_product
           WHERE classification = 'HS' AND hs_vintage IN ('HS2007', 'HS2012', 'HS2017', 'HS2022')
             AND code <> '98'  -- US chapter 98 comes with DataWeb's facts, not with the nomenclature
           GROUP BY ALL ORDER BY ALL""",
    )
    counts = {(v, lvl): n for v, lvl, n in rows}
    for vintage, hs6 in HS6_COUNTS.items():
        assert counts[(vintage, 2)] == 97 and counts[(vintage, 6)] == hs6
    orphans = sql(
        loaded,
        """SELECT count(*) FROM core.dim_product AS p
                             WHERE p.level IN (4, 6) AND p.hs_vintage IN ('HS2007', 'HS2012', 'HS2017', 'HS2022')
                               AND NOT EXISTS (SELECT 1 FROM core.dim_product AS q WHERE q.product_id = p.parent_id)""",
    )
    assert orphans == [(0,)]
    assert sql(loaded, "SELECT description FROM core.dim_product WHERE product_id = 'HS2022:8806'") == [
        ("Unmanned aircraft",)
    ]
    runs = sql(
        loaded, "SELECT rows_in, rows_loaded, rows_skipped FROM meta.runs WHERE source = 'hs_nomenclature'"
    )
    assert sorted(runs) == [(6377, 6377, 5), (6533, 6533, 5), (6713, 6713, 5), (6944, 6944, 5)]


def test_concordance_weights_sum_to_one(loaded: Path) -> None:
    sums = sql(
        loaded,
        """SELECT from_vintage, level, min(total), max(total), count(*) FROM (
                              SELECT from_vintage, level, from_code, sum(weight) AS total FROM core.hs_concordance
                              GROUP BY ALL) GROUP BY ALL ORDER BY ALL""",
    )
    assert all(abs(lo - 1) < 1e-12 and abs(hi - 1) < 1e-12 for _, _, lo, hi, _ in sums)
    assert {(v, lvl): n for v, lvl, *_, n in sums}[("HS2022", 6)] == 5613
    split = sql(
        loaded,
        """SELECT count(*), sum(weight) FROM core.hs_concordance
                           WHERE from_vintage = 'HS2017' AND from_code = '290339' AND to_vintage = 'HS2022'""",
    )
    assert split[0][0] == 13 and abs(split[0][1] - 1) < 1e-12


def test_a_long_series_converted_keeps_its_yearly_totals(loaded: Path) -> None:
    """DataWeb's HS2 exports to Korea 2020-2024 (HS2017 before 2022, HS2022 since) in one vintage."""
    original = dict(
        sql(
            loaded,
            """SELECT period_id, sum(value_usd) FROM core.fact_trade
                                   WHERE source = 'usitc_dataweb' AND partner_id = 'KOR' GROUP BY ALL""",
        )
    )
    for target in ("HS2022", "HS2017"):
        converted = sql(
            loaded,
            """SELECT period_id, sum(value_usd),
                      count(DISTINCT split_part(product_id, ':', 1)) FILTER (WHERE NOT has_unmapped),
                      list_sort(list_distinct(list(split_part(product_id, ':', 2)) FILTER (WHERE has_unmapped)))
               FROM marts.trade_in_vintage(?)
               WHERE source = 'usitc_dataweb' AND partner_id = 'KOR' GROUP BY ALL""",
            [target],
        )
        assert {p for p, *_ in converted} == set(original) == {"2020", "2021", "2022", "2023", "2024"}
        for period, total, vintages, unmapped in converted:
            assert abs(total - float(original[period])) < 0.01, (target, period)
            # every HS chapter is in the target vintage; US chapter 98 is in no UN table and stays as it was
            assert vintages == 1 and unmapped in (None, ["98"])
    drones = sql(
        loaded,
        """SELECT product_id, value_usd FROM marts.trade_in_vintage('HS2022')
                            WHERE source = 'usitc_dataweb' AND partner_id = 'KOR' AND period_id = '2020'
                              AND product_id IN ('HS2022:85', 'HS2022:88') ORDER BY 1""",
    )
    raw_85 = sql(
        loaded,
        """SELECT value_usd FROM core.fact_trade WHERE source = 'usitc_dataweb'
                            AND partner_id = 'KOR' AND period_id = '2020' AND product_id = 'HS2017:85'""",
    )[0][0]
    assert drones[0][1] < float(raw_85)  # part of HS2017 chapter 85 (drone cameras) moved to chapter 88


def test_hs6_splits_and_unmapped_codes_conserve_value(loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(loaded), read_only=True) as src, duckdb.connect(str(path)) as con:
        con.execute(f"ATTACH '{loaded}' AS src (READ_ONLY)")
        from warehouse.migrate import migrate

        migrate(con)
        con.execute("INSERT INTO core.hs_concordance SELECT * FROM src.core.hs_concordance")
        con.execute("INSERT OR IGNORE INTO core.dim_product SELECT * FROM src.core.dim_product")
        con.execute("DETACH src")
        frame = facts(
            [
                ("KOR", "2019-01", "X_FAS", 1300.0),
                ("KOR", "2019-02", "X_FAS", 7.0),
                ("KOR", "2023-01", "X_FAS", 50.0),
            ]
        )
        frame = frame.with_columns(
            pl.Series("product_id", ["HS2017:290339", "HS2017:999998", "HS2022:290341"])
        )
        b = batch(frame.cast(FACT_SCHEMA))
        b.products = pl.concat(
            [
                b.products,
                pl.DataFrame(
                    [
                        {
                            "product_id": "HS2017:999998",
                            "classification": "HS",
                            "hs_vintage": "HS2017",
                            "code": "999998",
                            "level": 6,
                            "parent_id": None,
                            "description": "not in the nomenclature",
                        }
                    ],
                    schema=b.products.schema,
                ),
            ]
        )
        load(con, b)
        out = con.sql("""SELECT period_id, product_id, value_usd, has_unmapped FROM marts.trade_in_vintage('HS2022')
                         ORDER BY ALL""").fetchall()
        src.close()
    by_period: dict[str, float] = {}
    for period, _, value, _ in out:
        by_period[period[:4]] = by_period.get(period[:4], 0.0) + value
    assert by_period == pytest.approx({"2019": 1307.0, "2023": 50.0})
    split = [r for r in out if r[0] == "2019-01"]
    assert len(split) == 13 and all(v == pytest.approx(100.0) for _, _, v, _ in split)
    assert ("2019-02", "HS2017:999998", 7.0, True) in out


def test_sections_agree_with_the_published_nomenclature(loaded: Path, shared_data: Path) -> None:
    folder = shared_data / "reference" / "hs_nomenclature"
    with open(folder / "hs_sections.csv", encoding="utf-8-sig") as handle:
        published = [row["section"] for row in csv.DictReader(handle)]
    ours = sql(loaded, "SELECT roman FROM core.dim_hs_section ORDER BY section")
    assert [r[0] for r in ours] == published
    with open(folder / "harmonized-system.csv", encoding="utf-8-sig") as handle:
        chapters = {  # chapter 99 is listed under the pseudo-section TOTAL
            r["hscode"]: r["section"]
            for r in csv.DictReader(handle)
            if r["level"] == "2" and r["section"] != "TOTAL"
        }
    mapped = dict(
        sql(
            loaded,
            """SELECT lpad(CAST(c AS VARCHAR), 2, '0'), roman FROM core.dim_hs_section,
                                 range(first_chapter, last_chapter + 1) AS t(c)""",
        )
    )
    assert {k: v for k, v in mapped.items() if k in chapters} == chapters


def test_textiles_and_electrical_machinery_are_one_filter(loaded: Path) -> None:
    by_chapter = dict(
        sql(
            loaded,
            """SELECT product_id, sum(value_usd) FROM core.fact_trade
                                     WHERE source = 'usitc_dataweb' AND partner_id = 'KOR' AND period_id = '2021'
                                     GROUP BY ALL""",
        )
    )
    textiles = sum(float(v) for p, v in by_chapter.items() if 50 <= int(p.split(":")[1]) <= 63)
    sector = sql(
        loaded,
        """SELECT section_title, sum(value_usd) FROM marts.trade_by_sector
                            WHERE source = 'usitc_dataweb' AND partner_id = 'KOR' AND year = 2021 AND section = 11
                            GROUP BY ALL""",
    )
    assert sector[0][0] == "Textiles and textile articles" and float(sector[0][1]) == textiles
    electrical = sql(
        loaded,
        """SELECT value_usd FROM marts.trade_by_sector WHERE source = 'usitc_dataweb'
                                AND partner_id = 'KOR' AND year = 2021 AND chapter = '85'""",
    )
    assert float(electrical[0][0]) == float(by_chapter["HS2017:85"])
    total = sql(
        loaded,
        """SELECT sum(value_usd) FROM marts.trade_by_sector WHERE source = 'usitc_dataweb'
                           AND partner_id = 'KOR' AND year = 2021""",
    )
    assert float(total[0][0]) == sum(float(v) for v in by_chapter.values())


def test_bad_conversion_table_is_refused_and_changes_nothing(loaded: Path, tmp_path: Path) -> None:
    from tests.helpers import snapshot
    from warehouse.loader import TooManyRejectsError

    bad = tmp_path / "hs2022_to_hs2017_conversion.csv"
    bad.write_text("hs2022,hs2017\n010121,010121\n01012X,010129\n")
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(loaded.read_bytes())
    before = snapshot(copy, ["core.hs_concordance", "meta.runs", "meta.quarantine"])
    mp = pytest.MonkeyPatch()
    mp.setenv("ENTREPOT_LANDING_DIR", str(tmp_path / "landing"))
    try:
        with pytest.raises(TooManyRejectsError, match=r"1 of 2 rows failed"):
            ingest("hs-concordance", str(bad), str(copy))
        bad.write_text("hs2022\n010121\n")
        with pytest.raises(Exception, match=r"hs2022_to_hs2017_conversion.csv: expected two code columns"):
            ingest("hs-concordance", str(bad), str(copy))
    finally:
        mp.undo()
    assert snapshot(copy, ["core.hs_concordance", "meta.runs", "meta.quarantine"]) == before
