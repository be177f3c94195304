"""Small payloads merge in shared parts: the same warehouse as merging them one by one, in fewer steps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.demo.server import DemoUpstream, serve
from flows.pipeline import ProcessedPayload, fetch_census_months
from flows.rebuild import fact_series, load_payloads, parts, replay_order
from flows.settings import load_settings
from flows.sources.census_api import read_payload
from flows.sources.landing import LandedPayload
from transforms.conformed import FACT_SCHEMA, Conformed

TODAY = dt.date(2026, 3, 15)
MONTHS = ["2025-11", "2025-12", "2026-01", "2026-02"]


def processed(name: str, rows: int, periods: list[str], flow: str = "X_FAS") -> ProcessedPayload:
    facts = pl.DataFrame(
        {"source": "s", "period_id": periods, "flow_id": flow}, schema_overrides={"period_id": pl.String}
    ).with_columns([pl.lit(None, dtype).alias(c) for c, dtype in FACT_SCHEMA.items() if c not in {"source", "period_id", "flow_id"}])
    payload = LandedPayload("s", f"r/{name}", name * 64, f"s/{name}", 1, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), rows, "")
    empty = pl.DataFrame()
    return ProcessedPayload(payload, "test", Conformed(facts, empty, empty, empty), empty, rows, 0)


def names(groups: list[list[ProcessedPayload]]) -> list[list[str]]:
    return [[p.payload.file_hash[0] for p in group] for group in groups]


def test_small_payloads_share_a_part_up_to_the_row_bound() -> None:
    items = [processed("a", 40, ["2025-01"]), processed("b", 40, ["2025-02"]), processed("c", 40, ["2025-03"]),
             processed("d", 500, ["2025-04"]), processed("e", 10, ["2025-05"])]
    assert names(list(parts(items, max_rows=100))) == [["a", "b"], ["c"], ["d"], ["e"]]


def test_a_payload_touching_the_same_period_and_flow_starts_a_new_part() -> None:
    items = [processed("a", 1, ["2025-01"]), processed("b", 1, ["2025-01"], flow="M_GEN_CUSTOMS"),
             processed("a", 1, ["2025-02"]), processed("c", 1, ["2025-02"])]
    # the second "a" is a file already in the part; c revises its month and flow
    assert names(list(parts(items, max_rows=100))) == [["a", "b"], ["a"], ["c"]]


def land_demo_with_a_revision(landing: Path) -> None:
    settings = load_settings(warehouse=str(landing / "unused.duckdb"), landing_dir=str(landing), upstream="demo")
    upstream = DemoUpstream(today=TODAY)
    with serve(upstream) as (url, _):
        for direction in ("export", "import"):
            fetch_census_months(direction, MONTHS, url, settings)
        first = fetch_census_months("export", ["2026-01"], url, settings)[0]
        row = read_payload(first.path(landing)).row(0, named=True)
        upstream.revisions[("export", "2026-01", row["CTY_CODE"], row["E_COMMODITY"])] = 123_456_789
        fetch_census_months("export", ["2026-01", "2026-02"], url, settings)  # one revised, one the same


def snapshot(path: Path) -> dict[str, list[tuple]]:
    queries = {
        "facts": "SELECT source, reporter_id, partner_id, product_id, period_id, flow_id, value_usd, quantity, "
        "quantity_unit, value_status, file_hash FROM core.fact_trade",
        "revisions": "SELECT source, partner_id, product_id, period_id, flow_id, value_usd, file_hash "
        "FROM core.fact_trade_revision",
        "products": "SELECT * FROM core.dim_product",
        "periods": "SELECT * FROM core.dim_period",
        "files": "SELECT file_hash, request, rows FROM meta.landed_files",
    }
    with duckdb.connect(str(path), read_only=True) as con:
        return {name: sorted(con.sql(sql).fetchall(), key=repr) for name, sql in queries.items()}


def test_merging_in_parts_leaves_the_warehouse_merging_one_by_one_leaves(tmp_path) -> None:
    landing = tmp_path / "landing"
    land_demo_with_a_revision(landing)
    payloads = replay_order(landing)
    # every month and direction published by then, and the revised month again (its unchanged twin is dropped)
    assert len(payloads) > 4 and len({p.request for p in payloads}) == len(payloads) - 1
    load_payloads(tmp_path / "parts.duckdb", landing, payloads, flow_name="t", max_reject_share=0.0)
    load_payloads(tmp_path / "single.duckdb", landing, payloads, flow_name="t", max_reject_share=0.0, part_rows=0)
    together, alone = snapshot(tmp_path / "parts.duckdb"), snapshot(tmp_path / "single.duckdb")
    assert together == alone
    assert len(together["revisions"]) == 1
    with duckdb.connect(str(tmp_path / "parts.duckdb"), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM core.fact_trade").fetchall()[0][0] > 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["s", "t"]), st.sampled_from(["2025-01", "2025-02"]), st.sampled_from(["X_FAS", "M_GEN_CIF"])), max_size=12))
def test_a_payloads_series_are_its_distinct_source_period_and_flow(rows: list[tuple[str, str, str]]) -> None:
    facts = pl.DataFrame(rows, schema={"source": pl.String, "period_id": pl.String, "flow_id": pl.String}, orient="row")
    assert fact_series(facts) == set(rows)


def test_a_rebuild_refuses_a_landed_file_changed_after_it_was_landed(tmp_path) -> None:
    from flows.rebuild import rebuild
    from flows.sources.landing import LandedFileChangedError

    landing = tmp_path / "landing"
    land_demo_with_a_revision(landing)
    changed = replay_order(landing)[1]
    path = changed.path(landing)
    path.write_bytes(path.read_bytes().replace(b'"1', b'"2', 1))  # valid JSON still, other numbers
    with pytest.raises(LandedFileChangedError, match="changed after it was landed"):
        rebuild(tmp_path / "wh.duckdb", landing, max_reject_share=0.0)
    assert not (tmp_path / "wh.duckdb").exists()
