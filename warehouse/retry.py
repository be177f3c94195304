"""Waiting for a file another process holds: one attempt again and again, with doubling pauses."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def retry_until(
    attempt: Callable[[], T], *, timeout_s: float, busy: Callable[[Exception], bool],
    give_up: Callable[[Exception], Exception], delay_s: float, max_delay_s: float,
) -> T:
    """``attempt()``'s result; while it fails with an error ``busy`` accepts, it is tried again after a
    pause that doubles up to ``max_delay_s``. Past ``timeout_s`` the error ``give_up`` makes of the last
    failure is raised; any other error at once."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return attempt()
        except Exception as exc:
            if not busy(exc):
                raise
            if time.monotonic() >= deadline:
                raise give_up(exc) from exc
            time.sleep(delay_s)
            delay_s = min(delay_s * 2, max_delay_s)
