"""``entrepot bench``'s arithmetic: the order of the runs and what is printed of their times (pure)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """The wall times of one step's runs."""

    median: float
    low: float
    high: float
    runs: int

    @property
    def spread_pct(self) -> float:
        """How much slower the slowest run was than the fastest, in percent (max/min - 1)."""
        return 100 * (self.high / self.low - 1) if self.low > 0 else 0.0

    def describe(self) -> str:
        """``median X s (min-max, spread Y%) over N runs``."""
        return (
            f"median {self.median:7.2f} s ({self.low:.2f}-{self.high:.2f}, spread {self.spread_pct:.1f}%) "
            f"over {self.runs} run{'s' if self.runs != 1 else ''}"
        )


def summarize(seconds: Sequence[float]) -> Summary:
    """Median, fastest and slowest of at least one run's wall time."""
    if not seconds:
        raise ValueError("a step needs at least one run to be summarized")
    return Summary(statistics.median(seconds), min(seconds), max(seconds), len(seconds))


def interleaved(steps: Sequence[str], runs: int) -> list[tuple[int, str]]:
    """``(run, step)`` in the order they run: every step once, the reference first, then again.

    A machine that gets busier or quieter half-way through slows every step alike instead of the
    one that happened to run then.
    """
    if runs < 1:
        raise ValueError(f"--runs must be at least 1, not {runs}")
    return [(run, step) for run in range(1, runs + 1) for step in steps]


def ratio(numerator: Summary, denominator: Summary) -> float:
    """Of two steps' medians (the ratio the bench's last line prints)."""
    return numerator.median / denominator.median
