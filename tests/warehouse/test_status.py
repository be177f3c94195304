"""`entrepot status`: per source the last period loaded, the last runs, quarantine counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main
from tests import demo_warehouse
from warehouse.connection import warehouse
from warehouse.status import last_runs, quarantine_counts, sources_status


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("status")
    demo_warehouse.build(root / "wh.duckdb", root / "landing")
    return root / "wh.duckdb"


def test_status_queries(wh: Path) -> None:
    with warehouse(wh, read_only=True) as con:
        sources = {s["source"]: s for s in sources_status(con)}
        runs = last_runs(con)
        quarantine = quarantine_counts(con)
    assert sources["census_api"]["last_period"] == "2025-01" and sources["census_api"]["payloads"] == 4
    assert sources["census_api"]["last_release"] == "imports/hs?time=2025-01"
    assert sources["test_source"]["last_period"] == "2020" and sources["test_source"]["facts"] == 30
    assert [(r["flow_name"], r["status"]) for r in runs] == [("test", "succeeded"), ("nightly", "succeeded")]
    assert all(r["duration_s"] >= 0 for r in runs)
    assert [(q["source"], q["reason"], q["rows"]) for q in quarantine] == [("test_source", "not a number", 1)]


def test_status_command_prints_sources_runs_and_quarantine(wh: Path, capsys) -> None:
    assert main(["--warehouse", str(wh), "status", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "last 1 runs" in out and "test_source" in out and "not a number" in out
    assert "imports/hs time=2025-01" in out and "2025-01" in out
    assert "nightly" not in out  # only the latest run was asked for


def test_status_on_a_missing_warehouse_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["--warehouse", str(tmp_path / "none.duckdb"), "status"]) == 2
    assert "none.duckdb does not exist yet" in capsys.readouterr().err
