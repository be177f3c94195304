"""The gate's results kept beside the warehouse: a JSON lines history and the page rebuilt from it.

``data_docs/quality_runs.jsonl`` holds the last ``KEEP`` gated runs, one per line, oldest first;
``data_docs/quality.html`` is rebuilt from it after every gated run. Both are replaced atomically
(written aside, then renamed), so a reader never sees half a file. Free of Great Expectations.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import asdict, fields
from pathlib import Path

from warehouse.quality.report import CRITICAL, CheckReport, Outcome

DOCS_DIR = "data_docs"
HISTORY = "quality_runs.jsonl"
PAGE = "quality.html"
GX_INDEX = "index.html"
KEEP = 20
"""How many gated runs the history and the page keep."""

log = logging.getLogger(__name__)
_OUTCOME_FIELDS = {f.name for f in fields(Outcome)}


def quality_dir(warehouse_path: Path | str) -> Path:
    """Where the quality results of the warehouse at ``warehouse_path`` live: ``data_docs/`` beside it."""
    return Path(warehouse_path).resolve().parent / DOCS_DIR


def to_record(report: CheckReport) -> dict:
    """One history line: the run, when it ran, whether it passed, and every outcome."""
    return {
        "run": report.run_name,
        "time": report.run_time.astimezone(dt.UTC).isoformat(),
        "passed": report.success,
        "outcomes": [asdict(o) for o in report.outcomes],
    }


def from_record(record: dict, docs_dir: Path) -> CheckReport:
    """The report a history line describes (fields this version does not know are ignored)."""
    outcomes = [Outcome(**{k: v for k, v in o.items() if k in _OUTCOME_FIELDS}) for o in record["outcomes"]]
    index = docs_dir / GX_INDEX
    return CheckReport(
        run_name=record["run"],
        outcomes=outcomes,
        run_time=dt.datetime.fromisoformat(record["time"]),
        docs_index=index if index.exists() else None,
        page=docs_dir / PAGE,
    )


def _records(docs_dir: Path) -> list[dict]:
    path = docs_dir / HISTORY
    if not path.exists():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            from_record(record, docs_dir)
        except (ValueError, KeyError, TypeError) as error:
            log.warning("%s line %d is not a gate result and is left out of the quality page: %s", path, number, error)
            continue
        records.append(record)
    return records


def load_runs(docs_dir: Path) -> list[CheckReport]:
    """The gated runs kept in ``docs_dir``, newest first."""
    return [from_record(r, docs_dir) for r in reversed(_records(docs_dir))]


def _replace(path: Path, text: str) -> None:
    aside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    aside.write_text(text, encoding="utf-8")
    os.replace(aside, path)


def write_page(docs_dir: Path, runs: list[CheckReport] | None = None) -> Path:
    """Rebuild ``quality.html`` in ``docs_dir`` from its history (or from ``runs``, newest first)."""
    from warehouse.quality.page import render_page

    runs = load_runs(docs_dir) if runs is None else runs
    page = docs_dir / PAGE
    _replace(page, render_page(runs, gx_index=(docs_dir / GX_INDEX).exists()))
    return page


def record_run(docs_dir: Path, report: CheckReport, keep: int = KEEP) -> Path:
    """Add ``report`` to the history in ``docs_dir`` (keeping the last ``keep`` runs) and rebuild the page."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    records = [*_records(docs_dir), to_record(report)][-keep:]
    _replace(docs_dir / HISTORY, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    report.page = write_page(docs_dir, [from_record(r, docs_dir) for r in reversed(records)])
    return report.page


def suite_counts(report: CheckReport) -> list[dict]:
    """Per suite, in the order run: expectations passed and failed, and the failed ones' names."""
    suites: dict[str, dict] = {}
    for o in report.outcomes:
        row = suites.setdefault(o.suite, {"suite": o.suite, "passed": 0, "failed": 0, "failures": []})
        row["passed" if o.success else "failed"] += 1
        if not o.success:
            mark = "" if o.severity == CRITICAL else f" ({o.severity})"
            row["failures"].append(o.expectation + (f"({o.column})" if o.column else "") + mark)
    return list(suites.values())
