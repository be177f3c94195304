"""One function per ``entrepot`` command (``flows.cli`` binds each to its subcommand).

Each handler imports what its command needs when it runs. Only ``run`` and ``ingest`` run a flow:
they check their arguments and files first, then start the local Prefect server
(``flows.prefect_server``), whose start-up overlaps the import of the flow's modules.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from flows import prefect_server


def _settings(args: argparse.Namespace):
    from flows.settings import load_settings

    return load_settings(warehouse=args.warehouse)


def _start_prefect() -> None:
    """Before a flow's modules are imported: quiet, patient Prefect settings (documented ones) and
    the local server, which starts while the imports run."""
    # a flow's logs go to Prefect's API (its UI and `prefect flow-run logs`); the terminal gets the
    # run's own lines and, on failure, one `entrepot: error:` line (a documented logging override)
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    prefect_server.start()


def _print_summary(summary, settings) -> None:
    """The run's summary; the run has committed, so a failure here is a warning, never an error."""
    from flows.summary import print_summary
    from warehouse.connection import warehouse

    try:
        with warehouse(settings.warehouse, read_only=True) as con:
            print_summary(summary, con, [(p.reporter, p.partner) for p in settings.pairs])
    except Exception as exc:  # the load is published already: say so, exit 0
        print(f"entrepot: warning: the run completed, but its summary could not be printed: {exc}", file=sys.stderr)


def run_nightly(args: argparse.Namespace) -> int:
    """``entrepot run nightly``: progress while the flow works, then the summary."""
    settings = _settings(args)
    print(f"entrepot: nightly on {settings.warehouse} (upstream {settings.upstream}) starting...", flush=True)
    _start_prefect()
    from flows import progress
    from flows.nightly import nightly

    prefect_server.wait_ready()
    with progress.display():
        summary = nightly(warehouse_path=str(settings.warehouse), today=args.today)
    _print_summary(summary, settings)
    return 0


def run_backfill(args: argparse.Namespace) -> int:
    """``entrepot run backfill``: the months from --start to --end, then the summary."""
    if args.start > args.end:
        raise ValueError(f"backfill: --start {args.start} is after --end {args.end}")
    settings = _settings(args)
    print(f"entrepot: backfill on {settings.warehouse} (upstream {settings.upstream}) starting...", flush=True)
    _start_prefect()
    from flows import progress
    from flows.backfill import api_for_workers, backfill

    flow, api = backfill, contextlib.nullcontext()
    if args.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        flow, api = backfill.with_options(task_runner=DaskTaskRunner()), api_for_workers()
    prefect_server.wait_ready()
    with api, progress.display():
        summary = flow(args.start, args.end, sources=args.sources, warehouse_path=str(settings.warehouse),
                       today=args.today)
    _print_summary(summary, settings)
    return 0


def check_ingest(args: argparse.Namespace) -> dict[str, str]:
    """Refuse an ingest command line before any flow starts: a missing file, an option the source
    does not take, a missing or malformed one (its declaration says). Returns the checked scope."""
    from flows.ingest_options import OPTIONS, check_options
    from flows.registry import declaration

    if not args.file.exists():
        raise FileNotFoundError(f"--file {args.file}: no such file")
    if not args.file.is_file():
        raise ValueError(f"--file {args.file}: not a file")
    return check_options(declaration(args.source, "file"), {option: getattr(args, option) for option in OPTIONS})


def _print_result(source, result, settings) -> None:
    """What the load did, as its loader kind says it; the load is published, so a failure is a warning."""
    if source.loader == "trade":
        _print_summary(result, settings)
    elif source.loader == "tariff":
        from flows.ingest_tariffs import print_tariff_result

        try:
            print_tariff_result(result, settings.warehouse)
        except Exception as exc:  # the edition is published already: say so, exit 0
            print(f"entrepot: warning: the edition was loaded, but its summary could not be printed: {exc}",
                  file=sys.stderr)
    elif result is None:
        print(f"{source.name}: already loaded with the same content (use --force to re-merge)")
    else:
        print(f"{source.name}: {result.rows_in} rows in, {result.rows_quarantined} quarantined, "
              f"{result.rows_written} {source.params['rows']} written ({result.rows_replaced} replaced)")


def ingest(args: argparse.Namespace) -> int:
    """``entrepot ingest SOURCE --file PATH``: checked, then loaded by the one ingest flow."""
    from flows.registry import declaration

    options = check_ingest(args)
    settings = _settings(args)
    _start_prefect()
    from flows.ingest import ingest as ingest_flow

    prefect_server.wait_ready()
    result = ingest_flow(
        args.source, str(args.file), str(settings.warehouse), force=args.force, valid_from=args.valid_from,
        allow_removals=args.allow_removals, **options,
    )
    _print_result(declaration(args.source), result, settings)
    return 0


def sql(args: argparse.Namespace) -> int:
    """``entrepot sql QUERY``: a read-only query, confined (see ``flows.sql``)."""
    settings = _settings(args)
    from flows.sql import render, run_query

    sys.stdout.write(render(run_query(settings.warehouse, args.query, args.allow_read, kernel_guard=True), args.format))
    return 0


def status(args: argparse.Namespace) -> int:
    """``entrepot status``: what is loaded, the last runs, quarantine, the last quality gate."""
    settings = _settings(args)
    from flows.status import print_status

    print_status(settings.warehouse, runs=args.runs, landing_dir=settings.landing_dir)
    return 0


def export(args: argparse.Namespace) -> int:
    """``entrepot export DIR``: the marts and core tables as Hive-partitioned Parquet."""
    settings = _settings(args)
    from warehouse.connection import warehouse
    from warehouse.export import export_parquet

    with warehouse(settings.warehouse, read_only=True) as con:
        exported = export_parquet(con, args.dir)
    print(f"{len(exported)} tables, {sum(e.rows for e in exported):,} rows written as Parquet to {args.dir} "
          "(see manifest.json and README.md there)")
    return 0


def report(args: argparse.Namespace) -> int:
    """``entrepot report --out FILE.html``: a self-contained HTML report."""
    settings = _settings(args)
    from warehouse.report import write_report

    out = write_report(settings.warehouse, args.out, [(p.reporter, p.partner) for p in settings.pairs])
    print(f"report written to {out} (self-contained: open it offline in any browser)")
    return 0


def docs(args: argparse.Namespace) -> int:
    """``entrepot docs [--out FILE.md]``: the data dictionary."""
    settings = _settings(args)
    from warehouse.connection import warehouse
    from warehouse.dictionary import dictionary, to_markdown

    with warehouse(settings.warehouse, read_only=True) as con:
        text = to_markdown(dictionary(con))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"data dictionary written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def migrate(args: argparse.Namespace) -> int:
    """``entrepot migrate``: create or upgrade the schema, under the writer's lock."""
    settings = _settings(args)
    from warehouse.connection import warehouse
    from warehouse.migrate import migrate as apply
    from warehouse.migrate import schema_version
    from warehouse.writer import writer_session

    with (
        writer_session(settings.warehouse, lock_timeout_s=settings.lock_timeout_s, what="migrate"),
        warehouse(settings.warehouse) as con,
    ):
        applied = apply(con)
        version = schema_version(con)
    print(f"{settings.warehouse}: schema version {version} ({len(applied)} migrations applied)")
    return 0


def rebuild(args: argparse.Namespace) -> int:
    """``entrepot rebuild``: the warehouse again from the landing directory and the load journal."""
    settings = _settings(args)
    from flows.rebuild import rebuild as replay

    result = replay(
        settings.warehouse, settings.landing_dir, max_reject_share=settings.quarantine_max_share,
        sources=set(args.sources) if args.sources else None, lock_timeout_s=settings.lock_timeout_s,
    )
    print(f"rebuilt {settings.warehouse} from {settings.landing_dir}: {result.loads:,} loads replayed, "
          f"{result.rows_in:,} rows in, {result.rows_quarantined:,} quarantined, {result.facts:,} facts")
    if result.unresolved:
        print(f"entrepot: warning: {len(result.unresolved)} load(s) in the journal whose outcome no warehouse "
              f"could tell (not replayed): {', '.join(result.unresolved)}", file=sys.stderr)
    return 0


def bench(args: argparse.Namespace) -> int:
    """``entrepot bench``: the pipeline against DuckDB's own load of the same files."""
    from flows.bench import bench as run

    run(args.rows, workdir=args.workdir, hts_file=args.hts_file, nightly=not args.skip_nightly,
        runs=args.runs, peers=args.peers, journal=args.journal)
    return 0


def demo_server(args: argparse.Namespace) -> int:
    """``entrepot demo-server``: the demo upstream on 127.0.0.1 until Ctrl-C."""
    import time

    from flows.demo.server import serve

    with serve(port=args.port) as (base_url, _):
        print(f"demo upstream serving the Census API format at {base_url} (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0


def serve(args: argparse.Namespace) -> int:
    """``entrepot serve``: register the deployments with a Prefect server and run them."""
    settings = _settings(args)
    from flows.deployments import serve_deployments

    serve_deployments(str(Path(settings.warehouse).resolve()), cron=args.cron, timezone=args.timezone)
    return 0
