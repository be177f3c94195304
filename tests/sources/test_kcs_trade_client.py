"""The Korea Customs Service client against the demo upstream on 127.0.0.1, with injected faults."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import xml.etree.ElementTree as ET

import httpx
import pytest

from flows.demo.server import KCS_PREFIX, DemoUpstream, Fault, serve
from flows.sources import kcs_trade
from flows.sources.http import RetryPolicy, UpstreamError
from flows.sources.landing import read_manifest
from schemas.raw.kcs_trade import KcsTradeRaw
from schemas.validation import split_valid
from tests.reliability import tally

FAST = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=2.0)
KEY = "kcs-sekret+key/0123456789=="
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def kcs():
    """(service URL, state) of the demo upstream's KCS endpoint."""
    with serve(DemoUpstream(today=TODAY)) as (url, state):
        yield url.removesuffix("/data") + KCS_PREFIX.rstrip("/"), state


def fetch(url: str, tmp_path, *, key: str | None = None, rows: int = 1000, code: str = "85",
          first: str = "2026-01", last: str = "2026-12", partner: str | None = "US", policy: RetryPolicy = FAST):
    request = kcs_trade.KcsRequest(partner, first, last, code, num_of_rows=rows)
    with httpx.Client(timeout=5.0) as client:
        return kcs_trade.fetch(client, base_url=url, api_key=key, request=request, landing_dir=tmp_path,
                               policy=policy)


def test_lands_the_response_untouched_and_reads_it(kcs, tmp_path) -> None:
    url, _ = kcs
    [payload] = fetch(url, tmp_path)
    body = payload.path(tmp_path).read_bytes()
    assert hashlib.sha256(body).hexdigest() == payload.file_hash and payload.landed_path.endswith(".xml")
    root = ET.fromstring(body)
    assert root.findtext("header/resultCode") == "00"
    assert payload.rows == 11 == int(root.findtext("body/totalCount"))  # the total row + 2026-01..10
    frame = kcs_trade.read_payload(payload.path(tmp_path))
    assert frame.get_column("year").to_list()[:2] == ["총계", "2026.01"]
    assert set(frame.get_column("statCd").to_list()) == {"-", "US"}
    validated = split_valid(frame, KcsTradeRaw, "kcs")
    assert validated.rejects.height == 0 and validated.valid.height == 11
    assert "strtYymm=202601&endYymm=202612&hsSgn=85&cntyCd=US" in read_manifest(tmp_path)[-1]["request"]


def test_pages_until_total_count(kcs, tmp_path) -> None:
    url, _ = kcs
    pages = fetch(url, tmp_path, rows=4, partner=None)  # 5 partners x 10 months + the total row = 51 items
    assert [p.rows for p in pages] == [4] * 12 + [3]
    assert [p.request.rsplit("pageNo=", 1)[1] for p in pages] == [str(i) for i in range(1, 14)]
    years = [y for p in pages for y in kcs_trade.read_payload(p.path(tmp_path)).get_column("year").to_list()]
    assert len(years) == 51 and years.count("총계") == 1


def test_no_data_lands_nothing(kcs, tmp_path) -> None:
    url, _ = kcs
    assert fetch(url, tmp_path, code="77") == []
    assert fetch(url, tmp_path, first="2026-11", last="2026-12") == []  # not published yet
    assert read_manifest(tmp_path) == []


@pytest.mark.parametrize(
    "faults",
    [[Fault("429", retry_after="0")], [Fault("500"), Fault("503")], [Fault("truncate")], [Fault("reset")]],
    ids=["429", "5xx", "truncated-xml", "reset"],
)
def test_transient_faults_are_retried(kcs, tmp_path, faults) -> None:
    url, state = kcs
    state.inject("nitemtrade", *faults)
    [payload] = fetch(url, tmp_path)
    ET.fromstring(payload.path(tmp_path).read_bytes())  # what landed is the whole document
    assert len(state.requests) == len(faults) + 1
    tally.fault_kinds.update(f"kcs_trade {f.kind}" for f in faults)


def test_error_envelope_with_status_200_is_a_clear_error(kcs, tmp_path) -> None:
    url, state = kcs
    state.inject("nitemtrade", Fault("envelope"))
    with pytest.raises(UpstreamError) as err:
        fetch(url, tmp_path)
    message = str(err.value)
    assert message.startswith("kcs_trade: the API answered resultCode '22'")
    assert "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR" in message
    assert "getNitemtradeList?strtYymm=202601&endYymm=202612&hsSgn=85" in message
    assert len(state.requests) == 1  # not retried
    assert read_manifest(tmp_path) == []
    tally.fault_kinds.add("kcs_trade envelope")


def test_wrong_key_names_the_gateway_error_and_never_the_key(kcs, tmp_path, caplog) -> None:
    url, state = kcs
    caplog.set_level(logging.DEBUG)
    state.kcs_key = "the-right-key"
    with pytest.raises(UpstreamError) as err:
        fetch(url, tmp_path, key=KEY)
    assert "SERVICE_KEY_IS_NOT_REGISTERED_ERROR" in str(err.value) and "'30'" in str(err.value)
    found = sum(KEY in text for text in (str(err.value), caplog.text))
    tally.counts["secrets found"] += found
    assert found == 0


def test_key_is_sent_but_never_recorded(kcs, tmp_path, caplog) -> None:
    url, state = kcs
    caplog.set_level(logging.DEBUG)
    state.kcs_key = KEY
    state.inject("nitemtrade", Fault("500"))
    [payload] = fetch(url, tmp_path, key=KEY)
    assert any("serviceKey=" in r for r in state.requests)  # sent...
    recorded = [p.read_bytes().decode("utf-8", "replace") for p in tmp_path.rglob("*") if p.is_file()]
    found = sum(KEY in text for text in [*recorded, caplog.text, payload.request])
    tally.counts["secrets found"] += found
    assert found == 0  # ...never written down


def test_the_previous_month_is_revised_mid_month(tmp_path) -> None:
    def value(today: dt.date) -> str:
        with serve(DemoUpstream(today=today)) as (url, _):
            base = url.removesuffix("/data") + KCS_PREFIX.rstrip("/")
            [payload] = fetch(base, tmp_path / str(today), first="2026-10", last="2026-10")
        return kcs_trade.read_payload(payload.path(tmp_path / str(today))).get_column("impDlr")[1]

    provisional, revised, later = value(dt.date(2026, 11, 10)), value(dt.date(2026, 11, 20)), value(TODAY)
    assert provisional != revised == later
    assert int(provisional) < int(revised)


def test_month_ranges_are_calendar_years() -> None:
    months = ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert kcs_trade.month_ranges(months) == [("2025-11", "2025-12"), ("2026-01", "2026-02")]
    assert kcs_trade.month_ranges([]) == []
