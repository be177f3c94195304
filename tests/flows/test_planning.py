"""Which months a nightly run asks for."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from flows.planning import chunk_by_year, month_range, months_to_fetch, next_month

TODAY = dt.date(2026, 11, 23)


def test_empty_warehouse_starts_at_window_or_start_month() -> None:
    months = months_to_fetch(today=TODAY, revision_start="2025-01", last_loaded=None, start_month=None)
    assert months[0] == "2025-01" and months[-1] == "2026-11" and len(months) == 23
    assert months_to_fetch(today=TODAY, revision_start="2025-01", last_loaded=None, start_month="2010-01")[0] == "2010-01"


def test_gap_before_window_is_filled() -> None:
    months = months_to_fetch(today=TODAY, revision_start="2025-01", last_loaded="2020-05", start_month=None)
    assert months[0] == "2020-06"


def test_window_never_reaches_before_start_month() -> None:
    months = months_to_fetch(today=TODAY, revision_start="2025-01", last_loaded="2026-09", start_month="2026-01")
    assert months == month_range("2026-01", "2026-11")


@given(st.integers(1990, 2040), st.integers(1, 12), st.integers(0, 60))
def test_month_range_is_contiguous(year: int, month: int, length: int) -> None:
    first = f"{year}-{month:02d}"
    last = first
    for _ in range(length):
        last = next_month(last)
    months = month_range(first, last)
    assert len(months) == length + 1 and months[0] == first and months[-1] == last
    assert all(next_month(a) == b for a, b in itertools.pairwise(months))
    assert sum(len(v) for v in chunk_by_year(months).values()) == len(months)
