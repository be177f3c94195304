"""The Census API client against the local demo server, with injected faults."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from flows.demo.server import DemoUpstream, Fault, serve
from flows.sources import census_api
from flows.sources.http import RetryPolicy, UpstreamError, redact
from flows.sources.landing import read_manifest
from schemas.raw.census_api import CensusApiExportsRaw
from schemas.validation import PayloadSchemaError, split_valid

FAST = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=2.0)
KEY = "sekret-key-0123456789"


def fetch(url: str, tmp_path, month: str = "2024-03", direction: str = "export", key: str | None = None,
          policy: RetryPolicy = FAST, timeout: float = 5.0):
    with httpx.Client(timeout=timeout) as client:
        return census_api.fetch_month(
            client,
            base_url=url,
            api_key=key,
            request=census_api.CensusRequest(direction, month, "HS2"),
            landing_dir=tmp_path,
            policy=policy,
        )


def test_lands_payload_untouched_with_manifest(demo_upstream, tmp_path) -> None:
    url, _ = demo_upstream
    payload = fetch(url, tmp_path)
    body = payload.path(tmp_path).read_bytes()
    data = json.loads(body)
    assert data[0][:3] == ["CTY_CODE", "CTY_NAME", "E_COMMODITY"]
    assert payload.rows == len(data) - 1 > 100
    import hashlib

    assert hashlib.sha256(body).hexdigest() == payload.file_hash
    assert payload.landed_path.endswith(f"{payload.file_hash}.json")
    manifest = read_manifest(tmp_path)
    assert manifest[-1]["file_hash"] == payload.file_hash and manifest[-1]["rows"] == payload.rows
    assert "time=2024-03" in manifest[-1]["request"]


def test_unpublished_month_is_none(demo_upstream, tmp_path) -> None:
    url, _ = demo_upstream
    assert fetch(url, tmp_path, month="2026-10") is None  # the demo server's today is 2026-11-23


@pytest.mark.parametrize(
    "faults",
    [
        [Fault("429", retry_after="1")],
        [Fault("500"), Fault("503")],
        [Fault("truncate")],
        [Fault("reset")],
        [Fault("timeout", delay_s=1.5)],
    ],
    ids=["429-retry-after", "500-then-503", "truncated-body", "connection-reset", "timeout"],
)
def test_transient_faults_are_retried(faults, tmp_path) -> None:
    state = DemoUpstream()
    state.inject("exports", *faults)
    with serve(state) as (url, _):
        payload = fetch(url, tmp_path, timeout=1.0)
    assert payload is not None and payload.rows > 0
    assert len(state.requests) == len(faults) + 1


def test_retry_after_is_honoured(tmp_path) -> None:
    import time

    state = DemoUpstream()
    state.inject("exports", Fault("429", retry_after="1"))
    with serve(state) as (url, _):
        started = time.monotonic()
        fetch(url, tmp_path)
    assert time.monotonic() - started >= 1.0


def test_gives_up_with_clear_error_naming_source_and_request(tmp_path) -> None:
    state = DemoUpstream()
    state.inject("exports", *[Fault("500")] * 10)
    with serve(state) as (url, _), pytest.raises(UpstreamError) as err:
        fetch(url, tmp_path, key=KEY)
    message = str(err.value)
    assert message.startswith("census_api: gave up after 4 attempts, last: HTTP 500")
    assert "time=2024-03" in message and "exports/hs" in message
    assert KEY not in message and "key=" not in message
    assert not list(tmp_path.rglob("*.json"))  # nothing landed


def test_html_page_with_status_200_is_an_error_not_data(tmp_path) -> None:
    state = DemoUpstream(api_key="the-right-key")
    with serve(state) as (url, _), pytest.raises(UpstreamError) as err:
        fetch(url, tmp_path, key=KEY)
    assert "HTML page instead of data" in str(err.value)
    assert KEY not in str(err.value)
    assert len(state.requests) == 1  # not retried: retrying cannot fix a key


def test_key_sent_but_never_recorded(tmp_path, caplog) -> None:
    state = DemoUpstream(api_key=KEY)
    caplog.set_level(logging.DEBUG)
    with serve(state) as (url, _):
        payload = fetch(url, tmp_path, key=KEY)
    assert payload is not None
    assert f"key={KEY}" in state.requests[0]
    written = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    assert KEY not in written
    assert KEY not in caplog.text


def test_renamed_column_fails_validation_naming_the_column(tmp_path) -> None:
    state = DemoUpstream()
    state.inject("exports", Fault("rename"))
    with serve(state) as (url, _):
        payload = fetch(url, tmp_path)
    raw = census_api.read_payload(payload.path(tmp_path))
    with pytest.raises(PayloadSchemaError, match="missing column 'CTY_CODE'"):
        split_valid(raw, CensusApiExportsRaw, payload.request)


def test_redact_drops_secret_parameters() -> None:
    shown = redact("http://h/x", {"get": "A,B", "key": "k", "time": "2024-01"}, ["key"])
    assert shown == "http://h/x?get=A,B&time=2024-01"


def test_read_payload_drops_repeated_predicate_columns(tmp_path) -> None:
    body = [["CTY_CODE", "ALL_VAL_MO", "CTY_CODE", "time"], ["5800", "12", "5800", "2024-01"]]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(body))
    frame = census_api.read_payload(path)
    assert frame.columns == ["CTY_CODE", "ALL_VAL_MO", "time", "source_row"]
    assert frame.row(0) == ("5800", "12", "2024-01", 1)
