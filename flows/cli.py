"""The ``entrepot`` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

# Prefect reads these at import: keep its temporary server quiet and patient on small machines.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="entrepot", description="Trade statistics and tariff schedules in a DuckDB warehouse."
    )
    parser.add_argument("--warehouse", metavar="PATH", help="DuckDB file (overrides ENTREPOT_WAREHOUSE and entrepot.toml)")
    parser.add_argument("--config", metavar="FILE", help="settings file (default: ./entrepot.toml if present)")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a flow")
    run_flows = run.add_subparsers(dest="flow", required=True)
    nightly = run_flows.add_parser("nightly", help="pull new periods and the revision window, load, report")
    nightly.add_argument("--today", type=dt.date.fromisoformat, help="pretend it is this date (YYYY-MM-DD)")

    from flows.registry import FILE_SOURCES

    ingest = commands.add_parser("ingest", help="load a local file of a file-based source")
    ingest.add_argument("source", choices=sorted(FILE_SOURCES))
    ingest.add_argument("--file", required=True, type=Path, help="the file to load (left in place)")
    ingest.add_argument("--force", action="store_true", help="merge again even if this content was already loaded")

    sql = commands.add_parser("sql", help="run a read-only query against the warehouse")
    sql.add_argument("query")
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")

    commands.add_parser("migrate", help="create or upgrade the warehouse schema")

    demo = commands.add_parser("demo-server", help="serve the demo upstream on 127.0.0.1 until interrupted")
    demo.add_argument("--port", type=int, default=8765)
    return parser


def _print_summary(summary, settings) -> None:
    from flows.summary import print_summary
    from warehouse.connection import warehouse

    with warehouse(settings.warehouse, read_only=True) as con:
        print_summary(summary, con, [(p.reporter, p.partner) for p in settings.pairs])


def _dispatch(args: argparse.Namespace) -> int:
    from flows.settings import load_settings

    settings = load_settings(warehouse=args.warehouse)
    if args.command == "sql":
        from flows.sql import render, run_query

        sys.stdout.write(render(run_query(settings.warehouse, args.query), args.format))
        return 0
    if args.command == "migrate":
        from warehouse.connection import warehouse
        from warehouse.migrate import migrate, schema_version

        with warehouse(settings.warehouse, lock_timeout_s=settings.lock_timeout_s) as con:
            applied = migrate(con)
            print(f"{settings.warehouse}: schema version {schema_version(con)} ({len(applied)} migrations applied)")
        return 0
    if args.command == "demo-server":
        import time

        from flows.demo.server import serve

        with serve(port=args.port) as (base_url, _):
            print(f"demo upstream serving the Census API format at {base_url} (Ctrl-C to stop)")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return 0
    if args.command == "run":
        from flows.nightly import nightly

        summary = nightly(warehouse_path=str(settings.warehouse), today=args.today)
        _print_summary(summary, settings)
        return 0
    if args.command == "ingest":
        from flows.ingest import ingest_file

        summary = ingest_file(args.source, str(args.file), warehouse_path=str(settings.warehouse), force=args.force)
        _print_summary(summary, settings)
        return 0
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``entrepot`` console command; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.config:
        os.environ["ENTREPOT_CONFIG"] = args.config
    from flows.errors import USER_ERRORS

    try:
        return _dispatch(args)
    except USER_ERRORS as exc:
        print(f"entrepot: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
