"""``entrepot bench``: the pipeline's load speed against DuckDB's own, on generated Census HS10 data.

Each timed step runs ``runs`` times in child processes (``flows.bench_children``) that report their
own wall time and peak resident memory, interleaved with its reference: DuckDB alone, rebuild
(, journaled rebuild)(, dlt), DuckDB alone, rebuild, ... Each run's figures are printed as it ends, then each
step's median and spread; peak RSS is the largest of its runs. The load average is printed at the
start. The last line printed is ``rebuild/duckdb ratio: X.XX``, of the medians.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flows.bench_stats import Summary, interleaved, ratio, summarize

PEERS_MISSING = (
    "--peers times dlt, which is not installed: install the peers group with "
    "`uv sync --frozen --group peers`, then run `uv run --frozen entrepot bench --peers`"
)
LOADS = {"duckdb": "duckdb alone", "rebuild": "rebuild", "rebuild-journal": "from journal", "dlt": "dlt merge"}
"""The load steps, reference first, as their run lines name them."""
OPTIONAL = {"rebuild-journal", "dlt"}
"""Steps only some runs time (``--journal``, ``--peers``)."""
Echo = Callable[[str], None]

if TYPE_CHECKING:
    from flows.demo.bench_generator import BenchData


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_rss_mb: float
    detail: dict[str, object]


@dataclass(frozen=True)
class Runs:
    """One step's runs: their wall times' summary, the largest peak RSS, a figure's median."""

    measures: list[Measure]

    @property
    def summary(self) -> Summary:
        return summarize([m.seconds for m in self.measures])

    @property
    def peak_rss_mb(self) -> float:
        return max(m.peak_rss_mb for m in self.measures)

    def median(self, key: str) -> float:
        return statistics.median(float(str(m.detail[key])) for m in self.measures)

    def last(self, key: str) -> object:
        return self.measures[-1].detail[key]


def peers_available() -> bool:
    """Whether dlt (the ``peers`` dependency group) is installed."""
    return importlib.util.find_spec("dlt") is not None


def run_child(kind: str, *args: str) -> Measure:
    """Run one measured step in a fresh interpreter; it prints its figures as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "flows.bench_children", kind, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench step {kind} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Measure(figures.pop("seconds"), figures.pop("peak_rss_mb"), figures)


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _echo_run(run: int, runs: int, label: str, measure: Measure, echo: Echo, extra: str = "") -> None:
    echo(
        f"  run {run}/{runs} {label:<13}: {measure.seconds:8.2f} s  peak RSS {measure.peak_rss_mb:8,.0f} MB"
        f"{extra}  (load average now {os.getloadavg()[0]:.2f})"
    )


def _remove(path: Path) -> None:
    """A DuckDB file with its WAL, or a directory."""
    for stale in path.parent.glob(path.name + "*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()


def _time_loads(root: Path, landing: Path, runs: int, optional: set[str], echo: Echo) -> dict[str, Runs]:
    """DuckDB alone, the rebuild (and the ``optional`` steps), interleaved, each from nothing; the
    last rebuild stays. The journaled rebuild replays ``root/journaled``'s landing (``_journal``)."""
    measured: dict[str, list[Measure]] = {kind: [] for kind in LOADS if kind not in OPTIONAL or kind in optional}
    for run, kind in interleaved(list(measured), runs):
        out = root / f"{kind}.duckdb" if kind != "rebuild" else root / "warehouse.duckdb"
        _remove(out)
        source = root / "journaled" / "landing" if kind == "rebuild-journal" else landing
        measure = run_child(kind, str(source), str(out))
        measured[kind].append(measure)
        _echo_run(run, runs, LOADS[kind], measure, echo)
    return {kind: Runs(measures) for kind, measures in measured.items()}


def bench(
    rows: int,
    workdir: Path | None = None,
    hts_file: Path | None = None,
    nightly: bool = True,
    echo: Echo = print,
    runs: int = 3,
    peers: bool = False,
    journal: bool = False,
) -> float:
    """Run every measurement ``runs`` times and print the figures; returns the rebuild/duckdb ratio."""
    from flows.demo.bench_generator import generate

    if peers and not peers_available():
        raise ValueError(PEERS_MISSING)
    interleaved(list(LOADS), runs)  # refuses runs < 1 before any work
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
        f"{os.cpu_count()} cores, {runs} runs of each step, load average at the start {_load_average()}"
    )
    if journal:
        _journal(root, landing, echo)
    loads = _time_loads(root, landing, runs, {k for k, on in (("dlt", peers), ("rebuild-journal", journal)) if on}, echo)
    _echo_loads(loads, data.rows, root / "warehouse.duckdb", echo)
    warehouse = _time_incremental(root, landing, data, hts_file, runs, echo)
    if nightly:
        primed = run_child("prime", str(landing), str(warehouse))
        unchanged = _time_nightly(warehouse, root, landing, runs, echo)
        echo(
            f"nightly run, nothing changed upstream    : {unchanged.describe()}  (the whole command, Prefect start-up "
            f"included; the demo upstream's payloads were loaded first in {primed.seconds:.1f} s)"
        )
    _echo_queries(run_child("queries", str(warehouse)), echo)
    result = ratio(loads["rebuild"].summary, loads["duckdb"].summary)
    echo(f"whole bench (generation, priming and child start-ups included): {time.monotonic() - started:.1f} s")
    echo(f"rebuild/duckdb ratio: {result:.2f}")
    return result


def _echo_loads(loads: dict[str, Runs], rows: int, warehouse: Path, echo: Echo) -> None:
    bare, rebuilt = loads["duckdb"], loads["rebuild"]
    echo(
        f"duckdb alone (CREATE TABLE AS read_json) : {bare.summary.describe()}  {rows / bare.summary.median:>12,.0f} rows/s  "
        f"peak RSS {bare.peak_rss_mb:8,.0f} MB"
    )
    echo(
        f"rebuild landing -> warehouse             : {rebuilt.summary.describe()}  {rows / rebuilt.summary.median:>12,.0f} rows/s  "
        f"peak RSS {rebuilt.peak_rss_mb:8,.0f} MB  facts {rebuilt.last('facts'):,}  warehouse {_size_mb(warehouse):,.0f} MB  "
        f"(+{rebuilt.median('import_s'):.1f} s Python imports before the clock; duckdb's: {bare.median('import_s'):.1f} s)"
    )
    echo(f"  of which stored marts refreshed        : {_share(rebuilt.median('refresh_s'), rebuilt.summary.median)}")
    if "rebuild-journal" in loads:
        replayed = loads["rebuild-journal"]
        echo(
            f"rebuild from the load journal            : {replayed.summary.describe()}  {rows / replayed.summary.median:>12,.0f} rows/s  "
            f"peak RSS {replayed.peak_rss_mb:8,.0f} MB  {replayed.last('loads')} loads  "
            f"journal/duckdb ratio {ratio(replayed.summary, bare.summary):.2f}"
        )
    if "dlt" in loads:
        peer = loads["dlt"]
        echo(
            f"dlt merge (primary key = raw grain)      : {peer.summary.describe()}  {rows / peer.summary.median:>12,.0f} rows/s  "
            f"peak RSS {peer.peak_rss_mb:8,.0f} MB  rows {peer.last('rows'):,}  "
            f"dlt/duckdb ratio {ratio(peer.summary, bare.summary):.2f}  (+{peer.median('import_s'):.1f} s imports)"
        )
    paired = "; ".join(
        f"{kind} " + " ".join(f"{m.seconds / b.seconds:.2f}" for m, b in zip(runs.measures, bare.measures, strict=True))
        for kind, runs in loads.items() if kind != "duckdb"
    )
    echo(f"  ratios run by run (over the DuckDB run of the same round): {paired}")


def _journal(root: Path, landing: Path, echo: Echo) -> None:
    """``root/journaled``: the landed payloads loaded month by month as entrepot's loads do, each
    journaled (untimed): the landing a rebuild replays from its load journal."""
    journaled = root / "journaled"
    if journaled.exists():
        shutil.rmtree(journaled)
    journaled.mkdir(parents=True)
    # the payloads hard-linked (they are only read), the manifest copied
    shutil.copytree(landing, journaled / "landing", copy_function=_link_payload)
    made = run_child("journal-landing", str(journaled / "landing"), str(journaled / "live.duckdb"))
    echo(f"  journaled landing: {made.detail['loads']} monthly loads, loaded (untimed) in {made.seconds:.1f} s")


def _link_payload(source: str, target: str) -> None:
    if source.endswith(".jsonl"):
        shutil.copy2(source, target)
    else:
        os.link(source, target)


def _copy_warehouse(source: Path, target: Path) -> None:
    """A fresh copy of a closed DuckDB file (and its WAL, if any) so each run starts from one state."""
    _remove(target)
    for part in source.parent.glob(source.name + "*"):
        shutil.copyfile(part, target.parent / (target.name + part.name[len(source.name):]))


def _time_incremental(root: Path, landing: Path, data: BenchData, hts_file: Path | None, runs: int, echo: Echo) -> Path:
    """One new month and the same month again (and the HTS parse) ``runs`` times, each run on a
    fresh copy of the rebuilt warehouse; returns the last copy."""
    from flows.demo.bench_generator import ROWS_PER_FILE, generate
    from flows.sources.landing import read_manifest

    before = len(read_manifest(landing))
    month_rows = min(data.rows // len(data.months), 2 * ROWS_PER_FILE)  # a month as big as the others
    extra = generate(month_rows, landing, first_month=_next(data.months[-1]))
    hts = [str(hts_file)] if hts_file is not None and hts_file.exists() else []
    rebuilt, copy = root / "warehouse.duckdb", root / "incremental.duckdb"
    measures = []
    for run, _ in interleaved(["incremental"], runs):
        _copy_warehouse(rebuilt, copy)
        measure = run_child("incremental", str(landing), str(copy), str(before), *hts)
        measures.append(measure)
        again = measure.detail["again"]["seconds"]
        parsed = f", HTS parse {measure.detail['hts']['seconds']:.2f} s" if hts else ""
        _echo_run(run, runs, "new month", Measure(measure.detail["new_month"]["seconds"], measure.peak_rss_mb, {}),
                  echo, f"  same month again {again:.2f} s{parsed}")
    _echo_incremental(measures, extra.rows, data.rows, echo)
    return copy


def _echo_incremental(measures: list[Measure], month_rows: int, rows: int, echo: Echo) -> None:
    """The new month, the same month again and the HTS parse, as measured by the incremental child."""
    def part(name: str) -> Runs:
        return Runs([Measure(m.detail[name]["seconds"], m.peak_rss_mb, m.detail[name]) for m in measures])

    new_month, again = part("new_month"), part("again")
    echo(
        f"one new month ({month_rows:,} rows) on {rows:,}   : {new_month.summary.describe()}  "
        f"inserted {new_month.last('inserted'):,}"
    )
    echo(f"  of which stored marts refreshed        : {_share(new_month.median('refresh_s'), new_month.summary.median)}")
    echo(
        f"same month again (idempotent merge)      : {again.summary.describe()}  "
        f"inserted {again.last('inserted'):,} updated {again.last('updated'):,} unchanged {again.last('unchanged'):,}  "
        f"(peak RSS of both {again.peak_rss_mb:,.0f} MB)"
    )
    if "hts" in measures[0].detail:
        parsed = part("hts")
        echo(
            f"HTS edition parse ({parsed.last('rows'):,} rows)            : {parsed.summary.describe()}  "
            f"unparsed rate texts {parsed.last('unparsed')}"
        )


def _time_nightly(warehouse: Path, root: Path, landing: Path, runs: int, echo: Echo) -> Summary:
    """Wall time of a nightly run (Prefect start-up included) when every payload is already loaded."""
    env = {**os.environ, "ENTREPOT_WAREHOUSE": str(warehouse), "ENTREPOT_LANDING_DIR": str(landing)}
    command = [sys.executable, "-m", "flows.cli", "run", "nightly"]
    # untimed first: the sources the priming leaves out (Korea's side of the default pair) land and load
    first = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, check=False)
    if first.returncode != 0:
        raise RuntimeError(f"the first nightly failed:\n{first.stdout[-2000:]}{first.stderr[-2000:]}")
    times = []
    for run, _ in interleaved(["nightly"], runs):
        started = time.monotonic()
        done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, check=False)
        times.append(time.monotonic() - started)
        if done.returncode != 0 or "nothing changed" not in done.stdout:
            raise RuntimeError(f"unchanged nightly did not report 'nothing changed':\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        echo(f"  run {run}/{runs} {'nightly':<13}: {times[-1]:8.2f} s  (load average now {os.getloadavg()[0]:.2f})")
    return summarize(times)


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file()) / 1e6


def _share(part: float, whole: float) -> str:
    """``part`` seconds of a step and what they add to the rest of it."""
    rest = whole - part
    return f"{part:8.2f} s  (+{100 * part / rest:.1f}% on the {rest:.2f} s of the rest)" if rest > 0 else f"{part:8.2f} s"


def _echo_queries(measured: Measure, echo: Echo) -> None:
    from warehouse.bench_reads import QUERIES, RUNS

    echo(
        f"mart queries, warm (median of {RUNS} after a first run), USA with KOR, {measured.detail['year']}; "
        f"load average {_load_average()}:"
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
