"""Upstream faults through the nightly flow, from the fault-injecting local server: each ends in a
successful retry, or a clear error naming the source and the request with the warehouse unchanged
and every payload already fetched kept in landing. (The HTTP client's own retry behaviour is
tested in tests/sources/test_census_api_client.py.)"""

from __future__ import annotations

import datetime as dt
import email.utils
import shutil
import time
from pathlib import Path

import httpx
import pytest

from flows.demo.server import DemoUpstream, Fault, serve
from flows.nightly import nightly
from flows.sources import census_api
from flows.sources.http import RetryPolicy, UpstreamError
from flows.sources.landing import read_manifest
from tests.helpers import snapshot
from tests.reliability import tally

TODAY = dt.date(2026, 11, 23)  # the demo publishes through 2026-09
EARLIER = dt.date(2026, 10, 15)  # ... and then through 2026-08


@pytest.fixture
def live_env(live_env, monkeypatch):
    """The shared live settings, with a 1 s client timeout for the timeout fault and a 1 s total
    deadline per attempt for the slow drip."""
    monkeypatch.setenv("ENTREPOT_CENSUS_API__TIMEOUT_S", "1")
    monkeypatch.setenv("ENTREPOT_CENSUS_API__REQUEST_DEADLINE_S", "1")
    return live_env


@pytest.fixture(scope="module")
def loaded_through_august(tmp_path_factory, prefect_server) -> Path:
    """A warehouse and landing directory after a night that loaded 2026-06..2026-08."""
    root = tmp_path_factory.mktemp("august")
    mp = pytest.MonkeyPatch()
    for name, value in {
        "ENTREPOT_UPSTREAM": "live", "ENTREPOT_CENSUS_API__START_MONTH": "2026-06",
        "ENTREPOT_REVISION_WINDOW_YEARS": "0", "ENTREPOT_LANDING_DIR": str(root / "landing"),
    }.items():
        mp.setenv(name, value)
    try:
        with serve(DemoUpstream(today=EARLIER)) as (url, _):
            mp.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
            nightly(warehouse_path=str(root / "wh.duckdb"), today=EARLIER)
    finally:
        mp.undo()
    return root


def start_from(root: Path, env: Path) -> None:
    shutil.copyfile(root / "wh.duckdb", env / "wh.duckdb")
    shutil.copytree(root / "landing", env / "landing")


def landing_intact(landing: Path) -> int:
    """Every payload the manifest lists is on disk; returns how many the manifest lists."""
    records = read_manifest(landing)
    assert all((landing / str(r["landed_path"])).is_file() for r in records)
    return len(records)


def test_transient_faults_are_retried_and_everything_loads(live_env, prefect_server, monkeypatch) -> None:
    monkeypatch.setenv("ENTREPOT_CENSUS_API__MAX_ATTEMPTS", "5")
    state = DemoUpstream(today=TODAY)
    state.inject("exports", Fault("429", retry_after="0"), Fault("500"), Fault("503"), Fault("gzip_corrupt"))
    state.inject("imports", Fault("timeout", delay_s=1.5), Fault("reset"), Fault("truncate"), Fault("drip", delay_s=0.05))
    with serve(state) as (url, _):
        monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
        summary = nightly(today=TODAY)
    tally.fault_kinds.update(["429", "500", "503", "timeout", "reset", "truncate", "corrupt gzip", "slow drip"])
    assert summary.payloads_fetched == 8 and summary.result.rows_quarantined == 0
    assert summary.result.rows_in == summary.result.rows_loaded > 0
    assert not any(state.faults[k] for k in state.faults)  # every injected fault was met and retried


ERRORS = [
    ("html", [Fault("html")], "census_api: got an HTML page instead of data"),
    ("503", [Fault("503")] * 10, "census_api: gave up after 3 attempts, last: HTTP 503"),
    ("rename", [Fault("rename")], "census_api timeseries/intltrade/exports/hs.*: missing column 'CTY_CODE'"),
    ("missing", [Fault("missing")], "census_api timeseries/intltrade/exports/hs.*: missing column 'ALL_VAL_MO'"),
    ("types", [Fault("types")], "census_api timeseries/intltrade/exports/hs.*rows failed validation"),
    ("empty", [Fault("empty")], r"census_api: empty result \(HTTP 204\) for 2026-06, a month already published and loaded"),
    ("redirect", [Fault("redirect")], r"census_api: redirected \(HTTP 302\) to '\S+missing_key.html'; redirects are not"),
    ("empty 200", [Fault("empty200")], r"census_api: HTTP 200 with an empty body"),
    ("slow drip", [Fault("drip", delay_s=0.05)] * 3,
     r"census_api: gave up after 3 attempts, last: no complete answer within the total deadline of 1 s"),
]


@pytest.mark.parametrize(("kind", "faults", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_permanent_fault_fails_clearly_and_changes_nothing(
    kind, faults, message, loaded_through_august, live_env, prefect_server, monkeypatch
) -> None:
    start_from(loaded_through_august, live_env)
    before = snapshot(live_env / "wh.duckdb")
    listed_before = landing_intact(live_env / "landing")
    state = DemoUpstream(today=TODAY)
    state.inject("exports", *faults)
    with serve(state) as (url, _), pytest.raises(Exception, match=message) as err:
        monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
        nightly(today=TODAY)
    tally.fault_kinds.add(kind)
    assert "time=2026-" in str(err.value), "the error names the request"
    assert snapshot(live_env / "wh.duckdb") == before
    assert landing_intact(live_env / "landing") >= listed_before


def test_empty_month_before_a_published_one_is_an_error_on_a_new_warehouse(live_env, prefect_server, monkeypatch) -> None:
    state = DemoUpstream(today=TODAY)
    state.inject("imports", Fault("empty"))
    with serve(state) as (url, _), pytest.raises(Exception, match=(
        r"census_api: empty result \(HTTP 204\) for 2026-06, although the later month 2026-07 has data "
        r"\(request: timeseries/intltrade/imports/hs\?get=.*&time=2026-06\)"
    )):
        monkeypatch.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
        nightly(today=TODAY)
    assert landing_intact(live_env / "landing") >= 5  # the exports and the imports fetched stay in landing


SOON = email.utils.formatdate(time.time() + 1, usegmt=True)  # a Retry-After date about a second ahead
FAST = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=2.0, deadline_s=1.0)
CLIENT_FAULTS = [  # (kind, faults on the exports endpoint, None: retried and loaded | the error expected)
    ("unknown status", [Fault("status", status=206)], r"unexpected HTTP 206"),
    ("not modified", [Fault("status", status=304)], r"unexpected HTTP 304"),
    ("corrupt gzip", [Fault("gzip_corrupt")] * 3, r"gave up after 3 attempts, last: corrupt compressed body"),
    ("slow headers", [Fault("drip_headers", delay_s=0.05)] * 3, r"last: no complete answer within the total deadline"),
    ("chunked cut", [Fault("chunked_cut")], None),
    ("not json", [Fault("garbage")], None),
    ("retry-after date", [Fault("503", retry_after=SOON)], None),
    ("bad retry-after", [Fault("503", retry_after="when we feel like it")], None),
    ("429 then 200", [Fault("429")], None),
]


@pytest.mark.parametrize(("kind", "faults", "problem"), CLIENT_FAULTS, ids=[f[0] for f in CLIENT_FAULTS])
def test_fault_at_the_client_is_retried_or_fails_clearly(kind, faults, problem, tmp_path) -> None:
    """The HTTP side alone (no flow run: faster): a retry that loads, or a clear error naming the
    source and the request with nothing landed."""
    state = DemoUpstream(today=TODAY)
    state.inject("exports", *faults)
    request = census_api.CensusRequest("export", "2026-08", "HS2")
    with serve(state) as (url, _), httpx.Client(timeout=5) as client:
        def fetch() -> list:
            return census_api.fetch_months(
                client, base_url=url, api_key=None, requests=[request], landing_dir=tmp_path, policy=FAST
            )
        if problem is None:
            assert len(fetch()) == 1 and len(state.requests) == len(faults) + 1
        else:
            with pytest.raises(UpstreamError, match=problem) as err:
                fetch()
            assert str(err.value).startswith("census_api: ") and "time=2026-08" in str(err.value)
            assert read_manifest(tmp_path) == []
    tally.fault_kinds.add(kind)
