"""The time a load stamps on what it writes (loaded_at, quarantined_at, finished_at...).

Live, ``now()`` is the wall clock and every stamp a load takes is recorded; a rebuild replays a
load with the stamps it recorded, in the same order, so the rebuilt rows equal the live ones.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class Clock:
    """Records the stamps it hands out, or hands out recorded ones (``replay``)."""

    def __init__(self, replay: list[str] | None = None) -> None:
        self.stamps: list[dt.datetime] = []
        self._replay = deque(replay) if replay is not None else None

    def now(self) -> dt.datetime:
        if self._replay is not None:
            if not self._replay:
                raise RuntimeError("the replayed load took more timestamps than the live one recorded")
            stamp = dt.datetime.fromisoformat(self._replay.popleft())
        else:
            stamp = dt.datetime.now(dt.UTC)
        self.stamps.append(stamp)
        return stamp

    def recorded(self) -> list[str]:
        return [s.isoformat() for s in self.stamps]


_current: ContextVar[Clock | None] = ContextVar("entrepot_clock", default=None)


def now() -> dt.datetime:
    """The current load's clock, or the wall clock outside one."""
    clock = _current.get()
    return clock.now() if clock is not None else dt.datetime.now(dt.UTC)


@contextmanager
def load_clock(replay: list[str] | None = None) -> Iterator[Clock]:
    """Use a (recording or replaying) clock for the block."""
    clock = Clock(replay)
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)
