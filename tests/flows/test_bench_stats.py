"""The bench's arithmetic: medians, spread and the order of the runs (pure functions)."""

from __future__ import annotations

import re
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.bench_stats import Summary, interleaved, ratio, summarize

times = st.lists(st.floats(min_value=0.001, max_value=1e4, allow_nan=False), min_size=1, max_size=9)
steps = st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=4, unique=True)


@given(times)
def test_summary_is_the_median_between_the_extremes(seconds: list[float]) -> None:
    summary = summarize(seconds)
    assert summary.low == min(seconds) <= summary.median <= summary.high == max(seconds)
    assert summary.median == statistics.median(seconds) and summary.runs == len(seconds)
    assert summary.spread_pct == pytest.approx(100 * (max(seconds) / min(seconds) - 1))
    assert (summary.spread_pct == 0) == (len(set(seconds)) == 1)


@given(st.integers(min_value=2, max_value=8), st.floats(min_value=1.0, max_value=1e9))
def test_the_median_ignores_one_outlier(calm: int, outlier: float) -> None:
    """A run slowed by a burst of load moves the extremes, not the median of three or more."""
    summary = summarize([1.0] * calm + [outlier])
    assert summary.median == 1.0 and summary.high == outlier


@given(times)
def test_describe_prints_median_range_spread_and_runs(seconds: list[float]) -> None:
    summary = summarize(seconds)
    text = summary.describe()
    found = re.fullmatch(r"median +([\d.]+) s \(([\d.]+)-([\d.]+), spread ([\d.]+)%\) over (\d+) runs?", text)
    assert found, text
    assert [float(g) for g in found.groups()[:3]] == [round(x, 2) for x in (summary.median, summary.low, summary.high)]
    assert int(found.group(5)) == len(seconds) and text.endswith("run" if len(seconds) == 1 else "runs")


def test_describe_example() -> None:
    assert Summary(1.35, 1.3, 1.42, 3).describe() == "median    1.35 s (1.30-1.42, spread 9.2%) over 3 runs"
    assert ratio(Summary(6.0, 5, 7, 3), Summary(2.0, 1, 3, 3)) == 3.0  # of the medians


@given(steps, st.integers(min_value=1, max_value=6))
def test_runs_are_interleaved_reference_first(names: list[str], runs: int) -> None:
    order = interleaved(names, runs)
    assert len(order) == runs * len(names)
    assert [step for _, step in order] == names * runs  # reference, the others, reference, the others...
    assert [run for run, _ in order] == sorted(run for run, _ in order)
    for name in names:
        assert [run for run, step in order if step == name] == list(range(1, runs + 1))


@given(st.integers(max_value=0))
def test_fewer_than_one_run_is_refused(runs: int) -> None:
    with pytest.raises(ValueError, match="--runs must be at least 1"):
        interleaved(["duckdb", "rebuild"], runs)
    with pytest.raises(ValueError):
        summarize([])
