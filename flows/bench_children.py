"""The steps ``entrepot bench`` times, each run in a fresh interpreter (``python -m flows.bench_children``).

A child imports its modules before its clock starts (reported apart as ``import_s``), does one step
and prints one JSON line: its wall time, its peak resident memory and what it did.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

LANDED_JSON = "census_api/*/*.json"
GRAIN = {"export": ["CTY_CODE", "E_COMMODITY", "COMM_LVL", "time"], "import": ["CTY_CODE", "I_COMMODITY", "COMM_LVL", "time"]}
"""A raw Census row's grain, by direction (the raw models' ``unique``): dlt's primary key."""


def _peak_rss_mb() -> float:
    """This process's peak resident memory, or a child process's if one grew larger (dlt's workers)."""
    own, children = (resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return max(own, children) / 1024


def _child_duckdb(landing: Path, out: Path) -> dict[str, object]:
    from warehouse.bench_reads import duckdb_alone

    return duckdb_alone(str(landing / LANDED_JSON), out)


def _timed_refresh() -> dict[str, float]:
    """Count the time loads spend on the stored marts: noting their changes, adding them to the sums
    and refreshing the marts (``warehouse.yearly_sums``, ``warehouse.mart_tables``; nested calls
    counted once)."""
    from warehouse import mart_tables, yearly_sums

    spent = {"seconds": 0.0}
    depth = [0]

    def timed(step: Callable[..., None]) -> Callable[..., None]:
        def run(*args: object, **kwargs: object) -> None:
            depth[0] += 1
            started = time.monotonic()
            try:
                step(*args, **kwargs)
            finally:
                depth[0] -= 1
                if not depth[0]:
                    spent["seconds"] += time.monotonic() - started
        return run

    for module, name in ((yearly_sums, "start"), (yearly_sums, "note_inserted"), (yearly_sums, "note_replaced"),
                         (yearly_sums, "apply_if_large"), (yearly_sums, "apply_changes"), (mart_tables, "refresh")):
        setattr(module, name, timed(getattr(module, name)))
    return spent


def _child_rebuild(landing: Path, out: Path) -> dict[str, object]:
    from flows.rebuild import rebuild

    refresh = _timed_refresh()
    result = rebuild(out, landing, max_reject_share=0.0)
    return {"rows": result.rows_in, "facts": result.facts, "quarantined": result.rows_quarantined,
            "refresh_s": refresh["seconds"], "loads": result.loads}


def _child_journal_landing(landing: Path, out: Path) -> dict[str, object]:
    """Load the landed payloads month by month, each month one journaled load (as ``entrepot
    ingest`` and the nightly load and journal them), so that ``landing`` has a load journal."""
    import itertools
    import uuid

    from flows.pipeline import load_processed, process_payload, read_crosswalk
    from flows.registry import kind_for_payload
    from flows.runs import load_record, payload_records
    from flows.sources.landing import LandedPayload, read_manifest
    from warehouse.clock import load_clock
    from warehouse.connection import warehouse
    from warehouse.migrate import migrate
    from warehouse.writer import writer_session

    payloads = [LandedPayload.from_record(r) for r in read_manifest(landing)]
    months = [list(g) for _, g in itertools.groupby(payloads, key=lambda p: p.request.rsplit("time=", 1)[-1])]
    with writer_session(out, journal_dir=landing) as session:
        assert session.journal is not None
        with warehouse(out) as con:
            migrate(con)
            crosswalk = read_crosswalk(con)
        for month in months:
            kinds = [(p, kind_for_payload(p.source, p.request)) for p in month]
            processed = [process_payload(p, kind, landing, crosswalk) for p, kind in kinds]
            run_id, started = str(uuid.uuid4()), dt.datetime.now(dt.UTC)
            with load_clock() as clock, warehouse(out) as con:
                load_processed(con, processed, run_id=run_id, flow_name="bench month", started_at=started,
                               max_reject_share=0.0)
            session.journal.add(load_record(
                run_id=run_id, loader="trade", flow_name="bench month", started_at=started, max_reject_share=0.0,
                payloads=payload_records([(p, kind.name) for p, kind in kinds]), stamps=clock.recorded(),
            ))
            session.publish()
    return {"loads": len(months)}


def _child_dlt(landing: Path, out: Path) -> dict[str, object]:
    """dlt's idempotent merge of the same landed Census payloads into a DuckDB file: one table per
    direction, ``write_disposition="merge"`` on the raw grain, each payload parsed as the pipeline
    parses it (``census_api.read_payload``) and handed to dlt as an Arrow table."""
    import dlt

    from flows.sources import census_api
    from flows.sources.landing import LandedPayload, read_manifest

    payloads = [LandedPayload.from_record(r) for r in read_manifest(landing) if r["source"] == census_api.SOURCE]

    def rows(direction: str) -> Iterator[object]:  # Arrow tables, one a payload
        for payload in payloads:
            if payload.request.startswith(census_api.ENDPOINTS[direction]):
                yield census_api.read_payload(payload.path(landing)).drop("source_row").to_arrow()

    resources = [
        dlt.resource(rows(direction), name=f"census_{direction}s", write_disposition="merge", primary_key=GRAIN[direction])
        for direction in GRAIN
    ]
    pipeline = dlt.pipeline(
        pipeline_name="entrepot_bench", pipelines_dir=str(out.parent / f"{out.name}.pipelines"),
        destination=dlt.destinations.duckdb(str(out)), dataset_name="census",
    )
    pipeline.run(resources)
    counts = pipeline.last_trace.last_normalize_info.row_counts
    return {"rows": sum(n for table, n in counts.items() if table.startswith("census_"))}


def _child_incremental(landing: Path, out: Path, manifest_from: int, hts_file: Path | None) -> dict[str, object]:
    """One new month, the same month again, then (with an HTS file) an HTS edition parse, each timed."""
    from flows.rebuild import load_payloads
    from flows.sources.landing import LandedPayload, read_manifest

    figures: dict[str, object] = {}
    payloads = [LandedPayload.from_record(r) for r in read_manifest(landing)[manifest_from:]]
    refresh = _timed_refresh()
    for step in ("new_month", "again"):
        started = time.monotonic()
        refresh["seconds"] = 0.0
        result = load_payloads(out, landing, payloads, flow_name=f"bench {step}", max_reject_share=0.0)
        figures[step] = {
            "seconds": time.monotonic() - started,
            "refresh_s": refresh["seconds"],
            "rows": result.rows_in,
            "inserted": result.facts_inserted,
            "updated": result.facts_updated,
            "unchanged": result.facts_unchanged,
        }
    if hts_file is not None:
        started = time.monotonic()
        figures["hts"] = {**_parse_hts(hts_file), "seconds": time.monotonic() - started}
    return figures


def _parse_hts(path: Path) -> dict[str, object]:
    """Read, validate and parse a whole HTS edition (lines and every rate text), no warehouse."""
    import polars as pl

    from flows.sources.usitc_hts import read_file
    from schemas.raw.usitc_hts import UsitcHtsRaw
    from schemas.validation import split_valid
    from transforms.usitc_hts import conform

    raw = read_file(path)
    lines, rates, _ = conform(split_valid(raw, UsitcHtsRaw, path.name).valid)
    unparsed = rates.filter(pl.col("parse_status") == "unparsed").height
    return {"rows": raw.height, "lines": lines.height, "rates": rates.height, "unparsed": unparsed}


def _child_prime(landing: Path, warehouse: Path) -> dict[str, object]:
    """Land and load what tonight's demo nightly run will ask for, in one batch as the nightly loads
    them, without Prefect (quick)."""
    import uuid

    from flows import planning
    from flows.demo.server import DemoUpstream, serve
    from flows.pipeline import fetch_census_months, load_processed, process_payload, read_crosswalk
    from flows.registry import census_api_kind
    from flows.settings import load_settings
    from warehouse.connection import warehouse as open_warehouse

    today = dt.date.today()
    settings = load_settings(warehouse=str(warehouse), landing_dir=str(landing), upstream="demo")
    months = planning.month_range(settings.revision_start(today), f"{today.year}-{today.month:02d}")
    landed = []
    with serve(DemoUpstream(today=today)) as (url, _):
        for direction in ("export", "import"):
            for chunk in planning.chunk_by_year(months).values():
                landed += [(p, census_api_kind(direction)) for p in fetch_census_months(direction, chunk, url, settings)]
    with open_warehouse(warehouse) as con:
        crosswalk = read_crosswalk(con)
        processed = [process_payload(p, kind, landing, crosswalk) for p, kind in landed]
        load_processed(
            con, processed, run_id=str(uuid.uuid4()), flow_name="bench priming",
            started_at=dt.datetime.now(dt.UTC), max_reject_share=0.0,
        )
    return {}


def _child_queries(warehouse: Path) -> dict[str, object]:
    from warehouse.bench_reads import time_queries

    return time_queries(warehouse)


IMPORTS: dict[str, tuple[str, ...]] = {
    "duckdb": ("duckdb",),
    "rebuild": ("flows.rebuild",),
    "rebuild-journal": ("flows.rebuild",),
    "journal-landing": ("flows.rebuild",),
    "dlt": ("dlt", "flows.sources.census_api"),
    "incremental": ("flows.rebuild", "flows.sources.usitc_hts", "schemas.raw.usitc_hts", "transforms.usitc_hts"),
    "prime": ("flows.pipeline", "flows.demo.server"),
    "queries": ("duckdb",),
}
"""What each child imports before its clock starts (reported apart as ``import_s``)."""


def _run(kind: str, args: list[str]) -> dict[str, object]:
    paths = [Path(a) for a in args]
    if kind == "incremental":
        return _child_incremental(paths[0], paths[1], int(args[2]), paths[3] if args[3:] else None)
    if kind == "queries":
        return _child_queries(paths[0])
    child = {"duckdb": _child_duckdb, "rebuild": _child_rebuild, "rebuild-journal": _child_rebuild,
             "journal-landing": _child_journal_landing, "dlt": _child_dlt, "prime": _child_prime}[kind]
    return child(paths[0], paths[1])


def main(argv: list[str]) -> None:
    """Run the step ``argv[0]`` with its arguments; print its figures as one JSON line."""
    kind, *args = argv
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")  # dlt sends no usage figures anywhere
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
    started = time.monotonic()
    for module in IMPORTS[kind]:
        importlib.import_module(module)
    imported = time.monotonic()
    detail = _run(kind, args)
    figures = {"seconds": time.monotonic() - imported, "import_s": imported - started, "peak_rss_mb": _peak_rss_mb(), **detail}
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
