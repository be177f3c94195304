"""Counters the reliability tests add to; the session prints them in one summary line."""

from __future__ import annotations

from collections import Counter

counts: Counter[str] = Counter()
fault_kinds: set[str] = set()
bad_files: set[str] = set()


def summary_line() -> str:
    return (
        f"reliability: kill points {counts['kill points']}, fault kinds {len(fault_kinds)}, "
        f"bad files {len(bad_files)}, rows lost {counts['rows lost']}, duplicates {counts['duplicates']}, "
        f"secrets found {counts['secrets found']}"
    )


def touched() -> bool:
    return bool(counts or fault_kinds or bad_files)
