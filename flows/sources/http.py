"""HTTP with retries: back-off on 429, 5xx, timeouts, broken connections and bodies that arrive
truncated or corrupt, honouring Retry-After; a total deadline per attempt.

An answer is read for what it is: 200 with a body is data (checked by the source's ``validate``), a
status the source names as its documented "no data" answer (the Census API's 204) with an empty
body is "nothing yet", and anything else (a redirect, which is never followed; an empty 200; 206,
299 or any other status) is an :class:`UpstreamError` naming the source and the request.

Secrets never leave: URLs are shown without their secret parameters (:func:`redact`), and every
secret value is masked wherever it appears in any text (:mod:`flows.sources.redaction`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from flows.sources.redaction import RedactingFilter, redact_text, register_secret

# httpx logs each request URL at INFO, query string (and so any key) included.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)
log = logging.getLogger(__name__)
log.addFilter(RedactingFilter())

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?) second", re.IGNORECASE)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class RejectedRequest(Exception):
    """Raised by a ``validate`` callback for a body that retrying cannot fix (e.g. an error page)."""


class UpstreamError(RuntimeError):
    """An upstream request failed for good; the message names the source and the request.

    Every part goes through :func:`redact_text`: no registered secret survives in it.
    """

    def __init__(self, source: str, request: str, problem: str) -> None:
        self.source = redact_text(source)
        self.request = redact_text(request)
        self.problem = redact_text(problem)
        super().__init__(f"{self.source}: {self.problem} (request: {self.request})")

    def __reduce__(self) -> tuple[Any, ...]:  # picklable (Prefect results, Dask workers)
        return (type(self), (self.source, self.request, self.problem))


class _Transient(Exception):
    """One attempt failed in a way another attempt may fix."""

    def __init__(self, problem: str, hinted: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.hinted = hinted


def redact(url: str, params: dict[str, str], secret_params: Iterable[str]) -> str:
    """The request as text, secret parameters left out."""
    shown = {k: v for k, v in params.items() if k not in set(secret_params)}
    return f"{url}?{urlencode(shown, safe=',:')}" if shown else url


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date) or a "try again in N seconds" body;
    None when there is no hint or it cannot be read."""
    header = response.headers.get("Retry-After", "").strip()
    if header.replace(".", "", 1).isdigit():
        return float(header)
    if header:
        try:
            parsed = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)  # "-0000": UTC, says RFC 5322
            return max(0.0, parsed.timestamp() - time.time())
    match = _TRY_AGAIN.search(response.text[:2000]) if response.content else None
    return float(match[1]) if match else None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0
    deadline_s: float = 600.0
    """Total time one attempt may take, from connecting to the body's last byte."""

    def delay(self, attempt: int, hinted: float | None) -> float:
        if hinted is not None:
            return min(hinted, self.max_delay_s)
        return min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)


def policy_for(settings: Any) -> RetryPolicy:
    """The retry policy of one upstream's settings (``flows.settings.UpstreamSettings``)."""
    return RetryPolicy(
        max_attempts=settings.max_attempts, max_delay_s=settings.max_backoff_s, deadline_s=settings.request_deadline_s
    )


class _Watchdog:
    """Enforces an attempt's total deadline: when it passes, the attempt's socket is shut down, so a
    read blocked on a server that drips a byte a second (never tripping a per-read timeout) ends."""

    def __init__(self, deadline_s: float) -> None:
        self.deadline_s = deadline_s
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(deadline_s, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def trace(self, name: str, info: dict[str, Any]) -> None:
        """httpcore's ``trace`` extension: learn the socket as soon as it is connected."""
        if name.endswith((".connect_tcp.complete", ".start_tls.complete")):
            self.watch(info.get("return_value"))

    def watch(self, stream: Any) -> None:
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _capped(timeout: httpx.Timeout, cap: float) -> httpx.Timeout:
    """Per-operation timeouts no longer than the total deadline."""
    def cut(value: float | None) -> float:
        return cap if value is None else min(value, cap)

    return httpx.Timeout(connect=cut(timeout.connect), read=cut(timeout.read), write=cut(timeout.write),
                         pool=cut(timeout.pool))


def _read_within_deadline(client: httpx.Client, url: str, params: dict[str, str], deadline_s: float) -> httpx.Response:
    """GET and read the whole (decoded) body, redirects not followed, within ``deadline_s``.

    ``Connection: close`` makes every attempt open its own connection, so the watchdog always knows
    the socket (a pooled one is not reported by the trace)."""
    with _Watchdog(deadline_s) as watchdog:
        request = client.build_request(
            "GET", url, params=params, headers={"Connection": "close"},
            timeout=_capped(client.timeout, deadline_s), extensions={"trace": watchdog.trace},
        )
        try:
            response = client.send(request, stream=True, follow_redirects=False)
            try:
                watchdog.watch(response.extensions.get("network_stream"))
                response.read()
            finally:
                response.close()
        except (httpx.TransportError, httpx.DecodingError):
            if watchdog.fired:
                raise _Transient(f"no complete answer within the total deadline of {deadline_s:g} s") from None
            raise
    return response


def is_html(response: httpx.Response) -> bool:
    """Whether a body is an HTML page (an error or login page served in place of data)."""
    head = response.content[:200].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html")) or "html" in response.headers.get("content-type", "")


def excerpt(response: httpx.Response) -> str:
    """A short, one-line excerpt of a body for an error message (an HTML page's title)."""
    title = _TITLE.search(response.content[:5000])
    text = title[1].decode("utf-8", "replace") if title else response.text[:200]
    return " ".join(text.split())[:200]


def _judge(
    response: httpx.Response,
    fail: Callable[[str], UpstreamError],
    validate: Callable[[httpx.Response], None] | None,
    no_data_statuses: frozenset[int],
) -> httpx.Response:
    """The response if it is data (or the documented "no data" answer); else raise."""
    status = response.status_code
    if status in RETRY_STATUSES:
        raise _Transient(f"HTTP {status}", retry_after_seconds(response))
    if status == 200 and response.content:
        try:
            if validate is not None:
                validate(response)
        except RejectedRequest as exc:
            raise fail(str(exc)) from None
        except ValueError as exc:
            raise _Transient(f"unusable response body ({exc})") from None
        return response
    if status in no_data_statuses and not response.content:
        return response
    if status == 200:
        expected = " or ".join(f"HTTP {s}" for s in sorted(no_data_statuses)) or "a response with no records"
        raise fail(f"HTTP 200 with an empty body (the documented 'no data' answer is {expected})")
    if 300 <= status < 400 and "Location" in response.headers:
        location = response.headers["Location"]
        raise fail(
            f"redirected (HTTP {status}) to {location!r}; redirects are not followed "
            "(an upstream answers a missing or invalid API key this way)"
        )
    if status >= 400:
        raise fail(f"HTTP {status}: {excerpt(response)!r}")
    raise fail(f"unexpected HTTP {status} (not an answer this client understands): {excerpt(response)!r}")


def get_with_retries(
    client: httpx.Client,
    url: str,
    params: dict[str, str],
    *,
    source: str,
    secret_params: Iterable[str] = (),
    secret_headers: Iterable[str] = (),
    policy: RetryPolicy = RetryPolicy(),
    validate: Callable[[httpx.Response], None] | None = None,
    no_data_statuses: Iterable[int] = (),
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """GET ``url``; retry transient failures. ``validate`` may raise ValueError to retry a bad body
    (truncated, unparsable) or :class:`RejectedRequest` to fail at once. A status in
    ``no_data_statuses`` with an empty body is returned as is (the source's "no data" answer).

    Raises :class:`UpstreamError` (never chained to an exception that could show the key).
    KeyboardInterrupt and SystemExit pass through untouched, also during a retry's sleep.
    """
    secret_params = tuple(secret_params)
    register_secret(*(params.get(k) for k in secret_params), *(client.headers.get(h) for h in secret_headers))
    shown = redact(url, params, secret_params)

    def fail(problem: str) -> UpstreamError:
        return UpstreamError(source, shown, problem)

    problem = "no attempt made"
    for attempt in range(1, policy.max_attempts + 1):
        hinted: float | None = None
        try:
            response = _read_within_deadline(client, url, params, policy.deadline_s)
            return _judge(response, fail, validate, frozenset(no_data_statuses))
        except _Transient as exc:
            problem, hinted = exc.problem, exc.hinted
        except httpx.TimeoutException:
            problem = "timed out"
        except httpx.DecodingError as exc:
            problem = f"corrupt compressed body ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        except httpx.TransportError as exc:
            problem = f"connection failed ({type(exc).__name__})"
        if attempt < policy.max_attempts:
            wait = policy.delay(attempt, hinted)
            log.warning("%s: %s; retry %d/%d in %.1f s", source, problem, attempt, policy.max_attempts - 1, wait)
            sleep(wait)
    raise fail(f"gave up after {policy.max_attempts} attempts, last: {problem}")
