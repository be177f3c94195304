"""``entrepot bench``: the pipeline's load speed against DuckDB's own, on generated Census HS10 data.

Each timed load runs in a child process that reports its own wall time and peak resident memory.
The last line printed is ``rebuild/duckdb ratio: X.XX``.
"""

from __future__ import annotations

import datetime as dt
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


def _child_rebuild(landing: Path, out: Path) -> dict[str, object]:
    from flows.rebuild import rebuild

    result = rebuild(out, landing, max_reject_share=0.0)
    return {"rows": result.rows_in, "facts": result.facts_inserted, "quarantined": result.rows_quarantined}


def _child_incremental(landing: Path, out: Path, manifest_from: int) -> dict[str, object]:
    from flows.rebuild import load_payloads
    from flows.sources.landing import LandedPayload, read_manifest

    payloads = [LandedPayload.from_record(r) for r in read_manifest(landing)[manifest_from:]]
    result = load_payloads(out, landing, payloads, flow_name="bench incremental", max_reject_share=0.0)
    return {
        "rows": result.rows_in,
        "inserted": result.facts_inserted,
        "updated": result.facts_updated,
        "unchanged": result.facts_unchanged,
    }


def _child_hts(path: Path) -> dict[str, object]:
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
    "hts": _child_hts,
}


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
    """Land and load what tonight's demo nightly run will ask for, without Prefect (quick)."""
    from flows import planning
    from flows.demo.server import DemoUpstream, serve
    from flows.rebuild import load_payloads
    from flows.settings import load_settings
    from flows.tasks import extract_census_api

    settings = load_settings(warehouse=str(warehouse), landing_dir=str(landing), upstream="demo")
    months = planning.month_range(settings.revision_start(today), f"{today.year}-{today.month:02d}")
    payloads = []
    with serve(DemoUpstream(today=today)) as (url, _):
        for direction in ("export", "import"):
            for year, chunk in planning.chunk_by_year(months).items():
                payloads += extract_census_api.fn(direction, year, chunk, url, settings)
    load_payloads(warehouse, landing, payloads, flow_name="bench priming", max_reject_share=0.0)


def _nightly_unchanged(warehouse: Path, root: Path, landing: Path) -> float:
    """Wall time of a nightly run (Prefect start-up included) when every payload is already loaded."""
    env = {**os.environ, "ENTREPOT_WAREHOUSE": str(warehouse), "ENTREPOT_LANDING_DIR": str(landing)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "nightly"], env=env, cwd=root, capture_output=True, text=True, check=False
    )
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
        f"{os.cpu_count()} cores"
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
    echo(
        f"rebuild landing -> warehouse             : {rebuilt.seconds:8.2f} s  {data.rows / rebuilt.seconds:>12,.0f} rows/s  "
        f"peak RSS {rebuilt.peak_rss_mb:8,.0f} MB  facts {rebuilt.detail['facts']:,}  warehouse {_size_mb(warehouse):,.0f} MB"
    )
    if nightly:
        _prime_nightly(warehouse, landing, dt.date.today())
        unchanged = _nightly_unchanged(warehouse, root, landing)
        echo(f"nightly run, nothing changed upstream    : {unchanged:8.2f} s  (Prefect start-up included)")
    before = len(read_manifest(landing))
    month_rows = min(data.rows // len(data.months), 2 * ROWS_PER_FILE)  # a month as big as the others
    extra = generate(month_rows, landing, first_month=_next(data.months[-1]))
    new_month = run_child("incremental", str(landing), str(warehouse), str(before))
    echo(
        f"one new month ({extra.rows:,} rows) on {data.rows:,}   : {new_month.seconds:8.2f} s  peak RSS {new_month.peak_rss_mb:8,.0f} MB  "
        f"inserted {new_month.detail['inserted']:,}"
    )
    again = run_child("incremental", str(landing), str(warehouse), str(before))
    echo(
        f"same month again (idempotent merge)      : {again.seconds:8.2f} s  peak RSS {again.peak_rss_mb:8,.0f} MB  "
        f"inserted {again.detail['inserted']:,} updated {again.detail['updated']:,} unchanged {again.detail['unchanged']:,}"
    )
    if hts_file is not None and hts_file.exists():
        hts = run_child("hts", str(hts_file))
        echo(
            f"HTS edition parse ({hts.detail.get('rows', '?'):,} rows)            : {hts.seconds:8.2f} s  unparsed rate texts {hts.detail.get('unparsed', '?')}"
        )
    ratio = rebuilt.seconds / bare.seconds
    echo(f"rebuild/duckdb ratio: {ratio:.2f}")
    return ratio


def _bench_last_month(today: dt.date) -> str:
    """Bench months end just before tonight's revision window (which the demo nightly covers)."""
    return f"{today.year - 2}-12"


def _next(month: str) -> str:
    index = int(month[:4]) * 12 + int(month[5:7])
    return f"{index // 12}-{index % 12 + 1:02d}"


def _child_main(argv: list[str]) -> None:
    kind, *args = argv
    started = time.monotonic()
    if kind == "hts":
        detail = CHILDREN[kind](Path(args[0]))
    elif kind == "incremental":
        detail = CHILDREN[kind](Path(args[0]), Path(args[1]), int(args[2]))
    else:
        detail = CHILDREN[kind](Path(args[0]), Path(args[1]))
    figures = {"seconds": time.monotonic() - started, "peak_rss_mb": _peak_rss_mb(), **detail}
    print(json.dumps(figures))


if __name__ == "__main__":
    _child_main(sys.argv[1:])
