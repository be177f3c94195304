"""Counters the reliability tests add to; the session prints them in one summary line."""

from __future__ import annotations

from collections import Counter

counts: Counter[str] = Counter()
"""'kill points', 'rows lost', 'wrong values', 'duplicates', 'secrets found', 'files written by sql'."""
fault_kinds: set[str] = set()
bad_files: set[str] = set()
concurrency_cases: set[str] = set()


def summary_line() -> str:
    return (
        f"reliability: kill points {counts['kill points']}, fault kinds {len(fault_kinds)}, "
        f"bad files {len(bad_files)}, concurrency cases {len(concurrency_cases)}, "
        f"rows lost {counts['rows lost']}, wrong values {counts['wrong values']}, "
        f"duplicates {counts['duplicates']}, secrets found {counts['secrets found']}, "
        f"files written by sql {counts['files written by sql']}"
    )


def touched() -> bool:
    return bool(counts or fault_kinds or bad_files or concurrency_cases)
