"""The ``entrepot`` command line: one argparse subcommand per command, each bound to its handler.

Building the parser imports nothing heavy: the handlers (``flows.commands``) import what their
command needs when it runs, so a command that runs no flow never imports Prefect, and a command
line that does not parse is refused in milliseconds with one ``entrepot: error:`` line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import threading
from pathlib import Path
from typing import NoReturn

from flows import commands
from flows.registry import INGEST_NAMES


class UsageError(ValueError):
    """A command line that does not parse (argparse's message, on one line)."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises ``UsageError`` instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("entrepot").strip()
        raise UsageError(f"{command + ': ' if command else ''}{message} (see `{self.prog} --help`)")


class VersionAction(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version and exit", **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        from importlib.metadata import version

        print(f"entrepot {version('entrepot')}")
        parser.exit()


def _date(text: str) -> dt.date:
    """An argparse type: a YYYY-MM-DD date."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _month(text: str) -> str:
    """An argparse type: a YYYY-MM month."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month (YYYY-MM)") from None


def _at_least_one(text: str) -> int:
    """An argparse type: a whole number, 1 or more."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _add_run(commands_: argparse._SubParsersAction) -> None:
    run = commands_.add_parser("run", help="run a flow")
    flows = run.add_subparsers(dest="flow", required=True, metavar="FLOW")
    nightly = flows.add_parser("nightly", help="pull new periods and the revision window, load, report")
    nightly.add_argument("--today", type=_date, help="pretend it is this date (YYYY-MM-DD)")
    nightly.set_defaults(handler=commands.run_nightly)
    backfill = flows.add_parser("backfill", help="load a range of past months, resumably, one task per source x year")
    backfill.add_argument("--start", required=True, type=_month, help="first month, YYYY-MM")
    backfill.add_argument("--end", required=True, type=_month, help="last month, YYYY-MM")
    backfill.add_argument("--sources", nargs="+", choices=["census_api"], help="default: every API source")
    backfill.add_argument("--today", type=_date, help="pretend it is this date (YYYY-MM-DD)")
    backfill.add_argument("--task-runner", choices=["thread", "dask"], default="thread",
                          help="thread (default) or dask: a local Dask cluster of worker processes")
    backfill.set_defaults(handler=commands.run_backfill)


def _add_ingest(commands_: argparse._SubParsersAction) -> None:
    ingest = commands_.add_parser("ingest", help="load a local file of a file-based source")
    ingest.add_argument("source", choices=INGEST_NAMES, metavar="SOURCE",
                        help=f"one of: {', '.join(INGEST_NAMES)}")
    ingest.add_argument("--file", required=True, type=Path, help="the file to load (left in place)")
    ingest.add_argument("--valid-from", type=_date, metavar="DATE",
                        help="tariff sources: date the edition takes effect, YYYY-MM-DD (required for usitc-hts)")
    ingest.add_argument("--force", action="store_true", help="merge again even if this content was already loaded")
    ingest.add_argument("--allow-removals", action="store_true",
                        help="tariff sources: load an edition even if it closes more than tariff_max_removed_share "
                             "(default 2%%) of the lines in force")
    ingest.add_argument("--agreement", metavar="CODE", help="fta-annex, staging-notes: the agreement's code (e.g. VKFTA)")
    ingest.add_argument("--importer", metavar="ISO3", help="fta-annex, staging-notes: the country whose schedule it is (e.g. KOR)")
    ingest.add_argument("--base-date", metavar="DATE",
                        help="fta-annex: the date the annex's base rates (the importer's MFN rates) refer to")
    ingest.set_defaults(handler=commands.ingest)


def _add_reads(commands_: argparse._SubParsersAction) -> None:
    """The commands that only read the warehouse."""
    sql = commands_.add_parser("sql", help="run a read-only query against the warehouse")
    sql.add_argument("query")
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.add_argument("--allow-read", action="append", type=Path, default=[], metavar="DIR",
                     help="let the query read files below DIR (repeatable); never any write")
    sql.set_defaults(handler=commands.sql)
    status = commands_.add_parser(
        "status", help="per source the last period loaded; the last runs; quarantine counts; the last quality gate"
    )
    status.add_argument("--runs", type=int, default=10, help="how many recent runs to list")
    status.set_defaults(handler=commands.status)
    export = commands_.add_parser("export", help="write the marts and core tables as Hive-partitioned Parquet")
    export.add_argument("--format", choices=["parquet"], default="parquet")
    export.add_argument("dir", type=Path, metavar="DIR")
    export.set_defaults(handler=commands.export)
    report = commands_.add_parser("report", help="write a self-contained HTML report with charts")
    report.add_argument("--out", required=True, type=Path, metavar="FILE.html")
    report.set_defaults(handler=commands.report)
    docs = commands_.add_parser("docs", help="the data dictionary: every table and column with its description")
    docs.add_argument("--out", type=Path, metavar="FILE.md", help="write Markdown here instead of printing")
    docs.set_defaults(handler=commands.docs)


def _add_operations(commands_: argparse._SubParsersAction) -> None:
    """Schema, rebuild, benchmark, demo upstream and deployments."""
    commands_.add_parser("migrate", help="create or upgrade the warehouse schema").set_defaults(handler=commands.migrate)
    rebuild = commands_.add_parser("rebuild", help="rebuild the warehouse from the landing directory alone")
    rebuild.add_argument("--sources", nargs="+", help="only these datasets (e.g. census_api)")
    rebuild.set_defaults(handler=commands.rebuild)
    bench = commands_.add_parser("bench", help="time the pipeline against DuckDB's own load of the same files")
    bench.add_argument("--rows", type=int, default=10_000_000, help="rows of Census HS10 data to generate")
    bench.add_argument("--workdir", type=Path, help="where to write the generated data (default: a temp dir)")
    bench.add_argument("--hts-file", type=Path, help="an HTS edition CSV to time parsing too")
    bench.add_argument("--skip-nightly", action="store_true", help="leave out the unchanged-upstream nightly run")
    bench.add_argument("--runs", type=_at_least_one, default=3, help="runs of each timed step (default: 3)")
    bench.add_argument("--journal", action="store_true",
                       help="also time a rebuild from a load journal: the landing loaded month by month first (untimed)")
    bench.add_argument("--peers", action="store_true",
                       help="also time dlt's merge of the same files (needs `uv sync --frozen --group peers`)")
    bench.set_defaults(handler=commands.bench)
    demo = commands_.add_parser("demo-server", help="serve the demo upstream on 127.0.0.1 until interrupted")
    demo.add_argument("--port", type=int, default=8765)
    demo.set_defaults(handler=commands.demo_server)
    serve = commands_.add_parser("serve", help="register the nightly and backfill deployments with a Prefect server and run them")
    serve.add_argument("--cron", default="0 6 * * *", help="nightly schedule (default: 06:00 every day)")
    serve.add_argument("--timezone", default="UTC", help="time zone of the cron schedule (default: UTC)")
    serve.set_defaults(handler=commands.serve)


def build_parser() -> ArgumentParser:
    """The whole command line; each command's parser names its handler (``args.handler``)."""
    parser = ArgumentParser(prog="entrepot", description="Trade statistics and tariff schedules in a DuckDB warehouse.")
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("--warehouse", metavar="PATH", help="DuckDB file (overrides ENTREPOT_WAREHOUSE and entrepot.toml)")
    parser.add_argument("--config", metavar="FILE", help="settings file (default: ./entrepot.toml if present)")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands_ = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run(commands_)
    _add_ingest(commands_)
    _add_reads(commands_)
    _add_operations(commands_)
    return parser


def _stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C (SystemExit): open transactions roll back, temporary files are
    removed, the local Prefect server is stopped at exit. Only from the main thread."""

    def terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminate)


def _fail(message: object) -> int:
    """One ``entrepot: error:`` line on stderr; exit code 2."""
    text = "; ".join(line.strip() for line in str(message).splitlines() if line.strip())
    print(f"entrepot: error: {text}", file=sys.stderr)
    return 2


def _failure(exc: Exception) -> str | None:
    """The line to print for an error that is the user's (input, files, environment), else None."""
    from flows.errors import is_user_error

    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(exc, pydantic.ValidationError):  # the settings: one item each
        items = [f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors()]
        return f"bad settings ({os.environ.get('ENTREPOT_CONFIG', 'entrepot.toml')} or ENTREPOT_*): {'; '.join(items)}"
    if is_user_error(exc):
        return str(exc)
    if isinstance(exc, OSError):
        from warehouse.writer import disk_full

        if disk_full(exc):
            return f"no space left on the disk ({exc}); nothing was published"
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``entrepot`` console command; returns the exit code."""
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        return _fail(exc)
    if args.config:
        os.environ["ENTREPOT_CONFIG"] = args.config
    _stop_on_sigterm()
    try:
        return args.handler(args)
    except Exception as exc:
        line = _failure(exc)
        if line is None or args.debug:
            raise
        return _fail(line)


if __name__ == "__main__":
    raise SystemExit(main())
