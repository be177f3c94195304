"""A local HTTP server speaking the upstream APIs' formats, on 127.0.0.1, with fault injection.

Used by the embedded demo (``upstream = "demo"``) and by the tests. Faults are queued per path
fragment and consumed one request at a time, so a test can say "the next two calls to the exports
endpoint get 429, then one truncated body".
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from flows.demo import census_generator, comtrade_generator, kcs_generator

CENSUS_PREFIX = "/data/timeseries/intltrade/"
COMTRADE_PREFIXES = {"/data/v1/get/": "keyed", "/public/v1/preview/": "preview"}
KCS_PREFIX = "/1220000/nitemtrade/"
KCS_LIMIT_ENVELOPE = kcs_generator.response_body(("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"), [], 0, 0, 0)
COMTRADE_KEY_HEADER = "Ocp-Apim-Subscription-Key"
DIRECTIONS = {"exports": "export", "imports": "import"}
PUBLICATION_LAG_MONTHS = 2
MISSING_KEY_PAGE = (
    b"<!DOCTYPE html><html><head><title>Missing Key</title></head>"
    b"<body><h1>Invalid Key</h1><p>A valid <em>key</em> must be included with each data API request.</p>"
    b"</body></html>"
)


@dataclass
class Fault:
    """One injected failure. ``kind`` is one of:

    - 429, 500, 503 (with ``retry_after``, seconds or an HTTP date), rate_limit (Comtrade's 429),
      timeout (answer after ``delay_s``), reset (connection dropped), truncate (half the body);
    - html (the missing-key page with 200), echo_html (the same, the key in its title), echo_400
      (400 whose body repeats the request and the key), redirect (302 to the missing-key page; with
      ``echo_key`` the key is in the Location), empty200 (200, no body), status (``status`` with a
      short body: 206, 299, 304 ...), garbage (200, not JSON);
    - gzip_corrupt (Content-Encoding gzip, broken bytes), chunked_cut (chunked body cut before its
      last chunk), drip (the body one byte every ``delay_s``), drip_headers (the headers likewise);
    - rename, missing (a field left out), types (values of the wrong JSON type), empty (no data:
      HTTP 204 from Census, an empty result from Comtrade).
    """

    kind: str
    retry_after: str | None = None
    delay_s: float = 0.0
    status: int | None = None
    echo_key: bool = False


@dataclass
class DemoUpstream:
    """State of the demo upstream: the date it believes it is, the key it wants, queued faults."""

    today: dt.date = field(default_factory=dt.date.today)
    api_key: str | None = None
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    revisions: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    """Re-published values: (direction, month, CTY_CODE, commodity) -> the row's new headline value
    (ALL_VAL_MO for exports, GEN_VAL_MO for imports); only that cell changes."""
    comtrade_key: str | None = None
    """Subscription key the Comtrade ``/data/v1/get`` endpoint wants (None: any key is accepted)."""
    comtrade_caps: dict[str, int] = field(default_factory=lambda: {"preview": 500, "keyed": 250_000})
    kcs_key: str | None = None
    """serviceKey the KCS ``nitemtrade`` endpoint wants (None: any key, or none, is accepted)."""

    def inject(self, path_fragment: str, *faults: Fault) -> None:
        with self.lock:
            self.faults.setdefault(path_fragment, deque()).extend(faults)

    def next_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fragment, queue in self.faults.items():
                if fragment in path and queue:
                    return queue.popleft()
        return None

    def last_published_month(self) -> str:
        month_index = self.today.year * 12 + self.today.month - 1 - PUBLICATION_LAG_MONTHS
        return f"{month_index // 12}-{month_index % 12 + 1:02d}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json", headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        state = self.server.state
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with state.lock:
            state.requests.append(self.path)
        fault = state.next_fault(url.path)
        if fault and fault.kind == "timeout":
            time.sleep(fault.delay_s or 5.0)
            fault = None
        if fault and fault.kind in {"429", "500", "503"}:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._send(int(fault.kind), b'{"error": "injected"}', headers=headers)
            return
        if fault and fault.kind == "reset":
            self.connection.shutdown(2)
            self.close_connection = True
            return
        if fault and fault.kind == "rate_limit":  # Comtrade's (Azure API Management's) 429
            wait = fault.retry_after or "1"
            body = {"statusCode": 429, "message": f"Rate limit is exceeded. Try again in {wait} seconds."}
            self._send(429, json.dumps(body).encode())
            return
        if fault and self._answer_fault(fault, query):
            return
        if url.path.startswith(CENSUS_PREFIX):
            self._census(url.path[len(CENSUS_PREFIX):], query, fault)
            return
        if url.path == KCS_PREFIX + "getNitemtradeList":
            self._kcs(query, fault)
            return
        for prefix, access in COMTRADE_PREFIXES.items():
            if url.path.startswith(prefix):
                self._comtrade(url.path[len(prefix):], access, query, fault)
                return
        self._send(404, b'{"error": "unknown endpoint"}')

    def _answer_fault(self, fault: Fault, query: dict[str, str]) -> bool:
        """Answer a fault that replaces the whole response; False for the others."""
        key = query.get("key") or self.headers.get(COMTRADE_KEY_HEADER) or ""
        html = "text/html;charset=utf-8"
        if fault.kind == "html":
            self._send(200, MISSING_KEY_PAGE, html)
        elif fault.kind == "echo_html":
            page = f"<!DOCTYPE html><html><head><title>Invalid Key {key}</title></head><body>no</body></html>"
            self._send(200, page.encode(), html)
        elif fault.kind == "echo_400":
            self._send(400, f"error: key {key} is not valid for {self.path}".encode(), "text/plain")
        elif fault.kind == "redirect":
            location = "https://api.census.gov/data/missing_key.html" + (f"?key={key}" if fault.echo_key else "")
            self._send(302, b"", html, headers={"Location": location})  # no body: the worst case
        elif fault.kind == "empty200":
            self._send(200, b"")
        elif fault.kind == "status":
            status = fault.status or 299
            self._send(status, b"" if status in (204, 304) else b'[["partial"]]')
        elif fault.kind == "garbage":
            self._send(200, b"Service temporarily unavailable, please try again later")
        elif fault.kind == "gzip_corrupt":
            body = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"not a deflate stream " * 20
            self._send(200, body, headers={"Content-Encoding": "gzip"})
        elif fault.kind == "drip_headers":
            self._drip(b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 10_000, fault.delay_s or 1.0)
        else:
            return False
        return True

    def _drip(self, data: bytes, every_s: float) -> None:
        """Write ``data`` one byte every ``every_s`` seconds, until done or the client hangs up."""
        self.close_connection = True
        try:
            for i in range(len(data)):
                self.wfile.write(data[i : i + 1])
                time.sleep(every_s)
        except OSError:
            pass

    def _deliver(self, body: bytes, fault: Fault | None) -> None:
        """Send a 200 data body, or break it as the fault says (truncate, chunked_cut, drip)."""
        kind = fault.kind if fault else None
        if kind not in {"truncate", "chunked_cut", "drip"}:
            self._send(200, body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if kind == "chunked_cut":
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.close_connection = True
        if kind == "truncate":
            self.wfile.write(body[: len(body) // 2])
        elif kind == "chunked_cut":
            half = body[: len(body) // 2]
            self.wfile.write(f"{len(half):x}\r\n".encode() + half + b"\r\n")  # no last chunk
        else:
            self._drip(body, fault.delay_s or 1.0)

    def _census(self, endpoint: str, query: dict[str, str], fault: Fault | None) -> None:
        state = self.server.state
        parts = endpoint.strip("/").split("/")
        if len(parts) != 2 or parts[0] not in DIRECTIONS or parts[1] != "hs":
            self._send(404, b"error: unknown/unsupported geography heirarchy", "text/plain")
            return
        if state.api_key is not None and query.get("key") != state.api_key:
            self._send(200, MISSING_KEY_PAGE, "text/html;charset=utf-8")
            return
        month = query.get("time", "")
        level = query.get("COMM_LVL", "HS2")
        if (fault and fault.kind == "empty") or not month or month > state.last_published_month():
            self._send(204, b"")
            return
        rows = census_generator.response_rows(DIRECTIONS[parts[0]], month, level)
        self._revise(rows, DIRECTIONS[parts[0]], month)
        if fault and fault.kind == "rename":
            rows[0] = [name.replace("CTY_CODE", "COUNTRY_CODE") for name in rows[0]]
        if fault and fault.kind in {"missing", "types"}:
            value = rows[0].index("ALL_VAL_MO" if parts[0] == "exports" else "GEN_VAL_MO")
            if fault.kind == "missing":  # the headline value field left out of the response
                rows = [r[:value] + r[value + 1:] for r in rows]
            else:  # every value an object instead of a string
                rows = [rows[0], *([*r[:value], {"value": r[value]}, *r[value + 1:]] for r in rows[1:])]
        self._deliver(census_generator.encode(rows), fault)


    def _revise(self, rows: list[list[str]], direction: str, month: str) -> None:
        """Apply the state's re-published values to a generated response, in place."""
        header = rows[0]
        commodity = header.index("E_COMMODITY" if direction == "export" else "I_COMMODITY")
        value = header.index("ALL_VAL_MO" if direction == "export" else "GEN_VAL_MO")
        country = header.index("CTY_CODE")
        with self.server.state.lock:
            revisions = dict(self.server.state.revisions)
        for row in rows[1:]:
            new = revisions.get((direction, month, row[country], row[commodity]))
            if new is not None:
                row[value] = str(new)


    def _comtrade(self, endpoint: str, access: str, query: dict[str, str], fault: Fault | None) -> None:
        """Comtrade v1: ``{typeCode}/{freqCode}/{clCode}``; records capped at 500 (preview) or 250k (keyed)."""
        state = self.server.state
        parts = endpoint.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "C" or parts[1] not in ("A", "M") or parts[2] != "HS":
            self._send(404, b'{"statusCode": 404, "message": "Resource not found"}')
            return
        key = self.headers.get(COMTRADE_KEY_HEADER)
        if access == "keyed" and (not key or (state.comtrade_key is not None and key != state.comtrade_key)):
            message = "Access denied due to invalid subscription key. Make sure to provide a valid key."
            self._send(401, json.dumps({"statusCode": 401, "message": message}).encode())
            return
        last = state.last_published_month()
        data = [] if fault and fault.kind == "empty" else comtrade_generator.records(
            parts[1], query, (int(last[:4]), int(last[5:]))
        )
        body = comtrade_generator.response_body(data[: state.comtrade_caps[access]])
        if fault and fault.kind == "truncate":  # a complete response whose JSON is cut short
            self._send(200, body[: len(body) // 2])
            return
        self._deliver(body, fault)


    def _kcs(self, query: dict[str, str], fault: Fault | None) -> None:
        """KCS trade by country and item: XML, errors in an envelope served with status 200;
        faults ``envelope`` (resultCode 22, the daily quota) and ``truncate``."""
        state = self.server.state
        body = KCS_LIMIT_ENVELOPE if fault and fault.kind == "envelope" else kcs_generator.respond(
            query, state.today, state.kcs_key
        )
        if fault and fault.kind == "truncate":
            body = body[: len(body) // 2]
        self._send(200, body, "application/xml;charset=UTF-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: DemoUpstream) -> None:
        super().__init__(address, _Handler)
        self.state = state


@contextmanager
def serve(state: DemoUpstream | None = None, port: int = 0) -> Iterator[tuple[str, DemoUpstream]]:
    """Run the demo upstream on 127.0.0.1 in a background thread; yields (base URL, state)."""
    state = state or DemoUpstream()
    server = _Server(("127.0.0.1", port), state)
    thread = threading.Thread(target=server.serve_forever, name="demo-upstream", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/data", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
