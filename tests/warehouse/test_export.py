"""`entrepot export --format parquet DIR`: Hive-partitioned Parquet that other readers get back whole."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from flows.cli import main
from tests import demo_warehouse
from warehouse.export import read_back_counts


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("export")
    demo_warehouse.build(root / "wh.duckdb", root / "landing")
    assert main(["--warehouse", str(root / "wh.duckdb"), "export", "--format", "parquet", str(root / "out")]) == 0
    return root / "wh.duckdb", root / "out"


def test_every_core_table_and_mart_round_trips_with_the_same_row_count(exported) -> None:
    wh, out = exported
    manifest = json.loads((out / "manifest.json").read_text())
    with duckdb.connect(str(wh), read_only=True) as con:
        expected = {t: con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in
                    [e["table"] for e in manifest["tables"]]}
        back = read_back_counts(con, out)
    assert {"core.fact_trade", "core.dim_country", "marts.trade_balance", "marts.partner_rank"} <= set(expected)
    assert not any(t.startswith("meta.") for t in expected)
    assert back == expected == {e["table"]: e["rows"] for e in manifest["tables"]}
    assert expected["core.fact_trade"] == 4530


def test_facts_are_partitioned_by_source_and_year_and_readable_by_pyarrow(exported) -> None:
    wh, out = exported
    folders = sorted(p.relative_to(out / "core" / "fact_trade").as_posix()
                     for p in (out / "core" / "fact_trade").glob("*/*"))
    assert folders[:2] == ["source=census_api/year=2024", "source=census_api/year=2025"]
    assert "source=test_source/year=2006" in folders and len(folders) == 2 + 15
    table = ds.dataset(out / "core" / "fact_trade", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 4530
    korea = ds.dataset(out / "marts" / "trade_balance", format="parquet", partitioning="hive").to_table().to_pylist()
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.sql("SELECT source, year, exports_usd FROM marts.trade_balance WHERE partner_iso3 = 'KOR'").fetchall()
    assert sorted((r["source"], r["year"], r["exports_usd"]) for r in korea if r["partner_iso3"] == "KOR") == sorted(rows)


def test_files_use_the_widely_readable_parquet_flavour(exported) -> None:
    _, out = exported
    files = list(out.rglob("*.parquet"))
    assert files
    for path in files:
        meta = pq.ParquetFile(path).metadata
        assert meta.format_version == "1.0"
        column = meta.row_group(0).column(0) if meta.num_row_groups else None
        assert column is None or column.compression == "SNAPPY"
        assert "INT128" not in str(pq.read_schema(path))
    readme = (out / "README.md").read_text()
    assert "| core.fact_trade | 4,530 | source, year |" in readme
