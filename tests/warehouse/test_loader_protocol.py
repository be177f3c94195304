"""Every loader (trade, tariff, reference) follows one protocol: one transaction, its run recorded by
the one writer of meta rows (``warehouse.runs``), and a failure there leaves the warehouse as it was."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import REPO
from tests.helpers import batch, facts, snapshot
from tests.sources.test_usitc_hts import conformed, write_csv
from transforms import usitc_hts as hts
from warehouse import runs
from warehouse.loader import load
from warehouse.migrate import migrate
from warehouse.reference_loader import ReferenceBatch, load_reference
from warehouse.runs import LANDED_SCHEMA, QUARANTINE_SCHEMA
from warehouse.tariff_loader import TariffBatch, load_tariffs

TABLES = ["core.fact_trade", "core.dim_tariff_line", "core.fact_tariff_rate", "core.dim_tariff_edition",
          "core.hs_concordance", "meta.runs", "meta.landed_files", "meta.quarantine"]
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _landed(file_hash: str) -> pl.DataFrame:
    return pl.DataFrame([{"file_hash": file_hash, "request": "file:x.csv", "source": "test", "fetched_at": NOW,
                          "bytes": 1, "rows": 1, "landed_path": file_hash}], schema=LANDED_SCHEMA)


def _header(run_id: str, source: str) -> dict[str, object]:
    return {"run_id": run_id, "flow_name": "test", "source": source, "started_at": NOW,
            "quarantine": pl.DataFrame(schema=QUARANTINE_SCHEMA), "landed": _landed("e" * 64)}


def trade(con: duckdb.DuckDBPyConnection, tmp: Path) -> object:
    return load(con, batch(facts([("KOR", "2020-01", "X_FAS", 10.0)])))


def tariff(con: duckdb.DuckDBPyConnection, tmp: Path) -> object:
    lines, rates, _ = conformed(write_csv(tmp / "hts.csv"))
    return load_tariffs(con, TariffBatch(
        **_header("run-t", hts.SOURCE), importer_id="USA", valid_from=dt.date(2024, 1, 1), edition="hts.csv",
        file_hash="e" * 64, lines=lines, rates=rates, rows_in=lines.height, rows_quarantined=0,
    ))


def reference(con: duckdb.DuckDBPyConnection, tmp: Path) -> object:
    rows = pl.DataFrame({"from_vintage": ["HS2022"], "from_code": ["010121"], "to_vintage": ["HS2017"],
                         "to_code": ["010121"], "level": [6], "weight": [1.0], "links": [1]})
    return load_reference(con, ReferenceBatch(
        **_header("run-r", "hs_concordance"), table="core.hs_concordance", rows=rows, rows_in=1, rows_quarantined=0,
    ))


LOADERS: dict[str, Callable[[duckdb.DuckDBPyConnection, Path], object]] = {
    "trade": trade, "tariff": tariff, "reference": reference,
}


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate(con)
    return path


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_each_loader_records_its_run_through_the_one_writer(kind: str, wh: Path, tmp_path: Path, monkeypatch) -> None:
    written: list[runs.RunRow] = []
    record = runs.record_run
    monkeypatch.setattr(runs, "record_run", lambda con, row: (written.append(row), record(con, row)))
    with duckdb.connect(str(wh)) as con:
        result = LOADERS[kind](con, tmp_path)
        assert con.sql("SELECT run_id FROM meta.runs").fetchall() == [(result.run_id,)]
    assert [row.run_id for row in written] == [result.run_id]
    assert result.duration_s >= 0


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_a_failed_run_record_leaves_the_warehouse_as_it_was(kind: str, wh: Path, tmp_path: Path, monkeypatch) -> None:
    before = snapshot(wh, TABLES)

    def boom(con: duckdb.DuckDBPyConnection, row: runs.RunRow) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runs, "record_run", boom)
    with duckdb.connect(str(wh)) as con, pytest.raises(RuntimeError, match="disk on fire"):
        LOADERS[kind](con, tmp_path)
    assert snapshot(wh, TABLES) == before


def test_only_the_run_writer_writes_meta_rows_of_a_load() -> None:
    """meta.runs, meta.landed_files and meta.quarantine are written by warehouse/runs.py alone."""
    writers = sorted(
        str(p.relative_to(REPO)) for package in ("warehouse", "flows") for p in (REPO / package).rglob("*.py")
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and any(f"INSERT INTO meta.{t}" in node.value for t in ("runs", "landed_files", "quarantine"))
    )
    assert set(writers) == {"warehouse/runs.py"}
