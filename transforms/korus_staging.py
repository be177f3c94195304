"""Staging categories to year-by-year preferential rates (pure functions).

Agreement year 1 runs from entry into force (KORUS: 2012-03-15) to 31 December; year k starts on
1 January of (in-force year + k - 1). For a rule of N equal annual stages, stage k applies from
the start of year k and leaves base x (N - k) / N, so the rate is zero from 1 January of year N.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class StagingRule:
    """One row of core.dim_staging_category."""

    category: str
    rule_kind: str
    stages: int | None
    duty_free_year: int | None
    floor_pct: float | None
    usable: bool


@dataclass(frozen=True)
class PathStep:
    """The share of the base rate (or the floor rate) in force on [valid_from, valid_to)."""

    valid_from: dt.date
    valid_to: dt.date | None
    factor: float
    floor_pct: float | None = None

    def rate(self, base_pct: float) -> float:
        """The ad valorem rate of this step for ``base_pct``."""
        if self.floor_pct is None:
            return round(base_pct * self.factor, 6)
        floor = min(self.floor_pct, base_pct)
        return round(floor + (base_pct - floor) * self.factor, 6)


class UnusableRuleError(ValueError):
    """The category's rule is not known well enough to compute a path."""


def year_start(in_force: dt.date, year: int) -> dt.date:
    """First day of agreement year ``year`` (1 = the entry-into-force date)."""
    return in_force if year == 1 else dt.date(in_force.year + year - 1, 1, 1)


def path(rule: StagingRule, in_force: dt.date) -> list[PathStep]:
    """The steps of ``rule``; the last step is open-ended (valid_to None)."""
    if not rule.usable:
        raise UnusableRuleError(f"staging category {rule.category}: rule {rule.rule_kind!r} is not usable")
    if rule.rule_kind == "immediate":
        return [PathStep(in_force, None, 0.0)]
    if rule.rule_kind == "base_rate":
        return [PathStep(in_force, None, 1.0)]
    if rule.rule_kind not in {"equal_stages", "equal_stages_to_floor"} or not rule.stages:
        raise UnusableRuleError(f"staging category {rule.category}: no path for rule {rule.rule_kind!r}")
    n = rule.stages
    floor = rule.floor_pct if rule.rule_kind == "equal_stages_to_floor" else None
    free_year = rule.duty_free_year or n
    steps = [PathStep(year_start(in_force, k), year_start(in_force, k + 1), (n - k) / n, floor) for k in range(1, n + 1)]
    if floor is not None:
        steps.append(PathStep(year_start(in_force, n + 1), None, 0.0, 0.0))
        if free_year != n + 1:
            raise UnusableRuleError(f"staging category {rule.category}: floor rules must end the year after the stages")
        return steps
    if free_year != n:
        raise UnusableRuleError(f"staging category {rule.category}: duty-free year {free_year} != {n} stages")
    last = steps[-1]
    steps[-1] = PathStep(last.valid_from, None, last.factor)
    return steps


def rate_path(base_pct: float, rule: StagingRule, in_force: dt.date) -> list[tuple[dt.date, dt.date | None, float]]:
    """(valid_from, valid_to, ad valorem percent) for a base rate in percent."""
    return [(s.valid_from, s.valid_to, s.rate(base_pct)) for s in path(rule, in_force)]


def rate_in_year(base_pct: float, rule: StagingRule, in_force: dt.date, year: int) -> float:
    """The rate in force on 1 January of calendar ``year`` (or on entry into force in its year)."""
    day = in_force if year == in_force.year else dt.date(year, 1, 1)
    for start, end, rate in rate_path(base_pct, rule, in_force):
        if start <= day and (end is None or day < end):
            return rate
    return base_pct
