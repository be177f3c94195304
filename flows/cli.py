"""The ``entrepot`` command line."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import signal
import sys
import threading
from pathlib import Path

from flows import prefect_server

# Prefect reads these at import: keep its temporary server quiet and patient on small machines.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _ingest_sources() -> list[str]:
    from flows.ingest_reference import REFERENCE_SOURCES
    from flows.ingest_staging_notes import STAGING_NOTES
    from flows.ingest_tariffs import TARIFF_SOURCES
    from flows.registry import FILE_SOURCES

    return sorted([*FILE_SOURCES, *TARIFF_SOURCES, *REFERENCE_SOURCES, STAGING_NOTES])


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser (for ``command``: the ingest sources are listed only when it is ``ingest``)."""
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
    backfill = run_flows.add_parser("backfill", help="load a range of past months, resumably, one task per source x year")
    backfill.add_argument("--start", required=True, type=_month, help="first month, YYYY-MM")
    backfill.add_argument("--end", required=True, type=_month, help="last month, YYYY-MM")
    backfill.add_argument("--sources", nargs="+", choices=["census_api"], help="default: every API source")
    backfill.add_argument("--today", type=dt.date.fromisoformat, help="pretend it is this date (YYYY-MM-DD)")
    backfill.add_argument("--task-runner", choices=["thread", "dask"], default="thread",
                          help="thread (default) or dask: a local Dask cluster of worker processes")

    ingest = commands.add_parser("ingest", help="load a local file of a file-based source")
    # the source names come from the flows themselves: imported (seconds) only when ingesting
    ingest.add_argument("source", choices=_ingest_sources() if command == "ingest" else None)
    ingest.add_argument(
        "--valid-from", type=dt.date.fromisoformat, metavar="DATE",
        help="tariff sources: date the edition takes effect, YYYY-MM-DD (required for usitc-hts)",
    )
    ingest.add_argument("--file", required=True, type=Path, help="the file to load (left in place)")
    ingest.add_argument("--force", action="store_true", help="merge again even if this content was already loaded")
    ingest.add_argument("--allow-removals", action="store_true",
                        help="tariff sources: load an edition even if it closes more than tariff_max_removed_share "
                             "(default 2%%) of the lines in force")
    ingest.add_argument("--agreement", metavar="CODE", help="fta-annex, staging-notes: the agreement's code (e.g. VKFTA)")
    ingest.add_argument("--importer", metavar="ISO3", help="fta-annex, staging-notes: the country whose schedule it is (e.g. KOR)")
    ingest.add_argument("--base-date", metavar="DATE",
                        help="fta-annex: the date the annex's base rates (the importer's MFN rates) refer to")

    sql = commands.add_parser("sql", help="run a read-only query against the warehouse")
    sql.add_argument("query")
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.add_argument("--allow-read", action="append", type=Path, default=[], metavar="DIR",
                     help="let the query read files below DIR (repeatable); never any write")

    commands.add_parser("migrate", help="create or upgrade the warehouse schema")

    rebuild = commands.add_parser("rebuild", help="rebuild the warehouse from the landing directory alone")
    rebuild.add_argument("--sources", nargs="+", help="only these datasets (e.g. census_api)")

    bench = commands.add_parser("bench", help="time the pipeline against DuckDB's own load of the same files")
    bench.add_argument("--rows", type=int, default=10_000_000, help="rows of Census HS10 data to generate")
    bench.add_argument("--workdir", type=Path, help="where to write the generated data (default: a temp dir)")
    bench.add_argument("--hts-file", type=Path, help="an HTS edition CSV to time parsing too")
    bench.add_argument("--skip-nightly", action="store_true", help="leave out the unchanged-upstream nightly run")

    demo = commands.add_parser("demo-server", help="serve the demo upstream on 127.0.0.1 until interrupted")
    demo.add_argument("--port", type=int, default=8765)

    serve = commands.add_parser("serve", help="register the nightly and backfill deployments with a Prefect server and run them")
    serve.add_argument("--cron", default="0 6 * * *", help="nightly schedule (default: 06:00 every day)")
    serve.add_argument("--timezone", default="UTC", help="time zone of the cron schedule (default: UTC)")
    status = commands.add_parser(
        "status", help="per source the last period loaded; the last runs; quarantine counts; the last quality gate"
    )
    status.add_argument("--runs", type=int, default=10, help="how many recent runs to list")
    export = commands.add_parser("export", help="write the marts and core tables as Hive-partitioned Parquet")
    export.add_argument("--format", choices=["parquet"], default="parquet")
    export.add_argument("dir", type=Path, metavar="DIR")
    report = commands.add_parser("report", help="write a self-contained HTML report with charts")
    report.add_argument("--out", required=True, type=Path, metavar="FILE.html")
    docs = commands.add_parser("docs", help="the data dictionary: every table and column with its description")
    docs.add_argument("--out", type=Path, metavar="FILE.md", help="write Markdown here instead of printing")
    return parser


def _month(text: str) -> str:
    """An argparse type: a YYYY-MM month."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month (YYYY-MM)") from None


def _print_summary(summary, settings) -> None:
    """The run's summary; the run has committed, so a failure here is a warning, never an error."""
    from flows.summary import print_summary
    from warehouse.connection import warehouse

    try:
        with warehouse(settings.warehouse, read_only=True) as con:
            print_summary(summary, con, [(p.reporter, p.partner) for p in settings.pairs])
    except Exception as exc:  # the load is published already: say so, exit 0
        print(f"entrepot: warning: the run completed, but its summary could not be printed: {exc}", file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    from flows.settings import load_settings

    settings = load_settings(warehouse=args.warehouse)
    if args.command == "sql":
        from flows.sql import render, run_query

        sys.stdout.write(render(run_query(settings.warehouse, args.query, args.allow_read, kernel_guard=True), args.format))
        return 0
    if args.command == "migrate":
        from warehouse.connection import warehouse
        from warehouse.migrate import migrate, schema_version
        from warehouse.writer import writer_session

        with (
            writer_session(settings.warehouse, lock_timeout_s=settings.lock_timeout_s, what="migrate"),
            warehouse(settings.warehouse) as con,
        ):
            applied = migrate(con)
            version = schema_version(con)
        print(f"{settings.warehouse}: schema version {version} ({len(applied)} migrations applied)")
        return 0
    if args.command == "rebuild":
        from flows.rebuild import rebuild

        result = rebuild(
            settings.warehouse, settings.landing_dir, max_reject_share=settings.quarantine_max_share,
            sources=set(args.sources) if args.sources else None, lock_timeout_s=settings.lock_timeout_s,
        )
        print(f"rebuilt {settings.warehouse} from {settings.landing_dir}: {result.loads:,} loads replayed, "
              f"{result.rows_in:,} rows in, {result.rows_quarantined:,} quarantined, {result.facts:,} facts")
        if result.unresolved:
            print(f"entrepot: warning: {len(result.unresolved)} load(s) in the journal whose outcome no warehouse "
                  f"could tell (not replayed): {', '.join(result.unresolved)}", file=sys.stderr)
        return 0
    if args.command == "bench":
        from flows.bench import bench

        bench(args.rows, workdir=args.workdir, hts_file=args.hts_file, nightly=not args.skip_nightly)
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
        return _run_flow(args, settings)
    if args.command in {"serve", "status", "export", "report", "docs"}:
        return _dispatch_operations(args, settings)
    if args.command == "ingest":
        from flows.ingest_reference import REFERENCE_SOURCES, ingest_reference
        from flows.ingest_tariffs import TARIFF_SOURCES, ingest_tariff_file, print_tariff_result

        prefect_server.wait_ready()
        if args.source == "staging-notes":
            from flows.ingest_staging_notes import ingest_staging_notes

            result = ingest_staging_notes(str(args.file), args.agreement, args.importer, str(settings.warehouse))
            print(f"staging-notes: {result.rows_in} rows in, {result.rows_quarantined} quarantined, "
                  f"{result.rows_written} texts written ({result.rows_replaced} replaced)")
            return 0
        if args.source in REFERENCE_SOURCES:
            result = ingest_reference(args.source, str(args.file), str(settings.warehouse), force=args.force)
            if result is None:
                print(f"{args.source}: already loaded with the same content (use --force to re-merge)")
            else:
                print(f"{args.source}: {result.rows_in} rows in, {result.rows_quarantined} quarantined, "
                      f"{result.rows_written} concordance rows written ({result.rows_replaced} replaced)")
            return 0
        if args.source in TARIFF_SOURCES:
            options = {k: v for k, v in {"agreement": args.agreement, "importer": args.importer,
                                         "base_date": args.base_date}.items() if v is not None}
            result = ingest_tariff_file(args.source, str(args.file), args.valid_from, str(settings.warehouse),
                                        allow_removals=args.allow_removals, options=options)
            try:
                print_tariff_result(result, settings.warehouse)
            except Exception as exc:  # the edition is published already: say so, exit 0
                print(f"entrepot: warning: the edition was loaded, but its summary could not be printed: {exc}",
                      file=sys.stderr)
            return 0
        from flows.ingest import ingest_file

        summary = ingest_file(args.source, str(args.file), warehouse_path=str(settings.warehouse), force=args.force)
        _print_summary(summary, settings)
        return 0
    raise AssertionError(args.command)


def _run_flow(args: argparse.Namespace, settings) -> int:
    """``run nightly`` and ``run backfill``: progress while the flow works, then the summary."""
    from flows import progress

    if args.flow == "backfill":
        from flows.backfill import backfill

        flow, api = backfill, contextlib.nullcontext()
        if args.task_runner == "dask":
            from prefect_dask import DaskTaskRunner

            from flows.backfill import api_for_workers

            flow, api = backfill.with_options(task_runner=DaskTaskRunner()), api_for_workers()
        prefect_server.wait_ready()
        with api, progress.display():
            summary = flow(args.start, args.end, sources=args.sources, warehouse_path=str(settings.warehouse),
                           today=args.today)
    else:
        from flows.nightly import nightly

        prefect_server.wait_ready()
        with progress.display():
            summary = nightly(warehouse_path=str(settings.warehouse), today=args.today)
    _print_summary(summary, settings)
    return 0


def _dispatch_operations(args: argparse.Namespace, settings) -> int:
    """serve, status, export, report and docs."""
    if args.command == "serve":
        from flows.deployments import serve_deployments

        serve_deployments(str(Path(settings.warehouse).resolve()), cron=args.cron, timezone=args.timezone)
        return 0
    if args.command == "status":
        from flows.status import print_status

        print_status(settings.warehouse, runs=args.runs, landing_dir=settings.landing_dir)
        return 0
    if args.command == "report":
        from warehouse.report import write_report

        out = write_report(settings.warehouse, args.out, [(p.reporter, p.partner) for p in settings.pairs])
        print(f"report written to {out} (self-contained: open it offline in any browser)")
        return 0
    from warehouse.connection import warehouse

    with warehouse(settings.warehouse, read_only=True) as con:
        if args.command == "export":
            from warehouse.export import export_parquet

            exported = export_parquet(con, args.dir)
            print(f"{len(exported)} tables, {sum(e.rows for e in exported):,} rows written as Parquet to {args.dir} "
                  "(see manifest.json and README.md there)")
            return 0
        from warehouse.dictionary import dictionary, to_markdown

        text = to_markdown(dictionary(con))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"data dictionary written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


FLOW_COMMANDS = {"run", "ingest"}
"""Commands that run a Prefect flow (and so need its API)."""


def _command(argv: list[str]) -> str | None:
    """The command word of ``argv`` (the first word that is neither an option nor its value)."""
    words = iter(argv)
    for word in words:
        if word in {"--warehouse", "--config"}:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _announce(args: argparse.Namespace) -> None:
    """The run's first line, before Prefect or the pipeline is imported (an unreadable settings
    file is left for ``_dispatch`` to report)."""
    from pydantic import ValidationError

    from flows.settings import load_settings

    try:
        settings = load_settings(warehouse=args.warehouse)
    except (ValidationError, ValueError, OSError):
        return
    print(f"entrepot: {args.flow} on {settings.warehouse} (upstream {settings.upstream}) starting...", flush=True)


def _stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C (SystemExit): open transactions roll back, temporary files are
    removed, the local Prefect server is stopped at exit. Only from the main thread."""

    def terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminate)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``entrepot`` console command; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    command = _command(argv)
    if command in FLOW_COMMANDS:
        # a flow's logs go to Prefect's API (its UI and `prefect flow-run logs`); the terminal gets the
        # run's own lines and, on failure, one `entrepot: error:` line (a documented logging override)
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    args = _parser(command).parse_args(argv)
    if args.config:
        os.environ["ENTREPOT_CONFIG"] = args.config
    _stop_on_sigterm()
    if args.command == "run":
        _announce(args)
    if args.command in FLOW_COMMANDS:
        prefect_server.start()  # its start-up overlaps the imports below
    from flows.errors import is_user_error

    try:
        return _dispatch(args)
    except Exception as exc:
        from warehouse.writer import disk_full

        if isinstance(exc, OSError) and disk_full(exc) and not is_user_error(exc):
            print(f"entrepot: error: no space left on the disk ({exc}); nothing was published", file=sys.stderr)
            return 2
        if not is_user_error(exc):
            raise
        print(f"entrepot: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
