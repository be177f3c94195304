"""Cross-source reconciliation on the real files, loaded through `entrepot ingest` into one warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from flows.ingest import ingest

pytestmark = [pytest.mark.realdata, pytest.mark.prefect]

RECONCILE_2020 = """
    SELECT source, flow_id, value_usd
    FROM marts.trade_yearly
    WHERE reporter_id = 'USA' AND partner_id = 'KOR' AND year = 2020 AND flow_id = 'X_FAS'
    ORDER BY source
"""
IMPORTS_2022 = """
    SELECT ty.source, ty.flow_id, fl.value_basis, ty.value_usd
    FROM marts.trade_yearly AS ty JOIN core.dim_flow AS fl USING (flow_id)
    WHERE ty.reporter_id = 'USA' AND ty.partner_id = 'KOR' AND ty.year = 2022
      AND fl.direction = 'import' AND fl.is_trade_value
    ORDER BY ty.source, fl.headline_priority
"""


@pytest.fixture(scope="module")
def warehouse_path(shared_data: Path, tmp_path_factory, prefect_server) -> Path:
    root = tmp_path_factory.mktemp("reconcile")
    mp = pytest.MonkeyPatch()
    mp.setenv("ENTREPOT_LANDING_DIR", str(root / "landing"))
    path = root / "w.duckdb"
    try:
        dataweb = shared_data / "usitc_dataweb"
        ingest(
            "usitc-dataweb", str(dataweb / "DataWeb-Query-Export__FAS_Value.csv"), warehouse_path=str(path)
        )
        ingest(
            "usitc-dataweb",
            str(dataweb / "DataWeb-Query-Import__General_Import_Charges.csv"),
            warehouse_path=str(path),
        )
        ingest(
            "census-country-totals",
            str(shared_data / "census_trade" / "country_totals" / "census_country_nsa_1985_2024jun.xlsx"),
            warehouse_path=str(path),
        )
        comtrade = (
            shared_data / "comtrade" / "bilateral" / "comtrade_plus_2022_USA_CHN_DEU_by_partner_TOTAL.csv"
        )
        assert main(["--warehouse", str(path), "ingest", "comtrade", "--file", str(comtrade)]) == 0
    finally:
        mp.undo()
    return path


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_dataweb_2020_exports_to_korea_equal_census_country_totals(warehouse_path: Path) -> None:
    rows = query(warehouse_path, RECONCILE_2020)
    assert [(s, f, float(v)) for s, f, v in rows] == [
        ("census_country_totals", "X_FAS", 50_978_204_887.0),
        ("usitc_dataweb", "X_FAS", 50_978_204_887.0),
    ]


def test_comtrade_2022_imports_on_cif_and_fob_beside_census_customs_value(warehouse_path: Path) -> None:
    rows = query(warehouse_path, IMPORTS_2022)
    assert [(s, f, b, float(v)) for s, f, b, v in rows] == [
        ("census_country_totals", "M_GEN_CUSTOMS", "customs", 115_315_280_271.0),
        ("comtrade", "M_CIF", "CIF", 120_859_256_396.0),
        ("comtrade", "M_FOB", "FOB", 115_325_529_001.0),
    ]


def test_dataweb_charges_never_count_as_imports(warehouse_path: Path) -> None:
    charges = query(
        warehouse_path,
        """
        SELECT value_usd FROM marts.trade_yearly
        WHERE source = 'usitc_dataweb' AND flow_id = 'M_GEN_CHARGES'
          AND partner_id = 'KOR' AND year = 2022""",
    )
    assert float(charges[0][0]) == 5_519_278_537.0
    balance = query(
        warehouse_path,
        """
        SELECT exports_usd, imports_usd FROM marts.trade_balance
        WHERE source = 'usitc_dataweb' AND reporter_iso3 = 'USA' AND partner_iso3 = 'KOR' AND year = 2022""",
    )
    assert balance == [(72_034_270_447, None)]


def test_every_row_is_accounted_for_and_the_footer_checked(warehouse_path: Path) -> None:
    runs = query(
        warehouse_path,
        """
        SELECT source, rows_in, rows_loaded, rows_quarantined, message FROM meta.runs
        WHERE source IN ('usitc_dataweb', 'comtrade') ORDER BY started_at""",
    )
    assert [r[:4] for r in runs] == [
        ("usitc_dataweb", 17_774, 17_774, 0),
        ("usitc_dataweb", 14_177, 14_177, 0),
        ("comtrade", 1_352, 1_352, 0),
    ]
    assert (
        "2020: publisher total 1,429,995,404,019, rows 1,429,995,404,019, loaded 1,429,995,404,019"
        in runs[0][4]
    )
    facts = query(
        warehouse_path,
        """
        SELECT count(*), count(DISTINCT file_hash) FROM core.fact_trade WHERE source = 'comtrade'""",
    )
    assert facts == [(1_576, 1)]
