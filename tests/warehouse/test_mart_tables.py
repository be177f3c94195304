"""Stored marts (mart_tables.*): one column definition with their logic, refreshed by each load for
the slices it touched so that a table always equals a full recompute, and filled by migrate."""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import polars as pl
import pytest

from tests.helpers import batch, facts
from transforms.conformed import PRODUCT_SCHEMA
from warehouse import mart_tables, yearly_sums
from warehouse.loader import LoadSession, load
from warehouse.migrate import migrate

MARTS = [m.name for m in mart_tables.STORED_MARTS]
STORED = [*MARTS, "sums"]


def _differences(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Per stored mart, (rows only in the table, rows only in a full recompute)."""
    out = {}
    for mart in mart_tables.STORED_MARTS:
        only = [
            con.sql(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})").fetchall()[0][0]
            for a, b in ((mart.table, mart.logic), (mart.logic, mart.table))
        ]
        out[mart.name] = (only[0], only[1])
    full = yearly_sums.sums_of("core.fact_trade")
    only = [
        con.sql(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchall()[0][0]
        for a, b in ((f"SELECT * FROM {yearly_sums.SUMS}", full), (full, f"SELECT * FROM {yearly_sums.SUMS}"))
    ]
    out["sums"] = (only[0], only[1])
    return out


def _reported_by(frame: pl.DataFrame, reporter: str, partner: str) -> pl.DataFrame:
    return frame.with_columns(reporter_id=pl.lit(reporter), partner_id=pl.lit(partner))


def _chapters(frame: pl.DataFrame) -> pl.DataFrame:
    """The same facts split over HS chapters 87 (60 %) and 03 (40 %)."""
    return pl.concat([
        frame.with_columns(product_id=pl.lit(f"HS2022:{c}"), value_usd=pl.col("value_usd") * share)
        for c, share in (("87", 0.6), ("03", 0.4))
    ])


def _batch(frame: pl.DataFrame, run_id: str):
    products = pl.DataFrame(
        [{"product_id": "TOTAL", "classification": "TOTAL", "hs_vintage": None, "code": "TOTAL", "level": 0,
          "parent_id": None, "description": "All goods"}]
        + [{"product_id": f"HS2022:{c}", "classification": "HS", "hs_vintage": "HS2022", "code": c, "level": 2,
            "parent_id": None, "description": None} for c in ("87", "03")],
        schema=PRODUCT_SCHEMA,
    )
    return dataclasses.replace(batch(frame, run_id=run_id), products=products)


def _loads() -> list[pl.DataFrame]:
    """New years, revisions of loaded months, an annual figure, the mirror (KOR reporting on USA)."""
    year_2023 = [(p, f"2023-{m:02d}", f, 100.0 * m + len(p)) for p in ("KOR", "CAN", "WORLD")
                 for m in range(1, 13) for f in ("X_FAS", "M_GEN_CUSTOMS")]
    revised = [(p, f"2023-{m:02d}", "X_FAS", 7.0 * m) for p in ("KOR",) for m in range(3, 6)]
    partial_2024 = [(p, f"2024-{m:02d}", f, 50.0 * m) for p in ("KOR", "CAN") for m in range(1, 7)
                    for f in ("X_FAS", "M_GEN_CUSTOMS")]
    annual = [("CAN", "2023", "X_FAS", 9999.0)]
    mirror = [("USA", f"2023-{m:02d}", f, 90.0 * m) for m in range(1, 13) for f in ("X_FAS", "M_GEN_CUSTOMS")]
    return [
        facts(year_2023), facts(revised, file_hash="d" * 64), facts(partial_2024, file_hash="e" * 64),
        facts(annual, file_hash="f" * 64), _reported_by(facts(mirror, file_hash="a" * 64), "KOR", "USA"),
        facts([("KOR", "2024-03", "X_FAS", 1.0)], file_hash="b" * 64),  # a revision of the partial year
        _chapters(facts(year_2023, file_hash="c" * 63 + "0")),  # by chapter, then a chapter revised
        _chapters(facts(revised, file_hash="c" * 63 + "1")).with_columns(value_usd=pl.col("value_usd") + 1),
    ]


@pytest.fixture
def loaded(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    for i, frame in enumerate(_loads()):
        load(con, _batch(frame, run_id=f"run-{i}"))
        assert _differences(con) == dict.fromkeys(STORED, (0, 0)), f"after load {i}"
    return con


def test_each_table_has_the_columns_and_types_of_its_logic(con) -> None:
    for mart in mart_tables.STORED_MARTS:
        table = con.sql(f"SELECT * FROM {mart.table} LIMIT 0")
        logic = con.sql(f"SELECT * FROM {mart.logic} LIMIT 0")
        public = con.sql(f"SELECT * FROM marts.{mart.name} LIMIT 0")
        assert list(zip(table.columns, table.types, strict=True)) == list(zip(logic.columns, logic.types, strict=True))
        assert public.columns == table.columns
        kind = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'mart_tables' AND table_name = ?", [mart.name]
        ).fetchall()[0][0]
        assert kind == 1


def test_refreshed_slices_equal_a_full_recompute_after_loads_and_revisions(loaded) -> None:
    con = loaded
    counts = {m: con.sql(f"SELECT count(*) FROM marts.{m}").fetchall()[0][0] for m in MARTS}
    assert all(counts.values()), counts  # every mart has rows, mirror_flows included
    revised = con.sql(
        "SELECT exports_usd FROM marts.trade_balance WHERE partner_iso3 = 'KOR' AND year = 2024"
    ).fetchall()
    assert revised == [(sum(50.0 * m for m in range(1, 7)) - 150.0 + 1.0,)]
    ranks = con.sql("SELECT partner_iso3, rank FROM marts.partner_rank WHERE year = 2024 ORDER BY rank").fetchall()
    assert [r[0] for r in ranks] == ["CAN", "KOR"]  # KOR's March revised down: the ranking was refreshed whole


def test_a_load_that_changes_nothing_leaves_the_tables_alone(loaded) -> None:
    con = loaded
    before = {m: sorted(con.sql(f"SELECT * FROM mart_tables.{m}").fetchall(), key=repr) for m in MARTS}
    load(con, batch(_loads()[5], run_id="again"))  # the same value again
    assert con.sql(f"SELECT count(*) FROM {yearly_sums.TOUCHED}").fetchall()[0][0] == 0
    after = {m: sorted(con.sql(f"SELECT * FROM mart_tables.{m}").fetchall(), key=repr) for m in MARTS}
    assert after == before


def test_a_failed_load_rolls_the_tables_back(loaded) -> None:
    con = loaded
    before = con.sql("SELECT * FROM mart_tables.trade_balance ORDER BY ALL").fetchall()

    def refuse(_con) -> None:
        assert _con.sql("SELECT count(*) FROM marts.trade_balance WHERE year = 2030").fetchall()[0][0] == 1
        raise RuntimeError("gate failed")  # the gate sees the refreshed marts, then refuses

    with pytest.raises(RuntimeError, match="gate failed"):
        load(con, batch(facts([("KOR", "2030-01", "X_FAS", 5.0)], file_hash="9" * 64), run_id="bad"), checks=refuse)
    assert con.sql("SELECT * FROM mart_tables.trade_balance ORDER BY ALL").fetchall() == before


def test_migrate_fills_the_tables_of_an_existing_warehouse(loaded) -> None:
    con = loaded
    # a warehouse from before the stored marts: no mart_tables, marts.trade_balance a view of its own
    con.execute("DROP SCHEMA mart_tables CASCADE")
    con.execute("DELETE FROM meta.schema_version WHERE version >= 100")
    con.execute("CREATE OR REPLACE VIEW marts.trade_balance AS SELECT 1 AS old")
    assert [m.version for m in migrate(con)] == [100, 101, 102]
    assert _differences(con) == dict.fromkeys(STORED, (0, 0))
    assert con.sql("SELECT count(*) FROM marts.trade_balance").fetchall()[0][0] > 0
    con.execute("DELETE FROM mart_tables.partner_rank")  # unchanged definitions: migrate leaves them alone
    migrate(con)
    assert con.sql("SELECT count(*) FROM marts.partner_rank").fetchall()[0][0] == 0
    con.execute("UPDATE mart_tables.definition SET checksum = 'older code'")  # changed mart SQL or seeds
    migrate(con)
    assert _differences(con) == dict.fromkeys(STORED, (0, 0))
    assert con.sql("SELECT count(*) FROM marts.partner_rank").fetchall()[0][0] > 0


def test_a_revision_that_changes_the_unit_recounts_its_group(con) -> None:
    def with_unit(frame: pl.DataFrame, unit: str, quantity: float) -> pl.DataFrame:
        return frame.with_columns(quantity=pl.lit(quantity), quantity_unit=pl.lit(unit))

    months = [("KOR", f"2023-{m:02d}", "M_GEN_CUSTOMS", 10.0 * m) for m in range(1, 4)]
    load(con, batch(with_unit(facts(months), "KGM", 2.5), run_id="kg"))
    load(con, batch(with_unit(facts(months[:1], file_hash="d" * 64), "T", 0.5), run_id="tonnes"))
    assert _differences(con) == dict.fromkeys(STORED, (0, 0))
    row = con.sql(
        "SELECT quantity, quantity_unit, quantity_units FROM marts.int_trade_yearly WHERE partner_iso3 = 'KOR'"
    ).fetchall()
    assert row == [(5.5, "kg", 2)]
    load(con, batch(with_unit(facts(months[:1], file_hash="e" * 64), "kg", 2.5), run_id="back"))  # KGM is kg
    assert _differences(con) == dict.fromkeys(STORED, (0, 0))
    assert con.sql("SELECT quantity_units FROM marts.int_trade_yearly WHERE partner_iso3 = 'KOR'").fetchall() == [(1,)]


def test_changes_noted_after_a_large_append_in_the_same_transaction_reach_the_sums(con) -> None:
    """DuckDB 2.0 hides rows INSERTed into a temporary table from some scans once the transaction has
    appended many rows to a stored table: a load of a large month lost its sums that way."""
    load(con, batch(facts([("KOR", "2023-01", "X_FAS", 1.0)]), run_id="first"))  # the sums are not empty
    con.execute("INSERT INTO core.dim_period VALUES ('2026-01', 'month', 2026, 1, DATE '2026-01-01', DATE '2026-01-31')")
    con.execute("BEGIN")
    yearly_sums.start(con)
    con.execute(
        "CREATE TEMP TABLE big AS SELECT 'census_api' AS source, 'USA' AS reporter_id, 'P' || (i % 300) AS partner_id, "
        "'HS2022:' || (i // 300) AS product_id, '2026-01' AS period_id, 'X_FAS' AS flow_id, "
        "CAST(i AS DECIMAL(20, 2)) AS value_usd, NULL::DOUBLE AS quantity, NULL AS quantity_unit, "
        "'reported' AS value_status, 'r' AS run_id, 'h' AS file_hash, now() AS loaded_at FROM range(300000) AS t(i)"
    )
    con.execute("INSERT INTO core.fact_trade SELECT * FROM big")
    yearly_sums.note_inserted(con, "big")
    yearly_sums.apply_changes(con)
    assert con.sql(f"SELECT count(*) FROM {yearly_sums.SUMS} WHERE year = 2026").fetchall() == [(300000,)]
    assert con.sql(f"SELECT count(*) FROM (SELECT DISTINCT * FROM {yearly_sums.TOUCHED})").fetchall() == [(300,)]
    con.execute("ROLLBACK")


def test_the_sums_of_one_period_are_the_grouped_sums(con) -> None:
    """A month's or a year's facts are summed by a projection (each fact its own group): the same rows
    as grouping them, nulls, partial values and units included, added and taken away."""
    rows = [
        ("KOR", "2023-04", "X_FAS", 10.5, 3.0, "KGM", "reported"),
        ("CAN", "2023-04", "X_FAS", None, 2.0, "kg", "suppressed"),
        ("WORLD", "2023-04", "M_GEN_CUSTOMS", 7.25, None, None, "partial"),
        ("KOR", "2023", "X_FAS", 99.0, 4.5, "NO", "partial"),
        ("CAN", "2023", "M_GEN_CUSTOMS", None, None, "L", "reported"),
        ("WORLD", "2023", "X_FAS", 5.0, 1.0, "l", "reported"),
        ("KOR", "2023-Q2", "X_FAS", 5.0, None, None, "reported"),  # neither grain: no row
    ]
    con.execute("INSERT OR IGNORE INTO core.dim_period VALUES ('2023-04', 'month', 2023, 4, DATE '2023-04-01', DATE '2023-04-30'), "
                "('2023', 'year', 2023, NULL, DATE '2023-01-01', DATE '2023-12-31'), "
                "('2023-Q2', 'quarter', 2023, NULL, DATE '2023-04-01', DATE '2023-06-30')")
    frame = pl.DataFrame(
        [{"source": "s", "reporter_id": "USA", "partner_id": p, "product_id": "TOTAL", "period_id": period,
          "flow_id": f, "value_usd": v, "quantity": q, "quantity_unit": u, "value_status": st}
         for p, period, f, v, q, u, st in rows],
        schema_overrides={"value_usd": pl.Decimal(20, 2), "quantity": pl.Float64},
    )
    con.register("facts_frame", frame)
    for period in ("2023-04", "2023", "2023-Q2"):
        relation = f"(SELECT * FROM facts_frame WHERE period_id = '{period}')"
        for sign in (1, -1):
            projected = yearly_sums._sums_select(con, relation, sign)
            assert ("GROUP BY" in projected) == (period == "2023-Q2")  # months and years are projected
            a = con.sql(projected).fetchall()
            b = con.sql(yearly_sums.sums_of(relation, sign)).fetchall()
            assert sorted(a, key=repr) == sorted(b, key=repr), (period, sign)
            assert len(a) == {"2023-04": 3, "2023": 3, "2023-Q2": 0}[period]
    assert "GROUP BY" in yearly_sums._sums_select(con, "facts_frame")  # several periods: grouped


def _session(con: duckdb.DuckDBPyConnection, parts: list[pl.DataFrame], run_id: str) -> None:
    session = LoadSession(con, run_id=run_id, flow_name="test", source="test_source",
                          started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with session:
        for i, part in enumerate(parts):
            session.merge(_batch(part, run_id=f"{run_id}-{i}"))
        session.finish(rows_in=sum(p.height for p in parts), rows_quarantined=0, rows_skipped=0)


@pytest.mark.parametrize("apply_at", [yearly_sums.APPLY_AT, 1])
def test_a_load_in_several_parts_adds_each_group_once(con, monkeypatch, apply_at: int) -> None:
    """Parts of one load that share a series (two months of a year, a revision of a month loaded in the
    same run) and parts that share none (another flow): the changes are added up per group when they
    are applied, at the load's end or after a part once they reach ``APPLY_AT`` rows."""
    monkeypatch.setattr(yearly_sums, "APPLY_AT", apply_at)
    load(con, _batch(facts([("KOR", "2023-01", "X_FAS", 1.0)]), run_id="first"))  # the sums are not empty
    month = [facts([(p, f"2023-{m:02d}", "X_FAS", 10.0 * m + len(p)) for p in ("KOR", "CAN")], file_hash=f"{m:x}" * 64)
             for m in range(2, 6)]
    other_flow = facts([(p, "2023-02", "M_GEN_CUSTOMS", 3.0) for p in ("KOR", "CAN")], file_hash="e" * 64)
    revised = facts([("KOR", "2023-03", "X_FAS", 0.5)], file_hash="f" * 64)
    _session(con, [month[0], other_flow], "disjoint")
    assert _differences(con) == dict.fromkeys(STORED, (0, 0))
    _session(con, [month[1], month[2], revised, _chapters(month[3])], "shared")
    assert _differences(con) == dict.fromkeys(STORED, (0, 0))
    exports = con.sql("SELECT exports_usd FROM marts.trade_balance WHERE partner_iso3 = 'KOR' AND year = 2023").fetchall()
    assert exports == [(1.0 + 23.0 + 0.5 + 43.0,)]  # TOTAL's months (level 0); the chapters are a finer level


def test_a_month_without_its_number_is_summed_as_grouped(con) -> None:
    """A month period whose month number is missing (the period model allows it): no month bit, as the
    grouped sums give, instead of a shift by NULL."""
    con.execute("INSERT INTO core.dim_period VALUES ('2023-13', 'month', 2023, NULL, DATE '2023-12-01', DATE '2023-12-31')")
    frame = facts([("KOR", "2023-13", "X_FAS", 4.0)])
    con.register("odd_month", frame)
    projected = yearly_sums._sums_select(con, "odd_month")
    assert con.sql(projected).fetchall() == con.sql(yearly_sums.sums_of("odd_month")).fetchall()


def test_a_full_recompute_counts_facts_of_every_flow(loaded) -> None:
    """The rebuild's derivation goes a year and a flow at a time: a fact whose flow is not (yet) in
    core.dim_flow, written past the loader, is still counted, as a full recompute counts it."""
    con = loaded
    con.execute(
        "INSERT INTO core.fact_trade SELECT * REPLACE ('X_NEW' AS flow_id) FROM core.fact_trade WHERE flow_id = 'X_FAS' LIMIT 3"
    )
    mart_tables.refresh_all(con)
    assert _differences(con)["sums"] == (0, 0)
    assert con.sql(f"SELECT count(*) FROM {yearly_sums.SUMS} WHERE flow_id = 'X_NEW'").fetchall()[0][0] > 0


def test_a_full_refresh_runs_on_at_least_its_memory_and_gives_the_limit_back() -> None:
    con = duckdb.connect()
    con.execute("SET memory_limit = '256MB'")
    before = mart_tables.memory_limit_bytes(con)
    con.execute("BEGIN TRANSACTION")  # refresh_all runs inside the load's transaction
    with mart_tables.memory_at_least(con, mart_tables.FULL_REFRESH_MEMORY):
        assert mart_tables.memory_limit_bytes(con) >= mart_tables.FULL_REFRESH_MEMORY
    con.execute("COMMIT")
    assert abs(mart_tables.memory_limit_bytes(con) - before) < 1024**2
    con.execute("SET memory_limit = '4GB'")
    with mart_tables.memory_at_least(con, mart_tables.FULL_REFRESH_MEMORY):  # never lowered
        assert mart_tables.memory_limit_bytes(con) > 3.5e9
    assert mart_tables.memory_limit_bytes(con) > 3.5e9


@pytest.mark.parametrize("quantities", [[0.1, 0.2, 0.7], [1e-9, 3.3, 1e15, 2.2], [0.3, 0.6, 0.1]])
def test_quantity_sums_are_the_same_added_load_by_load_or_derived_in_one_pass(quantities: list[float]) -> None:
    # months 1 and 2, then month 2 revised (taken away and added again) for each later quantity
    loads = [(1, quantities[0])] + [(2, q) for q in quantities[1:]]

    def built(deferred: bool) -> tuple[list, list]:
        with duckdb.connect() as con:
            migrate(con)
            for i, (month, quantity) in enumerate(loads):
                part = facts([("KOR", f"2023-{month:02d}", "M_GEN_CUSTOMS", 10.0)], file_hash=f"{i:x}" * 64)
                part = part.with_columns(quantity=pl.lit(quantity), quantity_unit=pl.lit("kg"))
                load(con, batch(part, run_id=f"run-{i}"), defer_marts=deferred)
            if deferred:  # a rebuild's journal replay: the sums derived once, at the end
                con.execute("BEGIN")
                mart_tables.refresh_all(con)
                con.execute("COMMIT")
            return (con.sql(f"SELECT * FROM {yearly_sums.SUMS} ORDER BY ALL").fetchall(),
                    con.sql("SELECT quantity FROM marts.int_trade_yearly").fetchall())

    live, replayed = built(False), built(True)
    assert live == replayed
    assert live[1][0][0] == pytest.approx(quantities[0] + quantities[-1], rel=1e-12)
