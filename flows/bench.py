"""``entrepot bench``: the pipeline's load speed against DuckDB's own, on generated Census HS10 data.

Each timed load runs in a child process that reports its own wall time and peak resident memory;
a child imports its modules before its clock starts (the import time is printed apart, for DuckDB
alone as for the rebuild). The last line printed is ``rebuild/duckdb ratio: X.XX``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LANDED_JSON = "census_api/*/*.json"


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_rss_mb: float
    detail: dict[str, object]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_duckdb(landing: Path, out: Path) -> dict[str, object]:
    import duckdb

    with duckdb.connect(str(out)) as con:
        con.execute(
            f"CREATE TABLE raw AS SELECT * FROM read_json('{landing / LANDED_JSON}', format = 'array')"
        )
        rows = con.sql("SELECT count(*) FROM raw").fetchall()[0][0]
    return {"rows": rows}


def _timed_refresh() -> dict[str, float]:
    """Count the time loads spend on the stored marts: noting their changes, adding them to the sums
    and refreshing the marts (``warehouse.mart_tables``; nested calls counted once)."""
    from warehouse import mart_tables

    spent = {"seconds": 0.0}
    depth = [0]

    def timed(step: Callable[..., None]) -> Callable[..., None]:
        def run(*args: object) -> None:
            depth[0] += 1
            started = time.monotonic()
            try:
                step(*args)
            finally:
                depth[0] -= 1
                if not depth[0]:
                    spent["seconds"] += time.monotonic() - started
        return run

    for name in ("note_inserted", "note_replaced", "apply_changes", "refresh"):
        setattr(mart_tables, name, timed(getattr(mart_tables, name)))
    return spent


def _child_rebuild(landing: Path, out: Path) -> dict[str, object]:
    from flows.rebuild import rebuild

    refresh = _timed_refresh()
    result = rebuild(out, landing, max_reject_share=0.0)
    return {"rows": result.rows_in, "facts": result.facts, "quarantined": result.rows_quarantined,
            "refresh_s": refresh["seconds"]}


QUERIES = {
    "partner_rank, one reporter and year": "SELECT * FROM marts.partner_rank WHERE reporter_iso3 = $r AND year = $y",
    "trade_balance, one pair": "SELECT * FROM marts.trade_balance WHERE reporter_iso3 = $r AND partner_iso3 = $p",
    "trade_by_sector, one pair and year": (
        "SELECT * FROM marts.trade_by_sector WHERE reporter_iso3 = $r AND partner_iso3 = $p AND year = $y"
    ),
    "mirror_flows, one pair": (
        "SELECT * FROM marts.mirror_flows WHERE (exporter_iso3 = $r AND importer_iso3 = $p) "
        "OR (exporter_iso3 = $p AND importer_iso3 = $r)"
    ),
    "tariff_indicators, one importer and year": (
        "SELECT * FROM marts.tariff_indicators WHERE importer_iso3 = $r AND year = $y"
    ),
}
"""What a dashboard tile asks, timed warm by ``entrepot bench`` (the median of ``RUNS`` after a first run)."""
RUNS = 5


def _child_queries(warehouse: Path) -> dict[str, object]:
    import statistics

    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        year = con.sql("SELECT max(year) FROM core.dim_period").fetchall()[0][0]
        params = {"r": "USA", "p": "KOR", "y": year}
        figures: dict[str, object] = {"year": year}
        for name, sql in QUERIES.items():
            used = {k: v for k, v in params.items() if f"${k}" in sql}
            rows = len(con.sql(sql, params=used).fetchall())
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                con.sql(sql, params=used).fetchall()
                times.append(time.perf_counter() - started)
            figures[name] = {"ms": 1000 * statistics.median(times), "rows": rows}
    return figures


def _child_incremental(
    landing: Path, out: Path, manifest_from: int, prime: bool, hts_file: Path | None
) -> dict[str, object]:
    """One new month, the same month again, then (with an HTS file) an HTS edition parse, each timed;
    then, untimed, the demo upstream's payloads loaded for the unchanged nightly run."""
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
    if prime:
        started = time.monotonic()
        _prime_nightly(out, landing, dt.date.today())
        figures["primed_s"] = time.monotonic() - started
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


CHILDREN: dict[str, Callable[..., dict[str, object]]] = {
    "duckdb": _child_duckdb,
    "rebuild": _child_rebuild,
    "incremental": _child_incremental,
    "queries": _child_queries,
}
IMPORTS: dict[str, tuple[str, ...]] = {
    "duckdb": ("duckdb",),
    "rebuild": ("flows.rebuild",),
    "incremental": ("flows.rebuild", "flows.sources.usitc_hts", "schemas.raw.usitc_hts", "transforms.usitc_hts"),
    "queries": ("duckdb",),
}
"""What each child imports before its clock starts (reported apart as ``import_s``)."""


def run_child(kind: str, *args: str) -> Measure:
    """Run one measured step in a fresh interpreter; it prints its figures as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "flows.bench", kind, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench step {kind} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Measure(figures.pop("seconds"), figures.pop("peak_rss_mb"), figures)


def _prime_nightly(warehouse: Path, landing: Path, today: dt.date) -> None:
    """Land and load what tonight's demo nightly run will ask for, in one batch as the nightly loads
    them, without Prefect (quick)."""
    import uuid

    from flows import planning
    from flows.demo.server import DemoUpstream, serve
    from flows.pipeline import fetch_census_months, load_processed, process_payload, read_crosswalk
    from flows.registry import census_api_kind
    from flows.settings import load_settings
    from warehouse.connection import warehouse as open_warehouse

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


def _nightly_unchanged(warehouse: Path, root: Path, landing: Path) -> float:
    """Wall time of a nightly run (Prefect start-up included) when every payload is already loaded."""
    env = {**os.environ, "ENTREPOT_WAREHOUSE": str(warehouse), "ENTREPOT_LANDING_DIR": str(landing)}
    command = [sys.executable, "-m", "flows.cli", "run", "nightly"]
    # untimed first: the sources the priming leaves out (Korea's side of the default pair) land and load
    first = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, check=False)
    if first.returncode != 0:
        raise RuntimeError(f"the first nightly failed:\n{first.stdout[-2000:]}{first.stderr[-2000:]}")
    started = time.monotonic()
    done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0 or "nothing changed" not in done.stdout:
        raise RuntimeError(f"unchanged nightly did not report 'nothing changed':\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.monotonic() - started


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def bench(
    rows: int,
    workdir: Path | None = None,
    hts_file: Path | None = None,
    nightly: bool = True,
    echo: Callable[[str], None] = print,
) -> float:
    """Run every measurement and print the figures; returns the rebuild/duckdb ratio."""
    from flows.demo.bench_generator import ROWS_PER_FILE, generate
    from flows.sources.landing import read_manifest

    root = Path(workdir or tempfile.mkdtemp(prefix="entrepot-bench-"))
    landing = root / "landing"
    if landing.exists():
        shutil.rmtree(landing)
    started = time.monotonic()
    data = generate(rows, landing, last_month=_bench_last_month(dt.date.today()))
    size = sum(p.bytes for p in data.payloads) / 1e6
    echo(
        f"entrepot bench: {data.rows:,} rows of Census HS10 monthly trade, all partners, "
        f"{len(data.payloads)} landed payloads ({size:,.0f} MB), generated in {time.monotonic() - started:.1f} s, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}"
    )
    for name in ("duckdb.duckdb", "warehouse.duckdb"):
        for stale in root.glob(name + "*"):
            stale.unlink()
    bare = run_child("duckdb", str(landing), str(root / "duckdb.duckdb"))
    echo(
        f"duckdb alone (CREATE TABLE AS read_json) : {bare.seconds:8.2f} s  {data.rows / bare.seconds:>12,.0f} rows/s  peak RSS {bare.peak_rss_mb:8,.0f} MB"
    )
    warehouse = root / "warehouse.duckdb"
    rebuilt = run_child("rebuild", str(landing), str(warehouse))
    _echo_rebuild(rebuilt, bare, data.rows, warehouse, echo)
    before = len(read_manifest(landing))
    month_rows = min(data.rows // len(data.months), 2 * ROWS_PER_FILE)  # a month as big as the others
    extra = generate(month_rows, landing, first_month=_next(data.months[-1]))
    hts = [str(hts_file)] if hts_file is not None and hts_file.exists() else []
    steps = run_child("incremental", str(landing), str(warehouse), str(before), "prime" if nightly else "-", *hts)
    _echo_incremental(steps, extra.rows, data.rows, echo)
    if nightly:
        unchanged = _nightly_unchanged(warehouse, root, landing)
        echo(
            f"nightly run, nothing changed upstream    : {unchanged:8.2f} s  (the whole command, Prefect start-up "
            f"included; the demo upstream's payloads were loaded first in {steps.detail['primed_s']:.1f} s)"
        )
    _echo_queries(run_child("queries", str(warehouse)), echo)
    ratio = rebuilt.seconds / bare.seconds
    echo(f"whole bench (generation, priming and child start-ups included): {time.monotonic() - started:.1f} s")
    echo(f"rebuild/duckdb ratio: {ratio:.2f}")
    return ratio


def _echo_incremental(steps: Measure, month_rows: int, rows: int, echo: Callable[[str], None]) -> None:
    """The new month, the same month again and the HTS parse, as measured by the incremental child."""
    new_month, again = steps.detail["new_month"], steps.detail["again"]
    echo(
        f"one new month ({month_rows:,} rows) on {rows:,}   : {new_month['seconds']:8.2f} s  "
        f"inserted {new_month['inserted']:,}"
    )
    echo(f"  of which stored marts refreshed        : {_share(new_month['refresh_s'], new_month['seconds'])}")
    echo(
        f"same month again (idempotent merge)      : {again['seconds']:8.2f} s  "
        f"inserted {again['inserted']:,} updated {again['updated']:,} unchanged {again['unchanged']:,}  "
        f"(peak RSS of both {steps.peak_rss_mb:,.0f} MB)"
    )
    if "hts" in steps.detail:
        parsed = steps.detail["hts"]
        echo(
            f"HTS edition parse ({parsed['rows']:,} rows)            : {parsed['seconds']:8.2f} s  "
            f"unparsed rate texts {parsed['unparsed']}"
        )


def _echo_rebuild(rebuilt: Measure, bare: Measure, rows: int, warehouse: Path, echo: Callable[[str], None]) -> None:
    echo(
        f"rebuild landing -> warehouse             : {rebuilt.seconds:8.2f} s  {rows / rebuilt.seconds:>12,.0f} rows/s  "
        f"peak RSS {rebuilt.peak_rss_mb:8,.0f} MB  facts {rebuilt.detail['facts']:,}  warehouse {_size_mb(warehouse):,.0f} MB  "
        f"(+{rebuilt.detail['import_s']:.1f} s Python imports before the clock; duckdb's: {bare.detail['import_s']:.1f} s)"
    )
    echo(f"  of which stored marts refreshed        : {_share(rebuilt.detail['refresh_s'], rebuilt.seconds)}")


def _share(part: float, whole: float) -> str:
    """``part`` seconds of a step and what they add to the rest of it."""
    rest = whole - part
    return f"{part:8.2f} s  (+{100 * part / rest:.1f}% on the {rest:.2f} s of the rest)" if rest > 0 else f"{part:8.2f} s"


def _echo_queries(measured: Measure, echo: Callable[[str], None]) -> None:
    load = os.getloadavg()
    echo(
        f"mart queries, warm (median of {RUNS} after a first run), USA with KOR, {measured.detail['year']}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}:"
    )
    for name in QUERIES:
        figure = measured.detail[name]
        echo(f"  {name:<41}: {figure['ms']:8.1f} ms  ({figure['rows']:,} rows)")


def _bench_last_month(today: dt.date) -> str:
    """Bench months end just before tonight's revision window (which the demo nightly covers)."""
    return f"{today.year - 2}-12"


def _next(month: str) -> str:
    index = int(month[:4]) * 12 + int(month[5:7])
    return f"{index // 12}-{index % 12 + 1:02d}"


def _child_main(argv: list[str]) -> None:
    kind, *args = argv
    started = time.monotonic()
    for module in IMPORTS[kind]:
        importlib.import_module(module)
    imported = time.monotonic()
    if kind == "incremental":
        detail = CHILDREN[kind](
            Path(args[0]), Path(args[1]), int(args[2]), args[3] == "prime", Path(args[4]) if args[4:] else None
        )
    elif kind == "queries":
        detail = CHILDREN[kind](Path(args[0]))
    else:
        detail = CHILDREN[kind](Path(args[0]), Path(args[1]))
    figures = {
        "seconds": time.monotonic() - imported,
        "import_s": imported - started,
        "peak_rss_mb": _peak_rss_mb(),
        **detail,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    _child_main(sys.argv[1:])
