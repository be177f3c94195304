"""The loader's quality gate, cheap to import: Great Expectations loads only when a gate runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.quality.report import CheckReport


@dataclass
class QualityGate:
    """The loader's ``checks`` hook: run the checkpoint, keep its report, raise on a critical failure.

    With ``docs_dir``, GX's Data Docs are built there and the run is added to the quality history
    and page (``quality_runs.jsonl``, ``quality.html``), passed or failed, before the gate decides."""

    run_name: str
    docs_dir: Path | None = None
    report: CheckReport | None = None

    def __call__(self, con: duckdb.DuckDBPyConnection) -> CheckReport:
        from warehouse.quality.checkpoint import run_checkpoint

        self.report = run_checkpoint(con, run_name=self.run_name, docs_dir=self.docs_dir)
        if self.docs_dir is not None:
            from warehouse.quality.history import record_run

            record_run(Path(self.docs_dir), self.report)
        self.report.raise_for_critical()
        return self.report
