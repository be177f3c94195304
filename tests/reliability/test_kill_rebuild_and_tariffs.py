"""Kill safety beyond trade loads: a tariff edition, a rebuild and the moment right after a publish,
each SIGKILLed; the warehouse is the old or the new state, a re-run completes it, nothing doubles."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.helpers import every_table
from tests.reliability import tally
from tests.reliability.loading import (
    duplicate_count,
    ingest_plain,
    ingest_tariff_plain,
    published_then_killed,
    rebuild_in_child,
    tariff_in_child,
)
from tests.reliability.test_kill_safety import SOURCE, files, run_target
from tests.sources.test_usitc_hts import HEADER as HTS_HEADER
from tests.sources.test_usitc_hts import write_csv as write_hts
from warehouse.journal import Journal

KILL_POINTS = 8


def _hts_rows(count: int, rate: str) -> list[list[str]]:
    """An HTS edition of ``count`` eight-digit lines under chapter 01 (big enough to take a while)."""
    rows = [["0101", "0", "Live horses:", "", "", "", "", "", ""]]
    for i in range(count):
        code = f"0101.{i // 100:02d}.{i % 100:02d}"
        rows.append([code, "1", f"Line {i}", "", rate if i % 3 else "Free", "Free (A+,AU, KR)", "20%", "", ""])
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, object]:
    """A warehouse with trade and one HTS edition; the new state adds a second edition."""
    root = tmp_path_factory.mktemp("kill2")
    old_file, new_file = files(root)
    wh, landing = root / "old.duckdb", root / "landing"
    ingest_plain(SOURCE, old_file, wh, landing)
    assert len(HTS_HEADER) == 9
    first, second = write_hts(root / "hts_a.csv", _hts_rows(3000, "6.8%")), write_hts(root / "hts_b.csv", _hts_rows(3000, "5%"))
    ingest_tariff_plain("usitc-hts", first, wh, landing, dt.date(2024, 1, 1))
    shutil.copytree(landing, root / "old_landing")
    ref, ref_landing = root / "ref.duckdb", root / "ref_landing"
    shutil.copyfile(wh, ref)
    shutil.copytree(landing, ref_landing)
    code, duration = run_target(tariff_in_child, str(second), str(ref), str(ref_landing), "2025-01-01")
    assert code == 0
    return {"root": root, "old": every_table(wh, stable=True), "new": every_table(ref, stable=True), "duration": duration,
            "second": second, "new_file": new_file}


def _fresh(built: dict[str, object], tmp: Path, name: str) -> tuple[Path, Path]:
    root = built["root"]
    wh, landing = tmp / f"{name}.duckdb", tmp / f"{name}_landing"
    shutil.copyfile(root / "old.duckdb", wh)
    shutil.copytree(root / "old_landing", landing)
    return wh, landing


def test_killed_tariff_edition_leaves_old_or_new_state(built, tmp_path) -> None:
    seen = {"old": 0, "new": 0}
    for point in range(KILL_POINTS):
        wh, landing = _fresh(built, tmp_path, f"t{point}")
        kill_after = 0.05 + built["duration"] * 1.1 * point / (KILL_POINTS - 1)
        run_target(tariff_in_child, str(built["second"]), str(wh), str(landing), "2025-01-01", kill_after=kill_after)
        tally.counts["kill points"] += 1
        state = every_table(wh, stable=True)
        name = "old" if state == built["old"] else "new" if state == built["new"] else None
        assert name is not None, f"killed after {kill_after:.2f} s: neither the old nor the new state"
        seen[name] += 1
        if name == "old":
            assert run_target(tariff_in_child, str(built["second"]), str(wh), str(landing), "2025-01-01")[0] == 0
        assert every_table(wh, stable=True) == built["new"]
        assert not list(tmp_path.glob(f"t{point}.duckdb.next*"))  # a killed writer's draft is gone after the re-run
    assert seen["old"] >= 2, seen


def test_killed_rebuild_leaves_the_warehouse_and_a_rerun_rebuilds_it(built, tmp_path) -> None:
    wh, landing = _fresh(built, tmp_path, "r")
    live = every_table(wh)
    code, duration = run_target(rebuild_in_child, str(wh), str(landing))
    assert code == 0 and every_table(wh) == live  # a rebuild equals the live warehouse, run ids and all
    for point in range(KILL_POINTS):
        kill_after = 0.05 + duration * 1.1 * point / (KILL_POINTS - 1)
        run_target(rebuild_in_child, str(wh), str(landing), kill_after=kill_after)
        tally.counts["kill points"] += 1
        assert every_table(wh) == live, f"a rebuild killed after {kill_after:.2f} s changed the warehouse"
    assert run_target(rebuild_in_child, str(wh), str(landing))[0] == 0
    assert every_table(wh) == live
    tally.counts["duplicates"] += duplicate_count(wh)


def test_killed_right_after_the_publish_counts_as_committed(built, tmp_path) -> None:
    """Published, then SIGKILLed before the journal's commit line: the next writer finds the load in
    the warehouse and journals it committed; a rebuild replays it; loading the file again changes nothing."""
    for point in range(2):
        wh, landing = _fresh(built, tmp_path, f"c{point}")
        runs_before = len(every_table(wh)["meta.runs"])
        code, _ = run_target(published_then_killed, SOURCE, str(built["new_file"]), str(wh), str(landing))
        assert code == -9
        tally.counts["kill points"] += 1
        assert Journal(landing).unresolved()
        published = every_table(wh)
        assert len(published["meta.runs"]) == runs_before + 1
        assert run_target(rebuild_in_child, str(wh), str(landing))[0] == 0  # resolves the journal, then replays
        assert not Journal(landing).unresolved()
        assert every_table(wh) == published
        tally.counts["duplicates"] += duplicate_count(wh)
        assert duplicate_count(wh) == 0
