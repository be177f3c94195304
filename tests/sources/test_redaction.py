"""Secrets masked by value wherever they appear (flows.sources.redaction)."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.sources import redaction
from flows.sources.redaction import MASK, RedactingFilter, redact_text, register_secret


@pytest.fixture(autouse=True)
def _own_registry():
    """Keep the random keys registered here out of the process-wide registry other tests share."""
    saved = set(redaction._secrets)
    yield
    redaction._secrets.clear()
    redaction._secrets.update(saved)


KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789-_.~+/=", min_size=9, max_size=40)


@given(key=KEYS, before=st.text(max_size=30), after=st.text(max_size=30))
def test_a_registered_key_never_survives_in_any_text(key: str, before: str, after: str) -> None:
    register_secret(key)
    for form in (key, quote(key, safe="")):
        shown = redact_text(f"{before}{form}{after}{form}")
        assert key not in shown and quote(key, safe="") not in shown and MASK in shown


def test_other_text_is_left_alone_and_short_values_are_not_secrets() -> None:
    register_secret("ab", None, "")
    assert redact_text("ab cd: HTTP 400") == "ab cd: HTTP 400"


def test_the_log_filter_masks_messages_arguments_and_tracebacks() -> None:
    key = "log-filter-key-55aa77"
    register_secret(key)
    try:
        raise ValueError(f"the server said {key}")
    except ValueError as exc:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "got %s", (key,), (type(exc), exc, None))
    assert RedactingFilter().filter(record)
    assert record.getMessage() == f"got {MASK}" and key not in (record.exc_text or "")
    assert MASK in (record.exc_text or "")
