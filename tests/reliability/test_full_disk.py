"""A full disk is one clear line, exit 2, and the warehouse exactly as it was (today's message was
"cannot rollback - no transaction is active", the error that the failed write had caused lost)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli import entrepot
from tests.helpers import snapshot
from tests.reliability import tally
from tests.reliability.bad_files import HEADER, base_rows, census_countries, country_totals_rows, write_csv
from tests.reliability.loading import ingest_plain


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MB tmpfs (skipped where this user may not mount one)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave_bytes: int) -> None:
    """Fill ``disk`` until about ``leave_bytes`` are free."""
    import os

    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    (disk / "filler").write_bytes(b"\0" * max(0, free - leave_bytes))


def test_a_full_disk_is_one_clear_line_and_changes_nothing(small_disk: Path, tmp_path: Path) -> None:
    wh, landing = small_disk / "w.duckdb", small_disk / "landing"
    ingest_plain("census-country-totals", write_csv(tmp_path / "a.csv", HEADER, base_rows()), wh, landing)
    before = snapshot(wh)
    more = write_csv(tmp_path / "b.csv", HEADER, country_totals_rows(range(2000, 2010), census_countries(120)))
    _fill(small_disk, leave_bytes=wh.stat().st_size // 2)
    done = entrepot("--warehouse", str(wh), "ingest", "census-country-totals", "--file", str(more), cwd=tmp_path,
                    env={"ENTREPOT_LANDING_DIR": str(landing)})
    assert done.returncode == 2, done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("entrepot: error:")]
    assert len(errors) == 1 and "no space left" in errors[0], done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "cannot rollback" not in done.stderr
    (small_disk / "filler").unlink()
    assert snapshot(wh) == before
    assert not list(small_disk.glob("w.duckdb.next*"))  # the draft was removed, its space given back
    tally.counts["rows lost"] += 0 if snapshot(wh) == before else 1
