"""Prefect artifacts every run publishes: a markdown summary and a table of row counts."""

from __future__ import annotations

from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.settings import Settings
from flows.summary import RunSummary
from warehouse.connection import warehouse
from warehouse.quality.history import GX_INDEX, PAGE, quality_dir
from warehouse.status import run_by_source, table_row_counts

SUMMARY_KEY = "entrepot-run-summary"
COUNTS_KEY = "entrepot-row-counts"


def data_docs_location(settings: Settings) -> Path:
    """Where the validation Data Docs are published: ``data_docs/index.html`` beside the warehouse."""
    return quality_dir(settings.warehouse) / GX_INDEX


def quality_page_location(settings: Settings) -> Path:
    """The project's own self-contained quality page: ``data_docs/quality.html`` beside the warehouse."""
    return quality_dir(settings.warehouse) / PAGE


def summary_markdown(summary: RunSummary, per_source: list[dict], settings: Settings) -> str:
    """The run summary as markdown: per source rows extracted, loaded, quarantined, revisions; checks."""
    lines = [
        f"# entrepot {summary.flow_name}",
        "",
        f"Warehouse `{summary.warehouse}`, upstream `{summary.upstream}`: "
        f"{summary.payloads_fetched} payloads fetched or read, {summary.payloads_new} new.",
        "",
        "| source | loads | rows extracted | rows loaded | rows quarantined | facts inserted | revisions detected |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['source']} | {r['loads']} | {r['rows_extracted']:,} | {r['rows_loaded']:,} | "
        f"{r['rows_quarantined']:,} | {r['facts_inserted']:,} | {r['revisions']:,} |"
        for r in per_source
    ]
    if not per_source:
        lines.append("| (nothing loaded) | 0 | 0 | 0 | 0 | 0 | 0 |")
    rows_in = sum(r["rows_extracted"] for r in per_source)
    rejected = sum(r["rows_quarantined"] for r in per_source)
    share = rejected / rows_in if rows_in else 0.0
    verdict = "passed" if share <= settings.quarantine_max_share else "failed"
    lines += [
        "",
        "## Checks",
        f"- validation: {rejected:,} of {rows_in:,} rows quarantined ({share:.2%}, "
        f"threshold {settings.quarantine_max_share:.2%}): **{verdict}**",
        "- warehouse integrity and quality gate (grain unique, dimensions referenced, critical expectations): "
        "**passed** (every load committed; a critical failure rolls the load back and fails the run)",
    ]
    warnings = [n for n in (summary.result.notes if summary.result else []) if n.startswith("quality warning")]
    lines += [f"- {w}: **failed** (warning)" for w in warnings]
    docs, page = data_docs_location(settings), quality_page_location(settings)
    lines += ["", f"Quality page: `{page}`" + ("" if page.exists() else " (not built yet)"),
              "", f"Data Docs: `{docs}`" + ("" if docs.exists() else " (not built yet)")]
    lines += [f"- note: {note}" for note in summary.notes]
    return "\n".join(lines) + "\n"


def publish_run_artifacts(summary: RunSummary, settings: Settings) -> None:
    """Publish the summary and row-count artifacts of the current run."""
    run_id = summary.result.run_id.split(":")[0] if summary.result else ""
    with warehouse(settings.warehouse, read_only=True, lock_timeout_s=settings.lock_timeout_s) as con:
        per_source = run_by_source(con, run_id) if run_id else []
        counts = table_row_counts(con)
    docs = data_docs_location(settings)
    create_markdown_artifact(
        summary_markdown(summary, per_source, settings),
        key=SUMMARY_KEY,
        description=f"entrepot {summary.flow_name}: what was loaded, quarantined and revised",
    )
    create_table_artifact(
        counts, key=COUNTS_KEY, description=f"Rows per table in {summary.warehouse}; Data Docs: {docs}"
    )
