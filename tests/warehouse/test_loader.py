"""The loader: idempotent merge, revisions kept, one transaction, integrity checks."""

from __future__ import annotations

import contextlib

import duckdb
import polars as pl
import pytest

from tests.helpers import batch, facts, snapshot
from warehouse.loader import LoadIntegrityError, LoadSession, TooManyRejectsError, check_reject_share, load
from warehouse.migrate import migrate


@pytest.fixture
def wh(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate(con)
    return path


def run(path, b):
    with duckdb.connect(str(path)) as con:
        return load(con, b)


def test_insert_then_identical_reload_changes_nothing(wh) -> None:
    rows = [("KOR", "2020-01", "X_FAS", 10.0), ("KOR", "2020-01", "M_GEN_CUSTOMS", 20.0)]
    first = run(wh, batch(facts(rows)))
    assert (first.facts_inserted, first.facts_updated, first.facts_unchanged) == (2, 0, 0)
    before = snapshot(wh, ["core.fact_trade", "core.fact_trade_revision", "core.dim_period"])
    second = run(wh, batch(facts(rows), run_id="run-2"))
    assert (second.facts_inserted, second.facts_updated, second.facts_unchanged) == (0, 0, 2)
    assert snapshot(wh, ["core.fact_trade", "core.fact_trade_revision", "core.dim_period"]) == before


def test_changed_value_updates_and_keeps_the_old_one(wh) -> None:
    run(wh, batch(facts([("KOR", "2020-01", "X_FAS", 10.0)])))
    result = run(wh, batch(facts([("KOR", "2020-01", "X_FAS", 12.5)], file_hash="d" * 64), run_id="run-2"))
    assert result.facts_updated == 1
    with duckdb.connect(str(wh), read_only=True) as con:
        current = con.sql("SELECT value_usd, run_id FROM core.fact_trade").fetchall()
        old = con.sql("SELECT value_usd, run_id, superseded_by_run FROM core.fact_trade_revision").fetchall()
    assert [(float(v), r) for v, r in current] == [(12.5, "run-2")]
    assert [(float(v), r, s) for v, r, s in old] == [(10.0, "run-1", "run-2")]


def test_duplicate_keys_in_one_run_roll_everything_back(wh) -> None:
    run(wh, batch(facts([("CAN", "2020-01", "X_FAS", 1.0)])))
    before = snapshot(wh)
    dupes = facts([("KOR", "2020-02", "X_FAS", 1.0), ("KOR", "2020-02", "X_FAS", 2.0)])
    with pytest.raises(Exception, match="multiple_fields_uniqueness"):
        run(wh, batch(dupes, run_id="run-2"))
    assert snapshot(wh) == before


def test_unknown_dimension_member_rolls_back(wh) -> None:
    before = snapshot(wh)
    with pytest.raises(LoadIntegrityError, match="unknown partner_id"):
        run(wh, batch(facts([("XXX", "2020-01", "X_FAS", 1.0)])))
    assert snapshot(wh) == before


def test_failure_after_writes_rolls_back(wh, monkeypatch) -> None:
    run(wh, batch(facts([("CAN", "2020-01", "X_FAS", 1.0)])))
    before = snapshot(wh)
    import warehouse.loader as loader

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(loader, "record_files", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(wh, batch(facts([("CAN", "2020-01", "X_FAS", 5.0), ("KOR", "2020-01", "X_FAS", 1.0)]), run_id="r2"))
    assert snapshot(wh) == before


def test_quarantine_rows_are_recorded_once_per_file_row_field(wh) -> None:
    q = pl.DataFrame(
        [{"source": "test_source", "file_hash": "c" * 64, "file_name": "f.csv", "row_number": 7, "field": "IJAN",
          "value": "x", "reason": "IJAN failed non-negative number", "raw_record": "{}"}]
    )
    first = run(wh, batch(facts([("KOR", "2020-01", "X_FAS", 1.0)]), quarantine=q))
    second = run(wh, batch(facts([("KOR", "2020-01", "X_FAS", 1.0)]), run_id="run-2", quarantine=q))
    assert (first.quarantine_rows_written, second.quarantine_rows_written) == (1, 0)


def test_reject_share_threshold() -> None:
    check_reject_share(100, 5, 0.05, "f.csv")
    with pytest.raises(TooManyRejectsError, match=r"6 of 100 rows failed validation \(6.0% > threshold 5.0%\)"):
        check_reject_share(100, 6, 0.05, "f.csv")


def test_failed_checks_abort_the_run(wh) -> None:
    before = snapshot(wh)
    seen = []

    def checks(con) -> None:
        seen.append(con.sql("SELECT count(*) FROM core.fact_trade").fetchall()[0][0])
        raise RuntimeError("critical expectation failed")

    with duckdb.connect(str(wh)) as con, pytest.raises(RuntimeError, match="critical expectation failed"):
        load(con, batch(facts([("KOR", "2020-01", "X_FAS", 1.0)])), checks=checks)
    assert seen == [1]  # the checks saw the merged, uncommitted rows
    assert snapshot(wh) == before


def _insertion_order(con) -> bool:
    return con.sql("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]


@pytest.mark.parametrize("fails", [False, True])
@pytest.mark.parametrize("commit_each_part", [False, True])
def test_a_load_inserts_unordered_and_restores_the_setting(wh, fails, commit_each_part) -> None:
    b = batch(facts([("KOR", "2020-01", "X_FAS", 10.0), ("KOR", "2020-02", "X_FAS", 11.0)]))
    with duckdb.connect(str(wh)) as con:
        seen = []
        session = LoadSession(con, run_id=b.run_id, flow_name="f", source="test_source", started_at=b.started_at,
                              commit_each_part=commit_each_part)
        with pytest.raises(RuntimeError) if fails else contextlib.nullcontext(), session:
            seen.append(_insertion_order(con))
            session.merge(b)
            if fails:
                raise RuntimeError("killed mid-run")
            session.finish(rows_in=2, rows_quarantined=0, rows_skipped=0)
        assert seen == [False] and _insertion_order(con) is True
        kept = 0 if fails and not commit_each_part else 2  # a part committed before the failure stays
        assert con.sql("SELECT count(*) FROM core.fact_trade").fetchall()[0][0] == kept
