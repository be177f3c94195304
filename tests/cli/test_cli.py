"""The `entrepot` command as a user runs it (subprocesses, a fresh Prefect server each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def entrepot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    base.update({"PREFECT_HOME": str(cwd / ".prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], cwd=cwd, env={**base, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The README's first command, in an empty directory: the nightly flow on the embedded default."""
    cwd = tmp_path_factory.mktemp("fresh")
    done = entrepot("run", "nightly", "--today", "2026-11-23", cwd=cwd)
    return cwd, done


def test_readme_run_command_loads_and_prints_summary(demo_warehouse) -> None:
    cwd, done = demo_warehouse
    assert done.returncode == 0, done.stderr[-3000:]
    assert "nightly: load summary" in done.stdout
    assert "facts inserted" in done.stdout and "USA with KOR" in done.stdout
    assert (cwd / "data" / "entrepot.duckdb").exists()
    assert list((cwd / "data" / "landing" / "census_api").rglob("*.json"))


def test_readme_run_command_fills_mirror_flows_from_both_sides(demo_warehouse) -> None:
    cwd, _ = demo_warehouse
    query = ("SELECT DISTINCT exporter_iso3, importer_iso3, exporter_source, importer_source FROM marts.mirror_flows "
             "WHERE 'KOR' IN (exporter_iso3, importer_iso3) AND product_level = 2 ORDER BY ALL")
    done = entrepot("sql", query, "--format", "json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert [tuple(r.values()) for r in json.loads(done.stdout)] == [
        ("KOR", "USA", "kcs_trade", "census_api"),  # Korea's exports FOB against US imports
        ("USA", "KOR", "census_api", "kcs_trade"),  # US exports FAS against Korea's imports CIF
    ]
    assert list((cwd / "data" / "landing" / "kcs_trade").rglob("*.xml"))


def test_sql_formats(demo_warehouse) -> None:
    cwd, _ = demo_warehouse
    query = "SELECT year, exports_usd, imports_usd FROM marts.trade_balance WHERE partner_iso3 = 'KOR' ORDER BY year"
    as_csv = entrepot("sql", query, "--format", "csv", cwd=cwd)
    assert as_csv.returncode == 0, as_csv.stderr
    lines = as_csv.stdout.strip().splitlines()
    assert lines[0] == "year,exports_usd,imports_usd" and lines[1].startswith("2025,")
    as_json = entrepot("sql", query, "--format", "json", cwd=cwd)
    assert [r["year"] for r in json.loads(as_json.stdout)] == [2025, 2026]
    table = entrepot("sql", query, cwd=cwd)
    assert "exports_usd" in table.stdout and "(2 rows)" in table.stdout


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM core.fact_trade", "CREATE TABLE x AS SELECT 1", "COPY core.fact_trade TO 'x.csv'",
     "SELECT 1; DROP TABLE core.fact_trade", "ATTACH 'other.duckdb'"],
)
def test_sql_refuses_writes(demo_warehouse, statement: str) -> None:
    cwd, _ = demo_warehouse
    done = entrepot("sql", statement, cwd=cwd)
    assert done.returncode == 2
    assert "entrepot sql is read-only and refuses" in done.stderr
    assert "Traceback" not in done.stderr


def test_global_warehouse_option_and_missing_file(tmp_path) -> None:
    done = entrepot("--warehouse", str(tmp_path / "none.duckdb"), "sql", "SELECT 1", cwd=tmp_path)
    assert done.returncode == 2 and "none.duckdb does not exist yet" in done.stderr


def test_ingest_file_missing_a_column_names_file_and_column(tmp_path) -> None:
    bad = tmp_path / "country_short.csv"
    columns = ["year", "CTY_CODE", "CTYNAME"] + [f"I{m}" for m in ("JAN", "FEB")]
    bad.write_text(",".join(columns) + "\n2020,5800,Korea,1,2\n")
    done = entrepot("--warehouse", str(tmp_path / "w.duckdb"), "ingest", "census-country-totals", "--file", str(bad),
                    cwd=tmp_path)
    assert done.returncode == 2
    assert "entrepot: error: country_short.csv: missing column 'IMAR'" in done.stderr
