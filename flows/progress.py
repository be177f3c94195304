"""What a CLI run says while it works: a rich progress display in a terminal, a plain line per step
otherwise (logs, CI, pipes). Flows and tasks call ``step``/``advance``; without an active display
(deployments, tests calling flows directly) both do nothing.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

_lock = threading.Lock()
_active: Display | None = None


class Display:
    """One run's output: bars and step lines (terminal), or one flushed line per step."""

    def __init__(self, stream: TextIO, terminal: bool) -> None:
        self.stream = stream
        self.bars: Progress | None = None
        if terminal:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            self.bars = Progress(*columns, console=Console(file=stream, force_terminal=True), transient=False)
        self.tasks: dict[str, int] = {}

    def step(self, text: str) -> None:
        if self.bars is not None:
            self.bars.console.print(text, highlight=False, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    def bar(self, name: str, total: int) -> None:
        if self.bars is not None:
            self.tasks[name] = self.bars.add_task(name, total=total)

    def advance(self, name: str, steps: int = 1) -> None:
        if self.bars is not None and name in self.tasks:
            self.bars.advance(self.tasks[name], steps)


@contextmanager
def display(stream: TextIO | None = None, terminal: bool | None = None) -> Iterator[Display]:
    """Make a display active for the duration (``terminal`` defaults to whether ``stream`` is one)."""
    global _active
    stream = stream or sys.stdout
    shown = Display(stream, stream.isatty() if terminal is None else terminal)
    with _lock:
        _active = shown
    try:
        if shown.bars is not None:
            with shown.bars:
                yield shown
        else:
            yield shown
    finally:
        with _lock:
            _active = None


def step(text: str) -> None:
    """One step done (a line when not a terminal, printed above the bars in one)."""
    with _lock:
        if _active is not None:
            _active.step(text)


def bar(name: str, total: int) -> None:
    """A progress bar of ``total`` steps (shown in a terminal only)."""
    with _lock:
        if _active is not None:
            _active.bar(name, total)


def advance(name: str, steps: int = 1) -> None:
    with _lock:
        if _active is not None:
            _active.advance(name, steps)


_PERIOD = re.compile(r"[?&](?:time|period)=([^&]+)")
_DIRECTION = re.compile(r"\b(export|import)s?\b")


def payload_label(source: str, request: str) -> str:
    """A payload named for people: ``census_api export 2026-03`` from its landing request."""
    direction = _DIRECTION.search(request.replace("/", " "))
    period = _PERIOD.search(request)
    parts = [source, direction.group(1) if direction else "", period.group(1) if period else ""]
    label = " ".join(p for p in parts if p)
    return label if period or direction else f"{source} {request}"
