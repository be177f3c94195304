"""The loader's quality gate, cheap to import: Great Expectations loads only when a gate runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.quality.report import CheckReport


@dataclass
class QualityGate:
    """The loader's ``checks`` hook: run the checkpoint, keep its report, raise on a critical failure."""

    run_name: str
    docs_dir: Path | None = None
    report: CheckReport | None = None

    def __call__(self, con: duckdb.DuckDBPyConnection) -> CheckReport:
        from warehouse.quality.checkpoint import run_checkpoint

        self.report = run_checkpoint(con, run_name=self.run_name, docs_dir=self.docs_dir)
        self.report.raise_for_critical()
        return self.report
