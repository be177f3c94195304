"""The benchmark's own machinery on a tiny size (figures are printed by `entrepot bench`, never asserted)."""

from __future__ import annotations

import json

import duckdb
import pytest

from flows.bench import bench
from flows.demo.bench_generator import generate
from flows.rebuild import rebuild
from flows.sources import census_api
from flows.sources.files import UnreadableFileError
from schemas.raw.census_api import CensusApiExportsRaw, CensusApiImportsRaw
from schemas.validation import split_valid
from tests.helpers import snapshot


def test_generated_payloads_are_exact_api_responses(tmp_path) -> None:
    data = generate(3_000, tmp_path, last_month="2020-12")
    assert data.months == ["2020-12"] and len(data.payloads) == 2
    for payload, model in zip(data.payloads, (CensusApiExportsRaw, CensusApiImportsRaw), strict=True):
        body = json.loads(payload.path(tmp_path).read_bytes())
        assert body[0][-2:] == ["COMM_LVL", "time"] and len(body) - 1 == payload.rows
        validated = split_valid(census_api.read_payload(payload.path(tmp_path)), model, payload.request)
        assert validated.rejects.height == 0 and validated.valid.height == payload.rows
    assert "time=2020-12" in data.payloads[0].request and "COMM_LVL=HS10" in data.payloads[0].request


def test_rebuild_replays_landing_into_an_identical_warehouse(tmp_path) -> None:
    data = generate(2_000, tmp_path / "landing", last_month="2019-06")
    first = rebuild(tmp_path / "a.duckdb", tmp_path / "landing", max_reject_share=0.0)
    rebuild(tmp_path / "b.duckdb", tmp_path / "landing", max_reject_share=0.0)
    assert first.rows_in == data.rows and first.rows_quarantined == 0
    query = "SELECT source, reporter_id, partner_id, product_id, period_id, flow_id, value_usd FROM core.fact_trade ORDER BY ALL"
    with duckdb.connect(str(tmp_path / "a.duckdb"), read_only=True) as a, duckdb.connect(str(tmp_path / "b.duckdb"), read_only=True) as b:
        expected = a.sql(query).fetchall()
        assert b.sql(query).fetchall() == expected
        assert a.sql("SELECT count(*) FROM core.fact_trade").fetchall()[0][0] == first.facts
    again = rebuild(tmp_path / "a.duckdb", tmp_path / "landing", max_reject_share=0.0)
    assert again.facts == first.facts  # a rebuild starts from nothing
    with duckdb.connect(str(tmp_path / "a.duckdb"), read_only=True) as a:
        assert a.sql(query).fetchall() == expected


def test_failed_rebuild_leaves_the_warehouse_as_it_was(tmp_path) -> None:
    data = generate(2_000, tmp_path / "landing", last_month="2019-06")
    rebuild(tmp_path / "w.duckdb", tmp_path / "landing", max_reject_share=0.0)
    before = snapshot(tmp_path / "w.duckdb")
    broken = data.payloads[-1].path(tmp_path / "landing")
    broken.write_bytes(broken.read_bytes()[:-500])  # a landed file damaged on disk
    with pytest.raises(UnreadableFileError, match="not a JSON array of arrays"):
        rebuild(tmp_path / "w.duckdb", tmp_path / "landing", max_reject_share=0.0)
    assert snapshot(tmp_path / "w.duckdb") == before
    assert not list(tmp_path.glob("*.next*"))


def test_bench_prints_every_figure_and_ends_with_the_ratio(tmp_path) -> None:
    lines: list[str] = []
    ratio = bench(4_000, workdir=tmp_path, nightly=False, echo=lines.append)
    assert ratio > 0
    assert lines[-1] == f"rebuild/duckdb ratio: {ratio:.2f}"
    text = "\n".join(lines)
    for label in ("duckdb alone", "rebuild landing -> warehouse", "one new month", "same month again"):
        assert label in text
    assert "updated 0 unchanged" in text
    assert text.count("of which stored marts refreshed") == 2
    for query in ("partner_rank, one reporter and year", "mirror_flows, one pair", "tariff_indicators, one importer"):
        assert query in text and "ms  (" in text.split(query)[1].splitlines()[0]
