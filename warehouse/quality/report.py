"""What a quality checkpoint found: one outcome per expectation, critical or warning.

Kept free of Great Expectations so the loader and the flows can use it without importing GX.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

CRITICAL = "critical"
WARNING = "warning"


class QualityGateError(RuntimeError):
    """A critical expectation failed on the loaded warehouse: the run is rolled back."""

    def __init__(self, report: CheckReport) -> None:
        self.report = report
        failed = "; ".join(o.describe() for o in report.critical_failures)
        where = [f"quality page: {report.page}"] if report.page else []
        where += [f"Data Docs: {report.docs_index}"] if report.docs_index else []
        docs = f" ({', '.join(where)})" if where else ""
        super().__init__(
            f"quality gate failed, nothing from this run was published: {failed}{docs}"
        )


@dataclass(frozen=True)
class Outcome:
    """The result of one expectation of one suite."""

    suite: str
    expectation: str
    column: str | None
    severity: str
    success: bool
    detail: str = ""
    observed: str = ""
    expected: str = ""
    notes: str = ""

    def describe(self) -> str:
        where = f"{self.suite}.{self.expectation}" + (f"({self.column})" if self.column else "")
        return where + (f": {self.detail}" if self.detail else "")


@dataclass
class CheckReport:
    """Every outcome of one checkpoint run, and where its Data Docs and quality page were written."""

    run_name: str
    outcomes: list[Outcome] = field(default_factory=list)
    docs_index: Path | None = None
    run_time: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    page: Path | None = None

    @property
    def critical_failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == CRITICAL]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == WARNING]

    @property
    def success(self) -> bool:
        return not self.critical_failures

    def failed_suites(self) -> set[str]:
        return {o.suite for o in self.outcomes if not o.success}

    def raise_for_critical(self) -> None:
        if self.critical_failures:
            raise QualityGateError(self)
