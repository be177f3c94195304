"""API keys out of every upstream text, by value, wherever they appear.

An upstream may echo the key anywhere: in a 400 body, an HTML page's title, a redirect's Location.
Every secret the HTTP layer sends is registered here; :func:`redact_text` masks each one (and its
URL-encoded forms) in any text, :class:`UpstreamError <flows.sources.http.UpstreamError>` builds its
message through it, and :class:`RedactingFilter` does the same for every log record reaching a
handler (stderr, pytest's capture, Prefect's API log handler).
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import quote, quote_plus

MASK = "[redacted]"
MIN_SECRET_LENGTH = 4
"""Shorter values are not masked: masking 'ab' everywhere would garble every message."""

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(*values: str | None) -> None:
    """Remember secret values (an API key) so that no text shown or stored carries them."""
    forms = {
        form
        for value in values
        if value and len(value) >= MIN_SECRET_LENGTH
        for form in (value, quote(value, safe=""), quote_plus(value))
    }
    if forms - _secrets:
        with _lock:
            _secrets.update(forms)
    install_log_filter()


def redact_text(text: str) -> str:
    """``text`` with every registered secret replaced by ``[redacted]``."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def has_secret(text: str) -> bool:
    with _lock:
        return any(secret in text for secret in _secrets)


class RedactingFilter(logging.Filter):
    """Masks registered secrets in a record's message and formatted traceback (records are shared by
    all handlers, so one handler's filter protects the handlers after it too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error path
            return True
        if has_secret(message):
            record.msg, record.args = redact_text(message), None
        if record.exc_info and not record.exc_text:
            formatted = logging.Formatter().formatException(record.exc_info)
            if has_secret(formatted):  # formatters use exc_text when it is set
                record.exc_text = redact_text(formatted)
        elif record.exc_text and has_secret(record.exc_text):
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info and has_secret(record.stack_info):
            record.stack_info = redact_text(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_filter() -> None:
    """Attach the redacting filter to every handler configured so far (idempotent)."""
    loggers = [logging.getLogger(), *(
        logger for logger in list(logging.Logger.manager.loggerDict.values()) if isinstance(logger, logging.Logger)
    )]
    for logger in loggers:
        for handler in list(logger.handlers):
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
