"""HTTP with retries: back-off on 429, 5xx, timeouts and broken connections, honouring Retry-After.

Secrets (API keys in query parameters) never appear in errors or logs: every URL shown is passed
through :func:`redact`.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

# httpx logs each request URL at INFO, query string (and so any key) included.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)
log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?) second", re.IGNORECASE)


class RejectedRequest(Exception):
    """Raised by a ``validate`` callback for a body that retrying cannot fix (e.g. an error page)."""


class UpstreamError(RuntimeError):
    """An upstream request failed for good; the message names the source and the request."""

    def __init__(self, source: str, request: str, problem: str) -> None:
        self.source = source
        self.request = request
        self.problem = problem
        super().__init__(f"{source}: {problem} (request: {request})")


def redact(url: str, params: dict[str, str], secret_params: Iterable[str]) -> str:
    """The request as text, secret parameters left out."""
    shown = {k: v for k, v in params.items() if k not in set(secret_params)}
    return f"{url}?{urlencode(shown, safe=',:')}" if shown else url


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date) or a "try again in N seconds" body."""
    header = response.headers.get("Retry-After")
    if header:
        header = header.strip()
        if header.replace(".", "", 1).isdigit():
            return float(header)
        parsed = email.utils.parsedate_to_datetime(header)
        if parsed is not None:
            return max(0.0, parsed.timestamp() - time.time())
    match = _TRY_AGAIN.search(response.text[:2000]) if response.content else None
    return float(match[1]) if match else None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0

    def delay(self, attempt: int, hinted: float | None) -> float:
        if hinted is not None:
            return min(hinted, self.max_delay_s)
        return min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)


def get_with_retries(
    client: httpx.Client,
    url: str,
    params: dict[str, str],
    *,
    source: str,
    secret_params: Iterable[str] = (),
    policy: RetryPolicy = RetryPolicy(),
    validate: Callable[[httpx.Response], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """GET ``url``; retry transient failures. ``validate`` may raise ValueError to retry a bad body
    (truncated, unparsable) or :class:`RejectedRequest` to fail at once.

    Raises :class:`UpstreamError` (never chained to an exception that could show the key).
    """
    shown = redact(url, params, secret_params)
    problem = "no attempt made"
    for attempt in range(1, policy.max_attempts + 1):
        hinted: float | None = None
        try:
            response = client.get(url, params=params)
            if response.status_code in RETRY_STATUSES:
                hinted = retry_after_seconds(response)
                problem = f"HTTP {response.status_code}"
            elif response.status_code >= 400:
                raise UpstreamError(source, shown, f"HTTP {response.status_code}: {response.text[:200]!r}")
            else:
                if validate is not None:
                    validate(response)
                return response
        except RejectedRequest as exc:
            raise UpstreamError(source, shown, str(exc)) from None
        except httpx.TimeoutException:
            problem = "timed out"
        except httpx.TransportError as exc:
            problem = f"connection failed ({type(exc).__name__})"
        except ValueError as exc:
            problem = f"unusable response body ({exc})"
        if attempt < policy.max_attempts:
            wait = policy.delay(attempt, hinted)
            log.warning("%s: %s; retry %d/%d in %.1f s", source, problem, attempt, policy.max_attempts - 1, wait)
            sleep(wait)
    raise UpstreamError(source, shown, f"gave up after {policy.max_attempts} attempts, last: {problem}")
