"""Run the quality suites with Great Expectations on the load's own connection, before COMMIT.

Frames are read from DuckDB on the loading connection (so GX sees the merged, uncommitted rows)
and handed to GX as pandas frames: GX's SQL path over DuckDB reports every expectation as failed
without raising, so it is not used. One GX checkpoint per suite (each validates its own frame),
then the Data Docs site is built once into ``docs_dir``.
"""

from __future__ import annotations

import datetime as dt
import logging
import numbers
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # after the analytics switch
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig

from warehouse.quality.report import CRITICAL, CheckReport, Outcome
from warehouse.quality.suites import SUITES, Suite

SITE = "entrepot"
logging.getLogger("great_expectations").setLevel(logging.WARNING)


def _context(docs_dir: Path | None) -> Any:
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    if docs_dir is not None:
        context.add_data_docs_site(
            SITE,
            {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def _detail(item: Any, key: str) -> str:
    """Why an expectation failed: the failing rows' keys, the observed value, or GX's own error."""
    info = item.exception_info or {}
    raised = [info] if "exception_message" in info else [v for v in info.values() if isinstance(v, dict)]
    messages = sorted({str(r.get("exception_message")) for r in raised if r.get("raised_exception", True)})
    if messages:
        return f"the check itself failed: {'; '.join(messages)[:300]}"
    result = item.result or {}
    if result.get("unexpected_count"):
        rows = [r.get(key) if isinstance(r, dict) else r for r in result.get("unexpected_index_list") or []]
        return f"{result['unexpected_count']} rows, e.g. {rows[:3]}"
    if result.get("observed_value") is not None:
        return f"observed {result['observed_value']}"
    return ""


def _value(value: Any) -> str:
    """A value as a reader wants it: numbers with thousands separators, pairs as ``a vs b``."""
    if isinstance(value, tuple | list):
        return " vs ".join(_value(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        return str(value)
    number = float(value)
    if abs(number) >= 1e15 or 0 < abs(number) < 1e-3:
        return f"{number:.6g}"
    grouped = "," if abs(number) >= 10_000 else ""  # 2027 stays a year, 100,000 reads as a number
    return f"{int(number):{grouped}}" if number.is_integer() else f"{number:{grouped}.4f}".rstrip("0")


def _expected(kind: str, kwargs: dict[str, Any]) -> str:
    """What the expectation asks, in words: ``between 0 and 0``, ``in {...}``, ``a >= b``."""
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is not None or high is not None:
        if low is not None and high is not None:
            return f"= {_value(low)}" if low == high else f"between {_value(low)} and {_value(high)}"
        return f"≥ {_value(low)}" if low is not None else f"≤ {_value(high)}"
    if "value_set" in kwargs:
        return "in {" + ", ".join(_value(v) for v in kwargs["value_set"]) + "}"
    a, b = kwargs.get("column_A"), kwargs.get("column_B")
    if a and b:
        operator = "=" if kind.endswith("to_be_equal") else "≥" if kwargs.get("or_equal") else ">"
        return f"{a} {operator} {b}"
    return ", ".join(f"{k}={_value(v)}" for k, v in kwargs.items() if k not in {"batch_id", "column"})


def _observed(item: Any) -> str:
    """What the frame held: the observed value, or how many rows failed and a few of their values."""
    result = item.result or {}
    if result.get("observed_value") is not None:
        return _value(result["observed_value"])
    if result.get("element_count") is None:
        return ""
    failed, rows = result.get("unexpected_count") or 0, result["element_count"]
    if not failed:
        return f"all {rows:,} rows pass"
    values = ", ".join(_value(v) for v in (result.get("partial_unexpected_list") or [])[:3])
    return f"{failed:,} of {rows:,} rows fail" + (f": {values}" if values else "")


def _outcomes(suite: Suite, run: Any) -> list[Outcome]:
    outcomes = []
    for validation in run.run_results.values():
        for item in validation.results:
            config = item.expectation_config
            meta = config.meta or {}
            outcomes.append(
                Outcome(
                    suite=suite.name,
                    expectation=config.type,
                    column=config.kwargs.get("column") or config.kwargs.get("column_B"),
                    severity=meta.get("severity", CRITICAL),
                    success=bool(item.success),
                    detail="" if item.success else _detail(item, suite.key),
                    observed=_observed(item),
                    expected=_expected(config.type, config.kwargs),
                    notes=str(meta.get("notes") or ""),
                )
            )
    return outcomes


def run_checkpoint(
    con: duckdb.DuckDBPyConnection,
    *,
    run_name: str,
    docs_dir: Path | None = None,
    suites: Sequence[Suite] = SUITES,
) -> CheckReport:
    """Validate every suite against the warehouse as ``con`` sees it; build Data Docs if asked."""
    context = _context(docs_dir)
    source = context.data_sources.add_pandas("warehouse")
    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    report = CheckReport(run_name=run_name, run_time=run_id.run_time)
    for suite in suites:
        frame = con.sql(suite.query).pl().to_pandas()
        batch = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe(suite.name)
        expectations = context.suites.add(
            gx.ExpectationSuite(name=suite.name, expectations=suite.expectations(), meta={"notes": suite.description})
        )
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=expectations)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{SITE}_{suite.name}",
                validation_definitions=[validation],
                actions=[],
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [suite.key]},
            )
        )
        report.outcomes += _outcomes(suite, checkpoint.run(batch_parameters={"dataframe": frame}, run_id=run_id))
    if docs_dir is not None:
        context.build_data_docs(site_names=[SITE])
        report.docs_index = Path(docs_dir) / "index.html"
    return report
