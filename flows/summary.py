"""What a run prints and returns: counts per run and the headline numbers for each pair."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import duckdb
from rich.console import Console
from rich.table import Table

from warehouse.loader import LoadResult
from warehouse.reads import pair_trade_balance


@dataclass
class RunSummary:
    flow_name: str
    warehouse: str
    upstream: str
    payloads_fetched: int = 0
    payloads_new: int = 0
    result: LoadResult | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["result"] = asdict(self.result) if self.result else None
        return data


def counts_table(summary: RunSummary) -> Table:
    table = Table(title=f"{summary.flow_name}: load summary", show_header=True)
    table.add_column("measure")
    table.add_column("count", justify="right")
    r = summary.result
    rows = [
        ("payloads fetched or read", summary.payloads_fetched),
        ("payloads new since last load", summary.payloads_new),
    ]
    if r is not None:
        rows += [
            ("raw rows in", r.rows_in),
            ("raw rows loaded", r.rows_loaded),
            ("raw rows quarantined", r.rows_quarantined),
            ("unpublished cells skipped", r.rows_skipped),
            ("facts inserted", r.facts_inserted),
            ("facts updated (old value kept)", r.facts_updated),
            ("facts unchanged", r.facts_unchanged),
        ]
    for name, value in rows:
        table.add_row(name, f"{value:,}")
    return table


def pair_balance_table(con: duckdb.DuckDBPyConnection, reporter: str, partner: str) -> Table | None:
    rows = pair_trade_balance(con, reporter, partner)
    if not rows:
        return None
    table = Table(title=f"marts.trade_balance: {reporter} with {partner} (billion USD)")
    for name in ("source", "year", "exports", "imports", "balance", "months"):
        table.add_column(name, justify="left" if name == "source" else "right")
    for source, year, exports, imports, balance, months in rows:
        table.add_row(
            source, str(year), f"{exports or 0:,.1f}", f"{imports or 0:,.1f}", f"{balance or 0:,.1f}", str(months)
        )
    return table


def print_summary(summary: RunSummary, con: duckdb.DuckDBPyConnection | None, pairs: list[tuple[str, str]]) -> None:
    console = Console()
    console.print(f"warehouse: {summary.warehouse}   upstream: {summary.upstream}")
    console.print(counts_table(summary))
    for note in [*summary.notes, *(summary.result.notes if summary.result else [])]:
        console.print(f"note: {note}")
    if con is not None:
        for reporter, partner in pairs:
            table = pair_balance_table(con, reporter, partner)
            if table is not None:
                console.print(table)
