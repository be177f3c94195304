"""The Comtrade API v1 client against the local server: splitting, keys, 429s, and the nightly flow
with marts.mirror_flows."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.demo import comtrade_generator as gen
from flows.demo.server import DemoUpstream, Fault, serve
from flows.nightly import nightly
from flows.pipeline import process_payload, read_crosswalk
from flows.registry import kind_by_name
from flows.sources import comtrade_api
from flows.sources.comtrade_api import ComtradeQuery, fetch, plan
from flows.sources.http import RetryPolicy, UpstreamError
from flows.sources.landing import read_manifest
from warehouse.migrate import migrate

FAST = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.05)
KEY = "comtrade-sekret-4242"
PAIR = ComtradeQuery("A", ("842", "410"), ("410", "842", "0"), ("2022",))


@pytest.fixture
def upstream():
    with serve(DemoUpstream(today=dt.date(2026, 11, 23))) as (url, state):
        yield url.removesuffix("/data"), state


def run(base: str, query: ComtradeQuery, tmp_path: Path, key: str | None = None):
    client, access = comtrade_api.client(key, 5.0)
    with client:
        return [
            p
            for part in plan(query, comtrade_api.CAPS[access])
            for p in fetch(
                client, base_url=base, query=part, access=access, landing_dir=tmp_path, policy=FAST
            )
        ]


def conformed(payloads, tmp_path: Path) -> tuple[pl.DataFrame, int]:
    with duckdb.connect() as con:
        migrate(con)
        crosswalk = read_crosswalk(con)
    processed = [process_payload(p, kind_by_name("comtrade-api-response"), tmp_path, crosswalk) for p in payloads]
    facts = pl.concat([p.conformed.facts for p in processed])
    return facts, sum(p.rows_quarantined for p in processed)


def test_plan_keeps_every_query_under_the_cap() -> None:
    monthly = ComtradeQuery(
        "M", ("842", "410"), ("410", "842", "0"), tuple(f"2025{m:02d}" for m in range(1, 13))
    )
    for query, cap in ((PAIR, 500), (monthly, 500), (monthly, 250_000)):
        parts = plan(query, cap)
        assert all(p.expected_records() <= cap and len(p.periods) <= 12 for p in parts)
        covered = {
            (r, q, f, c, t)
            for p in parts
            for r in p.reporters
            for q in p.partners
            for f in p.flows
            for c in p.cmd_codes
            for t in p.periods
        }
        assert len(covered) == sum(len(p.reporters) * len(p.partners) * 2 * 2 * len(p.periods) for p in parts)
    assert len(plan(monthly, 250_000)) == 1


def test_preview_is_split_and_returns_only_aggregates(upstream, tmp_path: Path) -> None:
    base, state = upstream
    payloads = run(base, PAIR, tmp_path)
    assert len(payloads) > 1 and all(p.request.startswith("public/v1/preview/C/A/HS?") for p in payloads)
    assert all("partner2Code=0" in r and "motCode=0" in r and "customsCode=C00" in r for r in state.requests)
    facts, quarantined = conformed(payloads, tmp_path)
    assert quarantined == 0
    total = facts.filter((pl.col("product_id") == "TOTAL") & (pl.col("period_id") == "2022"))
    values = {
        (r["reporter_id"], r["partner_id"], r["flow_id"]): r["value_usd"] for r in total.iter_rows(named=True)
    }
    fob = gen._values("410", "842", "M", 2022, None)
    assert values[("KOR", "USA", "M_FOB")] == fob and values[("KOR", "USA", "M_CIF")] == int(
        fob * gen.CIF_MARKUP
    )
    assert values[("USA", "KOR", "X_FOB")] == gen._values("842", "410", "X", 2022, None)
    assert set(facts.filter(pl.col("product_id") != "TOTAL")["product_id"].str.slice(0, 7)) == {"HS2022:"}
    chapters = facts.filter(
        (pl.col("product_id") != "TOTAL")
        & (pl.col("reporter_id") == "USA")
        & (pl.col("partner_id") == "KOR")
        & (pl.col("flow_id") == "X_FOB")
    )
    assert chapters["value_usd"].sum() == values[("USA", "KOR", "X_FOB")]


def test_a_response_at_the_cap_is_split_again(upstream, tmp_path: Path) -> None:
    base, _ = upstream
    client, access = comtrade_api.client(None, 5.0)
    with client:  # the whole query at once (776 records) exceeds the preview cap of 500
        payloads = fetch(client, base_url=base, query=PAIR, access=access, landing_dir=tmp_path, policy=FAST)
    rows = [json.loads(p.path(tmp_path).read_bytes())["count"] for p in payloads]
    assert all(n < 500 for n in rows) and sum(rows) == 776


def test_key_goes_in_a_header_and_never_in_what_is_recorded(upstream, tmp_path: Path, caplog) -> None:
    base, state = upstream
    state.comtrade_key = KEY
    caplog.set_level(logging.DEBUG)
    payloads = run(base, PAIR, tmp_path, key=KEY)
    assert len(payloads) == 1 and payloads[0].request.startswith("data/v1/get/C/A/HS?")
    recorded = [
        *state.requests,
        *(p.request for p in payloads),
        caplog.text,
        json.dumps(read_manifest(tmp_path), default=str),
    ]
    assert not any(KEY in text for text in recorded)
    with pytest.raises(UpstreamError, match="HTTP 401") as info:
        run(base, PAIR, tmp_path, key="wrong-key-0000")
    assert "wrong-key-0000" not in str(info.value)


def test_rate_limit_try_again_is_honoured(upstream, tmp_path: Path) -> None:
    base, state = upstream
    state.inject("/public/v1/preview/", Fault("rate_limit", retry_after="1"), Fault("truncate"))
    query = ComtradeQuery("A", ("842",), ("410",), ("2022",), cmd_codes=("TOTAL",))
    payloads = run(base, query, tmp_path)
    assert len(payloads) == 1 and len(state.requests) == 3


def test_empty_result_lands_nothing_and_persistent_429_fails(upstream, tmp_path: Path) -> None:
    base, state = upstream
    assert run(base, ComtradeQuery("A", ("842",), ("410",), ("2030",)), tmp_path) == []
    state.inject("/public/v1/preview/", *[Fault("rate_limit", retry_after="1")] * 3)
    with pytest.raises(UpstreamError, match="gave up after 3 attempts, last: HTTP 429"):
        run(base, ComtradeQuery("A", ("842",), ("410",), ("2022",)), tmp_path)


ONE = ComtradeQuery("A", ("842",), ("410",), ("2022",), cmd_codes=("TOTAL",))


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        (Fault("redirect"), r"redirected \(HTTP 302\)"),
        (Fault("empty200"), r"HTTP 200 with an empty body"),
        (Fault("status", status=204), r"unexpected HTTP 204"),
        (Fault("status", status=206), r"unexpected HTTP 206"),
    ],
    ids=["redirect", "empty-200", "204", "206"],
)
def test_only_an_empty_envelope_means_no_data(fault, problem, upstream, tmp_path: Path) -> None:
    base, state = upstream
    state.inject("/public/v1/preview/", fault)
    with pytest.raises(UpstreamError, match=problem) as err:
        run(base, ONE, tmp_path)
    assert str(err.value).startswith("comtrade: ") and "period=2022" in str(err.value)
    assert len(state.requests) == 1 and read_manifest(tmp_path) == []


def test_a_corrupt_gzip_body_is_retried(upstream, tmp_path: Path) -> None:
    base, state = upstream
    state.inject("/public/v1/preview/", Fault("gzip_corrupt"))
    assert len(run(base, ONE, tmp_path)) == 1 and len(state.requests) == 2


@pytest.mark.parametrize("kind", ["echo_400", "echo_html"])
def test_a_key_echoed_in_the_answer_is_redacted(kind, upstream, tmp_path: Path, caplog) -> None:
    base, state = upstream
    caplog.set_level(logging.DEBUG)
    state.inject("/data/v1/get/", Fault(kind))
    with pytest.raises(UpstreamError) as err:
        run(base, ONE, tmp_path, key=KEY)
    assert "[redacted]" in str(err.value) and KEY not in str(err.value) and KEY not in caplog.text


@pytest.mark.prefect
def test_nightly_pulls_both_reporters_and_mirror_flows_compares_them(
    env: Path, monkeypatch, prefect_server
) -> None:
    today = dt.date(2026, 3, 10)  # the demo has published through January 2026
    with serve(DemoUpstream(today=today)) as (url, _):
        for name, value in {
            "UPSTREAM": "live",
            "CENSUS_API__BASE_URL": url,
            "REVISION_WINDOW_YEARS": "0",
            "COMTRADE__ENABLED": "true",
            "COMTRADE__BASE_URL": url.removesuffix("/data"),
            "COMTRADE__FREQUENCIES": '["M"]',
        }.items():
            monkeypatch.setenv(f"ENTREPOT_{name}", value)
        summary = nightly(today=today)
        again = nightly(today=today)
    assert summary.result.rows_quarantined == 0 and again.payloads_new == 0
    with duckdb.connect(str(env / "wh.duckdb"), read_only=True) as con:
        rows = con.sql(
            """SELECT exporter_id, exporter_source, exporter_value_basis, exporter_reported_usd,
                      importer_source, importer_value_basis, importer_reported_usd, ratio
               FROM marts.mirror_flows WHERE year = 2026 AND product_level = 0 ORDER BY ALL"""
        ).fetchall()
    usa_x = gen.month_value("842", "410", "X", 2026, 1)
    kor_m = int(gen.month_value("410", "842", "M", 2026, 1) * gen.CIF_MARKUP)
    kor_x = gen.month_value("410", "842", "X", 2026, 1)
    usa_m = int(gen.month_value("842", "410", "M", 2026, 1) * gen.CIF_MARKUP)
    assert [(e, xs, xb, float(xv), ms, mb, float(mv)) for e, xs, xb, xv, ms, mb, mv, _ in rows] == [
        ("KOR", "comtrade", "FOB", kor_x, "comtrade", "CIF", usa_m),
        ("USA", "comtrade", "FOB", usa_x, "comtrade", "CIF", kor_m),
    ]
    assert rows[1][7] == pytest.approx(kor_m / usa_x)
