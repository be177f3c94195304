"""The Great Expectations checkpoint inside the load transaction: each suite passes on good data and
fails on a corrupted scratch copy, and a failed critical expectation publishes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.helpers import snapshot
from tests.reliability.bad_files import HEADER, base_rows, census_countries, country_totals_rows, write_csv
from tests.reliability.loading import ingest_plain
from warehouse.quality.checkpoint import run_checkpoint
from warehouse.quality.gate import QualityGate
from warehouse.quality.report import QualityGateError
from warehouse.quality.suites import SUITES

SOURCE = "census-country-totals"
FACT_COLUMNS = "source, reporter_id, partner_id, product_id, period_id, flow_id, value_usd, quantity, quantity_unit, value_status, run_id, file_hash, loaded_at"

CORRUPTIONS: dict[str, str] = {
    "fact_grain": f"""
        CREATE TABLE core.fact_trade_loose AS SELECT * FROM core.fact_trade;
        DROP TABLE core.fact_trade;
        ALTER TABLE core.fact_trade_loose RENAME TO fact_trade;
        INSERT INTO core.fact_trade SELECT {FACT_COLUMNS} FROM core.fact_trade WHERE length(period_id) = 4 LIMIT 1;
    """,
    "foreign_keys": """
        INSERT INTO core.fact_trade SELECT * REPLACE ('ZZZ' AS partner_id) FROM core.fact_trade LIMIT 1;
    """,
    "value_ranges": """
        UPDATE core.fact_trade SET quantity = -5, quantity_unit = 'KG' WHERE period_id = '2021-03';
    """,
    "partner_ranking": """
        CREATE OR REPLACE VIEW marts.partner_rank AS
        SELECT reporter_iso3, year, partner_iso3, 1.0 AS total_trade_usd, 1 AS rank, source FROM marts.trade_balance
        UNION ALL SELECT 'USA', 2021, 'WORLD', 1.0, 1, 'census_country_totals';
    """,
    "annual_reconciliation": """
        UPDATE core.fact_trade SET value_usd = value_usd + 5e6
        WHERE period_id = '2021' AND flow_id = 'M_GEN_CUSTOMS' AND partner_id = (SELECT min(partner_id) FROM core.fact_trade);
    """,
    "chapter_reconciliation": """
        INSERT INTO core.dim_product VALUES ('HS2022:01', 'HS', 'HS2022', '01', 2, NULL, 'Live animals'),
                                            ('HS2022:02', 'HS', 'HS2022', '02', 2, NULL, 'Meat');
        INSERT INTO core.fact_trade
        SELECT f.* REPLACE (p.product_id AS product_id, f.value_usd * p.share AS value_usd)
        FROM core.fact_trade AS f, (VALUES ('HS2022:01', 0.2), ('HS2022:02', 0.3)) AS p(product_id, share)
        WHERE period_id = '2021-05' AND flow_id = 'X_FAS' AND partner_id = (SELECT min(partner_id) FROM core.fact_trade);
    """,
}
"""One corruption per suite, applied to a scratch copy of a good warehouse."""


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A warehouse with a valid generated country-totals file loaded."""
    root = tmp_path_factory.mktemp("good")
    path = write_csv(root / "country.csv", HEADER, base_rows())
    ingest_plain(SOURCE, path, root / "w.duckdb", root / "landing")
    return root / "w.duckdb"


def scratch(good: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(good, copy)
    return copy


def next_year_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "country_2023.csv", HEADER, country_totals_rows(range(2023, 2024), census_countries(30)))


def test_every_suite_passes_on_good_data_and_builds_data_docs(good, tmp_path) -> None:
    with duckdb.connect(str(scratch(good, tmp_path)), read_only=True) as con:
        report = run_checkpoint(con, run_name="good", docs_dir=tmp_path / "data_docs")
    assert report.success and not report.warnings
    assert {o.suite for o in report.outcomes} == {s.name for s in SUITES}
    assert report.docs_index == tmp_path / "data_docs" / "index.html" and report.docs_index.exists()
    pages = {p.parent.parent.parent.name for p in (tmp_path / "data_docs" / "validations").rglob("*.html")}
    assert pages == {s.name for s in SUITES}


def test_coverage_every_suite_has_a_corruption() -> None:
    assert set(CORRUPTIONS) == {s.name for s in SUITES}


@pytest.mark.parametrize("suite", [s for s in SUITES if s.name != "chapter_reconciliation"], ids=lambda s: s.name)
def test_critical_suite_fails_and_the_load_is_not_published(suite, good, tmp_path) -> None:
    wh = scratch(good, tmp_path)
    with duckdb.connect(str(wh)) as con:
        con.execute(CORRUPTIONS[suite.name])
    before = snapshot(wh)
    gate = QualityGate(run_name="corrupt", docs_dir=tmp_path / "data_docs")
    with pytest.raises(QualityGateError, match=f"quality gate failed, nothing from this run was published: .*{suite.name}"):
        # no migration first: it would recreate the corrupted mart view
        ingest_plain(SOURCE, next_year_file(tmp_path), wh, tmp_path / "landing", checks=gate, migrate_first=False)
    assert gate.report is not None and gate.report.failed_suites() == {suite.name}
    assert snapshot(wh) == before  # the 2023 facts, the run and its landed file: all rolled back
    assert (tmp_path / "data_docs" / "index.html").exists()  # the failure is documented


def test_chapter_reconciliation_is_a_warning_the_load_commits(good, tmp_path) -> None:
    wh = scratch(good, tmp_path)
    with duckdb.connect(str(wh)) as con:
        con.execute(CORRUPTIONS["chapter_reconciliation"])
    gate = QualityGate(run_name="warn")
    result = ingest_plain(SOURCE, next_year_file(tmp_path), wh, tmp_path / "landing", checks=gate)
    assert gate.report is not None and gate.report.success
    assert [o.suite for o in gate.report.warnings] == ["chapter_reconciliation"]
    assert "1 rows" in gate.report.warnings[0].detail
    assert result.facts_inserted == 30 * 26


def test_a_file_whose_annual_total_disagrees_with_its_months_is_refused(good, tmp_path) -> None:
    wh = scratch(good, tmp_path)
    before = snapshot(wh)
    rows = country_totals_rows(range(2023, 2024), census_countries(30))
    rows[4][HEADER.index("EYR")] = f"{float(rows[4][HEADER.index('EYR')]) + 50:.1f}"  # valid number, wrong total
    bad = write_csv(tmp_path / "country_bad_total.csv", HEADER, rows)
    with pytest.raises(QualityGateError, match=r"annual_reconciliation\.expect_column_pair_values_a_to_be_greater_than_b"
                                              r"\(difference_usd\): 1 rows, e\.g\. \['census_country_totals .* X_FAS 2023'\]"):
        ingest_plain(SOURCE, bad, wh, tmp_path / "landing", checks=QualityGate(run_name="bad-total"))
    assert snapshot(wh) == before


def test_a_broken_check_fails_loudly_instead_of_passing() -> None:
    import great_expectations.expectations as gxe

    from warehouse.quality.suites import Suite

    broken = Suite("broken", "A check of a column the frame lacks.", "SELECT 1 AS a", "a",
                   lambda: [gxe.ExpectColumnValuesToBeBetween(column="renamed", min_value=0)])
    with duckdb.connect() as con:
        report = run_checkpoint(con, run_name="broken", suites=[broken])
    assert not report.success
    assert report.critical_failures[0].detail == 'the check itself failed: Error: The column "renamed" in BatchData does not exist.'
