"""Upstream payloads that are wrong in content, served by a real HTTP server on 127.0.0.1: a Census
API response that repeats a header name (copies with different numbers) is refused naming the
source and request, the warehouse unchanged; one with a decimal comma quarantines that row and
loads the rest, never reading 71469488662,5 as 714,694,886,625. The plain fetch, land, read,
validate, conform and load steps of the nightly run are used, no Prefect flow."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import httpx
import pytest

from flows.demo.census_generator import response_rows
from flows.pipeline import load_processed, process_payload, read_crosswalk
from flows.registry import census_api_kind
from flows.sources.census_api import CensusRequest, fetch_month
from flows.sources.files import UnreadableFileError
from flows.sources.http import RetryPolicy
from tests.helpers import snapshot
from tests.reliability import tally
from warehouse.connection import warehouse
from warehouse.migrate import migrate

REQUEST = CensusRequest("export", "2024-03", "HS2")


@contextmanager
def upstream(body: bytes) -> Iterator[str]:
    """A local server answering every GET with ``body`` (HTTP 200, JSON)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def night(base_url: str, wh: Path, landing: Path) -> None:
    """Fetch the month, land it, load it."""
    with httpx.Client(timeout=10) as client:
        payload = fetch_month(client, base_url=base_url, api_key=None, request=REQUEST, landing_dir=landing,
                              policy=RetryPolicy(max_attempts=2, base_delay_s=0.01))
    assert payload is not None
    with warehouse(wh) as con:
        processed = process_payload(payload, census_api_kind("export"), landing, read_crosswalk(con))
        load_processed(con, [processed], run_id=str(uuid.uuid4()), flow_name="test",
                       started_at=dt.datetime.now(dt.UTC), max_reject_share=0.05)


@pytest.fixture
def wh(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with warehouse(path) as con:
        migrate(con)
    return path


def test_a_repeated_header_name_refuses_the_payload_naming_source_and_request(wh: Path, tmp_path: Path) -> None:
    header, *rows = response_rows("export", REQUEST.month, REQUEST.hs_level)
    value = header.index("ALL_VAL_MO")
    body = json.dumps([[*header, "ALL_VAL_MO"], *([*r, str(int(r[value]) + 1)] for r in rows)]).encode()
    before = snapshot(wh)
    with upstream(body) as url, pytest.raises(UnreadableFileError) as err:
        night(url, wh, tmp_path / "landing")
    tally.fault_kinds.add("repeated header")
    message = str(err.value)
    assert message.startswith(f"census_api {REQUEST.landing_request()}: ")
    assert "'ALL_VAL_MO' appears more than once" in message and "\n" not in message
    assert snapshot(wh) == before


def test_a_decimal_comma_is_quarantined_never_read_as_another_number(wh: Path, tmp_path: Path) -> None:
    header, *rows = response_rows("export", REQUEST.month, REQUEST.hs_level)
    value = header.index("ALL_VAL_MO")
    rows[3][value] = "71469488662,5"
    with upstream(json.dumps([header, *rows]).encode()) as url:
        night(url, wh, tmp_path / "landing")
    tally.fault_kinds.add("decimal comma")
    with duckdb.connect(str(wh), read_only=True) as con:
        quarantined = con.sql("SELECT row_number, field, value, reason FROM meta.quarantine").fetchall()
        facts = con.sql("SELECT count(*), count(*) FILTER (value_usd = 714694886625) FROM core.fact_trade").fetchall()
    assert quarantined == [(4, "ALL_VAL_MO", "71469488662,5",
                            "ALL_VAL_MO: decimal comma: the decimal separator is a point here, the value is not "
                            "reinterpreted")]
    wrong = facts[0][1]
    tally.counts["wrong values"] += wrong
    tally.counts["rows lost"] += len(rows) - facts[0][0] - len(quarantined)
    assert facts == [(len(rows) - 1, 0)]
