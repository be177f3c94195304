"""``entrepot status``: what the warehouse holds per source, the last runs, quarantine counts, and the
last quality gate's results with links to the quality page and GX's Data Docs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.table import Table

from warehouse.connection import warehouse
from warehouse.journal import Journal
from warehouse.quality.history import GX_INDEX, PAGE, load_runs, quality_dir, suite_counts
from warehouse.status import last_runs, quarantine_counts, sources_status


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def _request(request: str | None) -> str:
    """A landed request without its long variable list: ``exports/hs COMM_LVL=HS2 time=2026-09``."""
    if not request:
        return "-"
    path, _, query = request.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith("get=")]
    return " ".join([path.removeprefix("timeseries/intltrade/"), *kept])


def _table(title: str, columns: list[str], rows: list[list[str]], empty: str) -> Table:
    table = Table(title=title)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    if not rows:
        table.add_row(empty, *[""] * (len(columns) - 1))
    return table


def status_tables(path: Path, runs: int = 10) -> list[Table]:
    """The three status tables of the warehouse at ``path`` (opened read-only)."""
    with warehouse(path, read_only=True) as con:
        sources, recent, quarantine = sources_status(con), last_runs(con, runs), quarantine_counts(con)
    return [
        _table(
            "sources",
            ["source", "last period loaded", "facts", "payloads", "last release seen", "seen at", "last loaded at"],
            [[s["source"], s["last_period"] or "-", f"{s['facts']:,}", f"{s['payloads'] or 0:,}",
              _request(s["last_release"]), _when(s["last_seen_at"]), _when(s["last_loaded_at"])] for s in sources],
            "(nothing loaded yet)",
        ),
        _table(
            f"last {runs} runs",
            ["finished", "flow", "source", "outcome", "duration", "rows in", "quarantined", "inserted", "revised"],
            [[_when(r["finished_at"]), r["flow_name"], r["source"], r["status"], f"{r['duration_s']:.1f} s",
              f"{r['rows_in']:,}", f"{r['rows_quarantined']:,}", f"{r['facts_inserted']:,}",
              f"{r['facts_updated']:,}"] for r in recent],
            "(no runs yet)",
        ),
        _table(
            "quarantine",
            ["source", "reason", "rows", "last"],
            [[q["source"], q["reason"], f"{q['rows']:,}", _when(q["last_at"])] for q in quarantine],
            "(no quarantined rows)",
        ),
    ]


def gate_table(path: Path) -> Table:
    """The last gated run of the warehouse at ``path``: per suite expectations passed and failed."""
    runs = load_runs(quality_dir(path))
    if not runs:
        return _table("last quality gate", ["suite", "passed", "failed", "failed expectations"], [],
                      "(no gated run yet)")
    last = runs[0]
    verdict = "failed" if last.critical_failures else "passed" + (" with warnings" if last.warnings else "")
    return _table(
        f"last quality gate: {verdict} (run {last.run_name}, {_when(last.run_time)})",
        ["suite", "passed", "failed", "failed expectations"],
        [[s["suite"], str(s["passed"]), str(s["failed"]), "; ".join(s["failures"]) or "-"]
         for s in suite_counts(last)],
        "(no expectations)",
    )


def quality_links(path: Path) -> list[str]:
    """``file://`` links to the quality page and GX's Data Docs index, or why there is none yet."""
    folder = quality_dir(path)
    return [f"{label}: {target.as_uri() if target.exists() else f'{target} (not built yet)'}"
            for label, target in (("quality page", folder / PAGE), ("GX Data Docs", folder / GX_INDEX))]


def refused_table(landing_dir: Path, runs: int = 10) -> Table:
    """The last refused loads, from the load journal: nothing of them is in the warehouse."""
    refused = Journal(landing_dir).refusals()[-runs:][::-1]
    return _table(
        f"last {runs} refused loads (nothing of them was loaded)",
        ["refused at", "run", "files", "reason"],
        [[str(r.get("at", "-")), str(r["run_id"]),
          ", ".join(str(p.get("original_name") or p.get("request")) for p in r["payloads"]) or "-",
          str(r["reason"])[:300]] for r in refused],
        "(none)",
    )


def print_status(path: Path, runs: int = 10, landing_dir: Path | None = None) -> None:
    """Print the status tables and quality links (wide enough that nothing is cut when piped)."""
    console = Console(width=max(Console().width, 160))
    console.print(f"warehouse: {path}")
    refused = [refused_table(landing_dir, runs)] if landing_dir is not None else []
    for table in [*status_tables(path, runs), *refused, gate_table(path)]:
        console.print(table)
    for line in quality_links(path):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
