"""The read-ahead: the next item processed in a second thread, in order, errors where they belong."""

from __future__ import annotations

import pytest

from flows.read_ahead import processed_ahead


def test_payloads_are_processed_one_ahead_in_order_and_an_error_surfaces_at_its_payload() -> None:
    started: list[int] = []

    def process(n: int) -> int:
        started.append(n)
        if n == 3:
            raise ValueError("payload 3 is bad")
        return n * 10

    seen = []
    with pytest.raises(ValueError, match="payload 3"):
        for item in processed_ahead([0, 1, 2, 3, 4, 5], process):
            seen.append(item)
            assert max(started) <= len(seen) + 1, "at most one payload beyond the one in hand"
    assert seen == [0, 10, 20]
    assert 5 not in started, "nothing is processed past the payload that failed and the one in hand"
    assert list(processed_ahead([7], process)) == [70]
    assert list(processed_ahead([], process)) == []


def test_closing_early_starts_no_further_payload_and_does_not_wait_for_the_one_in_hand() -> None:
    import threading
    import time

    release = threading.Event()
    started: list[int] = []

    def process(n: int) -> int:
        started.append(n)
        if n == 1:
            release.wait(10)
        return n

    items = processed_ahead([0, 1, 2, 3], process)
    assert next(items) == 0
    deadline = time.monotonic() + 10
    while len(started) < 2 and time.monotonic() < deadline:  # payload 1 is being processed
        time.sleep(0.01)
    begun = time.monotonic()
    items.close()  # payload 1 is still being processed
    assert time.monotonic() - begun < 1, "closing waited for the payload in hand"
    release.set()
    time.sleep(0.2)
    assert started == [0, 1], "nothing after the payload in hand was started"
