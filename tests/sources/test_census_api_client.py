"""The Census API client against the local demo server, with injected faults."""

from __future__ import annotations

import email.utils
import json
import logging
import os
import pickle
import re
import signal
import threading
import time
import traceback

import httpx
import pytest

from flows.demo.server import DemoUpstream, Fault, serve
from flows.sources import census_api
from flows.sources.files import UnreadableFileError
from flows.sources.http import RetryPolicy, UpstreamError, redact, retry_after_seconds
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


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[["CTY_CODE","time"],{"CTY_CODE":"5800","time":"2024-01"}]', "not a JSON array of arrays"),
        ('[["CTY_CODE","time"],"5800"]', "not a JSON array of arrays"),
        ('[["CTY_CODE","time"],["5800","2024-01"]', "not a JSON array of arrays"),
        ('{"CTY_CODE":"5800"}', "not a JSON array of arrays"),
        ('[["CTY_CODE","time"]][["5800","2024-01"]]', "not a JSON array of arrays"),
        ('[["CTY_CODE","time"],["5800"]]', "1 rows do not have the header's 2 fields"),
        ("[]", "no header row"),
    ],
    ids=["object-row", "string-row", "truncated", "object", "two-arrays", "ragged", "empty"],
)
def test_read_payload_refuses_what_is_not_an_array_of_arrays(text: str, problem: str, tmp_path) -> None:
    path = tmp_path / "p.json"
    path.write_text(text)
    with pytest.raises(UnreadableFileError, match=re.escape(problem)):
        census_api.read_payload(path)


def test_read_payload_keeps_cells_as_their_text(tmp_path) -> None:
    path = tmp_path / "p.json"
    path.write_text('[["CTY_CODE","ALL_VAL_MO","time"],[5800, "12", null],["5800", " 7", "2024-01"]]')
    frame = census_api.read_payload(path)
    assert frame.rows() == [("5800", "12", None, 1), ("5800", " 7", "2024-01", 2)]


def failing_fetch(state: DemoUpstream, tmp_path, policy: RetryPolicy = FAST, key: str | None = None) -> UpstreamError:
    """The UpstreamError a fetch of 2024-03 exports ends in; nothing may have landed."""
    with serve(state) as (url, _), pytest.raises(UpstreamError) as err:
        fetch(url, tmp_path, key=key, policy=policy)
    message = str(err.value)
    assert message.startswith("census_api: ") and "exports/hs" in message and "time=2024-03" in message
    assert not list(tmp_path.rglob("*.json")), "nothing landed"
    return err.value


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        (Fault("redirect"), r"redirected \(HTTP 302\) to 'https://api.census.gov/data/missing_key.html'"),
        (Fault("empty200"), r"HTTP 200 with an empty body \(the documented 'no data' answer is HTTP 204\)"),
        (Fault("status", status=206), r"unexpected HTTP 206"),
        (Fault("status", status=299), r"unexpected HTTP 299"),
        (Fault("status", status=304), r"unexpected HTTP 304"),
    ],
    ids=["redirect", "empty-200", "206", "299", "304"],
)
def test_only_204_means_not_published_anything_else_is_an_error(fault, problem, tmp_path) -> None:
    state = DemoUpstream()
    state.inject("exports", fault)
    err = failing_fetch(state, tmp_path)
    assert re.search(problem, err.problem)
    assert len(state.requests) == 1, "not retried, and a redirect is not followed"


def test_204_is_the_only_not_published_answer(tmp_path) -> None:
    state = DemoUpstream()
    state.inject("exports", Fault("empty"))
    with serve(state) as (url, _):
        assert fetch(url, tmp_path) is None


@pytest.mark.parametrize("kind", ["gzip_corrupt", "chunked_cut", "garbage"])
def test_broken_bodies_are_retried_then_load(kind, tmp_path) -> None:
    state = DemoUpstream()
    state.inject("exports", Fault(kind))
    with serve(state) as (url, _):
        payload = fetch(url, tmp_path)
    assert payload is not None and payload.rows > 0 and len(state.requests) == 2


def test_a_body_corrupt_every_time_ends_in_a_clear_error(tmp_path) -> None:
    state = DemoUpstream()
    state.inject("exports", *[Fault("gzip_corrupt")] * 4)
    err = failing_fetch(state, tmp_path)
    assert err.problem.startswith("gave up after 4 attempts, last: corrupt compressed body")


@pytest.mark.parametrize("kind", ["drip", "drip_headers"])
def test_a_dripping_server_fails_within_the_total_deadline(kind, tmp_path) -> None:
    state = DemoUpstream()
    state.inject("exports", *[Fault(kind, delay_s=0.05)] * 2)
    policy = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.01, deadline_s=1.0)
    started = time.monotonic()
    err = failing_fetch(state, tmp_path, policy=policy)
    elapsed = time.monotonic() - started
    assert err.problem == "gave up after 2 attempts, last: no complete answer within the total deadline of 1 s"
    assert 2.0 <= elapsed < 3.5, f"two attempts of 1 s each took {elapsed:.1f} s"


def test_a_drip_then_a_normal_answer_loads(tmp_path) -> None:
    state = DemoUpstream()
    state.inject("exports", Fault("drip", delay_s=0.05))
    policy = RetryPolicy(max_attempts=2, base_delay_s=0.01, deadline_s=1.0)
    with serve(state) as (url, _):
        payload = fetch(url, tmp_path, policy=policy)
    assert payload is not None and payload.rows > 0 and len(state.requests) == 2


def interrupt_soon(after_s: float) -> threading.Timer:
    timer = threading.Timer(after_s, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.mark.parametrize("fault", [Fault("503", retry_after="30"), Fault("drip", delay_s=0.5)], ids=["sleep", "read"])
def test_an_interrupt_ends_a_retry_sleep_or_a_slow_read_at_once(fault, tmp_path) -> None:
    state = DemoUpstream()
    state.inject("exports", fault)
    policy = RetryPolicy(max_attempts=3, max_delay_s=60)
    with serve(state) as (url, _):
        started = time.monotonic()
        timer = interrupt_soon(0.5)
        try:
            with pytest.raises(KeyboardInterrupt):
                fetch(url, tmp_path, policy=policy)
        finally:
            timer.cancel()
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "fault",
    [Fault("echo_400"), Fault("echo_html"), Fault("redirect", echo_key=True)],
    ids=["400-body", "html-title", "redirect-location"],
)
def test_a_key_echoed_by_the_upstream_is_redacted(fault, tmp_path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    state = DemoUpstream()
    state.inject("exports", fault)
    err = failing_fetch(state, tmp_path, key=KEY)
    assert "[redacted]" in str(err) and KEY not in str(err)
    assert KEY not in "".join(traceback.format_exception(err))
    logging.getLogger("prefect.task_runs").error("upstream said: %s", err.problem + KEY)  # any logger
    assert "upstream said" in caplog.text and KEY not in caplog.text
    assert KEY not in str(pickle.loads(pickle.dumps(err))) and pickle.loads(pickle.dumps(err)).args == err.args


def test_retry_after_reads_seconds_dates_and_ignores_nonsense() -> None:
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    hint = retry_after_seconds(httpx.Response(503, headers={"Retry-After": soon}))
    assert hint is not None and 25 < hint <= 30
    assert retry_after_seconds(httpx.Response(503, headers={"Retry-After": "2"})) == 2.0
    assert retry_after_seconds(httpx.Response(503, headers={"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Response(503, headers={"Retry-After": "Mon, 99 Foo 2026"})) is None
