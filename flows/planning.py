"""What a nightly run asks each upstream for: new periods plus the revision window."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict


def month_range(first: str, last: str) -> list[str]:
    """Months from ``first`` to ``last`` inclusive, as YYYY-MM."""
    start = int(first[:4]) * 12 + int(first[5:7]) - 1
    end = int(last[:4]) * 12 + int(last[5:7]) - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(start, end + 1)]


def next_month(month: str) -> str:
    index = int(month[:4]) * 12 + int(month[5:7])
    return f"{index // 12}-{index % 12 + 1:02d}"


def months_to_fetch(
    *, today: dt.date, revision_start: str, last_loaded: str | None, start_month: str | None
) -> list[str]:
    """Months to request, through the current month: from the earlier of the revision window's
    start and the month after the last one loaded (on an empty warehouse: ``start_month``, else the
    window's start), never before ``start_month``. Unreleased months come back empty and are not loaded."""
    current = f"{today.year}-{today.month:02d}"
    if last_loaded is None:
        first = start_month or revision_start
    else:
        first = min(revision_start, next_month(last_loaded))
        if start_month:
            first = max(first, start_month)
    return month_range(first, current) if first <= current else []


def chunk_by_year(months: list[str]) -> dict[int, list[str]]:
    """Months grouped by calendar year: one extract task per source x year."""
    chunks: dict[int, list[str]] = defaultdict(list)
    for month in months:
        chunks[int(month[:4])].append(month)
    return dict(chunks)
