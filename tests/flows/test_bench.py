"""The benchmark's own machinery on a tiny size (figures are printed by `entrepot bench`, never asserted)."""

from __future__ import annotations

import json
import os
import re

import duckdb
import pytest

from flows.bench import bench, peers_available
from flows.cli import main
from flows.demo.bench_generator import generate
from flows.rebuild import rebuild
from flows.sources import census_api
from flows.sources.landing import LandedFileChangedError
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
    with pytest.raises(LandedFileChangedError, match="changed after it was landed"):
        rebuild(tmp_path / "w.duckdb", tmp_path / "landing", max_reject_share=0.0)
    assert snapshot(tmp_path / "w.duckdb") == before
    assert not list(tmp_path.glob("*.next*"))


RUN_LINE = re.compile(r"  run (\d+)/(\d+) (.+?) *: +[\d.]+ s")


def run_lines(lines: list[str]) -> list[tuple[int, str]]:
    """``(run, step)`` of each run line, in the order printed."""
    return [(int(m.group(1)), m.group(3)) for m in map(RUN_LINE.match, lines) if m]


def test_bench_prints_every_figure_and_ends_with_the_ratio(tmp_path) -> None:
    lines: list[str] = []
    ratio = bench(4_000, workdir=tmp_path, nightly=False, echo=lines.append, runs=2)
    assert ratio > 0
    assert lines[-1] == f"rebuild/duckdb ratio: {ratio:.2f}"
    assert "2 runs of each step, load average at the start " in lines[0]
    assert run_lines(lines) == [
        (1, "duckdb alone"), (1, "rebuild"), (2, "duckdb alone"), (2, "rebuild"), (1, "new month"), (2, "new month"),
    ]
    text = "\n".join(lines)
    for label in ("duckdb alone (CREATE", "rebuild landing -> warehouse", "one new month", "same month again"):
        line = next(x for x in lines if x.startswith(label))
        assert re.search(r": median +[\d.]+ s \([\d.]+-[\d.]+, spread [\d.]+%\) over 2 runs  ", line), line
    assert "dlt" not in text
    assert any(re.fullmatch(r"  ratios run by run \(over the DuckDB run of the same round\): rebuild [\d.]+ [\d.]+", x) for x in lines)
    assert "updated 0 unchanged" in text
    refreshed = re.findall(r"of which stored marts refreshed +: +([\d.]+) s", text)
    assert len(refreshed) == 2 and all(float(x) > 0 for x in refreshed), refreshed  # the timed steps are the ones loads call
    for query in ("partner_rank, one reporter and year", "mirror_flows, one pair", "tariff_indicators, one importer"):
        assert query in text and "ms  (" in text.split(query)[1].splitlines()[0]
    medians = [float(x) for x in re.findall(r"^(?:duckdb alone|rebuild landing)[^:]*: median +([\d.]+) s", text, re.M)]
    # of the medians, which are printed to 2 decimals (each within 0.005 of the value the ratio used)
    assert (medians[1] - 0.005) / (medians[0] + 0.005) <= ratio <= (medians[1] + 0.005) / (medians[0] - 0.005)


def _need_peers() -> None:
    """dlt, from the peers group (the README's test command and `.ci/run` install it): skipped when
    absent, except under CI=true, where the pin must be exercised."""
    if peers_available():
        return
    message = "dlt is not installed: `uv sync --frozen --group peers` installs it"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message}: CI must run the peers test, not skip it")
    pytest.skip(message)


def test_bench_peers_times_dlt_merge_of_the_same_files(tmp_path) -> None:
    _need_peers()
    lines: list[str] = []
    bench(4_000, workdir=tmp_path, nightly=False, echo=lines.append, runs=2, peers=True)
    loads = ["duckdb alone", "rebuild", "dlt merge"]
    assert run_lines(lines)[:6] == [(run, step) for run in (1, 2) for step in loads]
    rows = re.search(r"entrepot bench: ([\d,]+) rows", lines[0]).group(1)
    line = next(x for x in lines if x.startswith("dlt merge (primary key = raw grain)"))
    assert re.search(r": median +[\d.]+ s \(.*\) over 2 runs .* peak RSS +[\d,]+ MB  rows " + rows + r"  dlt/duckdb ratio [\d.]+", line), line
    assert any(re.search(r"run of the same round\): rebuild [\d.]+ [\d.]+; dlt [\d.]+ [\d.]+$", x) for x in lines)
    assert lines[-1].startswith("rebuild/duckdb ratio: ")


def test_bench_journal_times_a_rebuild_from_the_load_journal_of_the_same_files(tmp_path) -> None:
    lines: list[str] = []
    bench(4_000, workdir=tmp_path, nightly=False, echo=lines.append, runs=2, journal=True)
    assert run_lines(lines)[:6] == [(run, step) for run in (1, 2) for step in ("duckdb alone", "rebuild", "from journal")]
    assert re.fullmatch(r"  journaled landing: 1 monthly loads, loaded \(untimed\) in [\d.]+ s", lines[1]), lines[1]
    line = next(x for x in lines if x.startswith("rebuild from the load journal"))
    assert re.search(r": median +[\d.]+ s \(.*\) over 2 runs .* 1 loads  journal/duckdb ratio [\d.]+$", line), line
    facts = "SELECT * EXCLUDE (run_id, loaded_at) FROM core.fact_trade ORDER BY ALL"
    with duckdb.connect(str(tmp_path / "rebuild-journal.duckdb"), read_only=True) as replayed, \
            duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as rebuilt:
        assert replayed.sql(facts).fetchall() == rebuilt.sql(facts).fetchall()
    assert lines[-1].startswith("rebuild/duckdb ratio: ")


def test_bench_peers_without_dlt_is_one_line_before_any_work(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("flows.bench.peers_available", lambda: False)
    assert main(["bench", "--rows", "4000", "--workdir", str(tmp_path), "--peers"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("entrepot: error: ") and "uv sync --frozen --group peers" in err[0]
    assert list(tmp_path.iterdir()) == []  # nothing generated


@pytest.mark.parametrize("runs", ["0", "-1", "two"])
def test_bench_needs_at_least_one_run(tmp_path, capsys, runs: str) -> None:
    assert main(["bench", "--rows", "4000", "--workdir", str(tmp_path), "--runs", runs]) == 2
    assert "is not a whole number of at least 1" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
