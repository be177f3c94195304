"""Kill safety: SIGKILL a load at many points; the warehouse is always the old or the new state,
re-running completes it, and repeated runs create no duplicates.

Children are forked from a forkserver that has imported the pipeline once, so each kill point costs
the load itself, not the interpreter's start-up.
"""

from __future__ import annotations

import multiprocessing
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.reliability import tally
from tests.reliability.bad_files import HEADER, census_countries, country_totals_rows, write_csv
from tests.reliability.loading import content, duplicate_count, ingest_plain, load_in_child

SOURCE = "census-country-totals"
KILL_POINTS = 14
CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["tests.reliability.loading"])


def files(root: Path) -> tuple[Path, Path]:
    """File A (the old state) and file B: A revised (every tenth value changed), a new year, one bad row."""
    countries = census_countries(60)
    old = country_totals_rows(range(2015, 2020), countries)
    new = [list(r) for r in old] + country_totals_rows(range(2020, 2021), countries, seed=11)
    for i, row in enumerate(new[: len(old)]):
        if i % 10 == 0:
            row[HEADER.index("IJAN")] = f"{float(row[HEADER.index('IJAN')]) + 1:.1f}"
            row[HEADER.index("IYR")] = f"{float(row[HEADER.index('IYR')]) + 1:.1f}"
    new[-1][HEADER.index("EMAY")] = "n/a"
    return write_csv(root / "country_a.csv", HEADER, old), write_csv(root / "country_b.csv", HEADER, new)


def run_child(file: Path, wh: Path, landing: Path, kill_after: float | None = None) -> tuple[int | None, float]:
    """Load ``file`` in a child process, SIGKILLed after ``kill_after`` seconds if still running."""
    return run_target(load_in_child, SOURCE, str(file), str(wh), str(landing), kill_after=kill_after)


def run_target(target: Callable[..., None], *args: str, kill_after: float | None = None) -> tuple[int | None, float]:
    """``target(*args)`` in a forkserver child, SIGKILLed after ``kill_after`` seconds if still running;
    (exit code, seconds)."""
    child = CONTEXT.Process(target=target, args=args)
    started = time.monotonic()
    child.start()
    child.join(kill_after)
    if child.is_alive():
        child.kill()
        child.join()
    return child.exitcode, time.monotonic() - started


@pytest.fixture(scope="module")
def states(tmp_path_factory) -> dict[str, object]:
    """The old warehouse (A loaded), the new content (B loaded over it) and one load's duration."""
    root = tmp_path_factory.mktemp("kill")
    file_a, file_b = files(root)
    ingest_plain(SOURCE, file_a, root / "old.duckdb", root / "old_landing")
    shutil.copyfile(root / "old.duckdb", root / "ref.duckdb")
    run_child(file_b, root / "ref.duckdb", root / "ref_landing")  # starts the forkserver
    shutil.copyfile(root / "old.duckdb", root / "ref.duckdb")
    # timed as each kill run goes: a landing directory of its own, the file not landed yet
    code, duration = run_child(file_b, root / "ref.duckdb", root / "ref_landing_timed")
    assert code == 0
    return {
        "root": root, "file_b": file_b, "duration": duration,
        "old": content(root / "old.duckdb"), "new": content(root / "ref.duckdb"),
    }


def test_old_and_new_states_differ(states) -> None:
    old, new = states["old"], states["new"]
    assert len(new["core.fact_trade"]) > len(old["core.fact_trade"])
    assert len(new["core.fact_trade_revision"]) > 0 and len(new["meta.quarantine"]) == 1


def test_killed_load_leaves_old_or_new_state_and_rerun_completes(states, tmp_path) -> None:
    root, duration = states["root"], states["duration"]
    seen = {"old": 0, "new": 0}
    for point in range(KILL_POINTS):
        wh, landing = tmp_path / f"w{point}.duckdb", tmp_path / f"landing{point}"
        shutil.copyfile(root / "old.duckdb", wh)
        kill_after = 0.05 + duration * 1.3 * point / (KILL_POINTS - 1)
        run_child(states["file_b"], wh, landing, kill_after=kill_after)
        tally.counts["kill points"] += 1
        after_kill = content(wh)  # a reader opens it (read-only) after the crash
        state = "old" if after_kill == states["old"] else "new" if after_kill == states["new"] else None
        assert state is not None, f"killed after {kill_after:.2f} s: the warehouse is neither the old nor the new state"
        seen[state] += 1

        code, _ = run_child(states["file_b"], wh, landing)
        assert code == 0
        assert content(wh) == states["new"], f"re-run after the kill at {kill_after:.2f} s did not complete the load"
        tally.counts["duplicates"] += duplicate_count(wh)
        wh.unlink()
    assert seen["old"] >= 3 and seen["new"] >= 1, seen  # the kill points really spread over the load


def test_three_runs_in_a_row_create_no_duplicates(states, tmp_path) -> None:
    wh = tmp_path / "w.duckdb"
    shutil.copyfile(states["root"] / "old.duckdb", wh)
    for _ in range(3):
        assert run_child(states["file_b"], wh, tmp_path / "landing")[0] == 0
    tally.counts["duplicates"] += duplicate_count(wh)
    assert duplicate_count(wh) == 0
    assert content(wh) == states["new"]
    with duckdb.connect(str(wh), read_only=True) as con:
        runs = con.sql("SELECT count(*) FROM meta.runs").fetchall()[0][0]
        revisions = con.sql("SELECT count(*) FROM core.fact_trade_revision").fetchall()[0][0]
    assert runs == 1 + 3
    assert revisions == len(states["new"]["core.fact_trade_revision"])  # the 2nd and 3rd runs revised nothing
