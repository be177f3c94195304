"""The pandera models of warehouse tables guard every write: seeds, meta rows, facts."""

from __future__ import annotations

import shutil

import duckdb
import polars as pl
import pytest

from tests.helpers import batch, facts, snapshot
from warehouse.loader import load
from warehouse.migrate import migrate
from warehouse.seeds import SEEDS_DIR, sync_seeds


def test_a_bad_seed_row_is_refused(tmp_path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    countries = seeds / "countries.csv"
    countries.write_text(countries.read_text().replace("\nABW,ABW,AW,533,", "\nabw,ABW,AW,533,", 1))
    with duckdb.connect() as con:
        migrate(con)
        with pytest.raises(ValueError, match=r"core.dim_country break its model: country_id str_matches.*abw"):
            sync_seeds(con, seeds)


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [("file_hash", "not-a-hash", "file_hash str_matches"), ("reason", "", "reason str_length")],
)
def test_a_malformed_quarantine_row_rolls_the_load_back(column, value, problem, tmp_path) -> None:
    wh = tmp_path / "w.duckdb"
    with duckdb.connect(str(wh)) as con:
        migrate(con)
    before = snapshot(wh)
    q = pl.DataFrame([{"source": "test_source", "file_hash": "c" * 64, "file_name": "f.csv", "row_number": 7,
                       "field": "IJAN", "value": "x", "reason": "IJAN failed", "raw_record": "{}"}])
    q = q.with_columns(pl.lit(value).alias(column))
    with duckdb.connect(str(wh)) as con, pytest.raises(ValueError, match=f"meta.quarantine break its model: {problem}"):
        load(con, batch(facts([("KOR", "2020-01", "X_FAS", 1.0)]), quarantine=q))
    assert snapshot(wh) == before
