"""A rebuild's replay of the load journal: consecutive trade loads read one ahead, the stored marts
derived once at the end, and the same warehouse as the live loads made."""

from __future__ import annotations

from pathlib import Path

import pytest

import flows.journal_replay as journal_replay
from flows.journal_replay import READ_AHEAD_BYTES, _stretches
from flows.rebuild import rebuild
from flows.sources.landing import LandedFileChangedError, read_manifest
from tests.helpers import every_table
from tests.reliability.bad_files import HEADER, census_countries, country_totals_rows, write_csv
from tests.reliability.loading import ingest_plain
from tests.reliability.test_kill_safety import SOURCE, files
from warehouse import mart_tables


def _record(loader: str, size: int = 10) -> dict[str, object]:
    return {"loader": loader, "payloads": [{"source": "s", "bytes": size}]}


def test_consecutive_small_trade_loads_are_one_stretch_and_every_other_load_is_alone() -> None:
    big = READ_AHEAD_BYTES + 1
    records = [_record("trade"), _record("trade"), _record("tariff"), _record("trade"), _record("trade", big),
               _record("trade"), _record("reference"), _record("trade")]
    assert [[r["loader"] + ("!" if r["payloads"][0]["bytes"] == big else "") for r in s] for s in _stretches(records)] == [
        ["trade", "trade"], ["tariff"], ["trade"], ["trade!"], ["trade"], ["reference"], ["trade"],
    ]
    assert list(_stretches([])) == []


def _three_loads(root: Path) -> tuple[Path, Path]:
    """A warehouse built by three journaled loads: a file, its revision, and a year of its own."""
    wh, landing = root / "live.duckdb", root / "landing"
    first, revised = files(root)
    later = write_csv(root / "country_c.csv", HEADER, country_totals_rows(range(2021, 2022), census_countries(5)))
    for file in (first, revised, later):
        ingest_plain(SOURCE, file, wh, landing, max_reject_share=1.0)
    return wh, landing


def test_a_journaled_rebuild_reads_ahead_derives_the_marts_once_and_equals_the_live_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh, landing = _three_loads(tmp_path)
    stretches, refreshes, full = [], [], []
    ahead = journal_replay.processed_ahead
    monkeypatch.setattr(journal_replay, "processed_ahead", lambda items, f: (stretches.append(len(items)), ahead(items, f))[1])
    monkeypatch.setattr(mart_tables, "refresh", lambda con: refreshes.append(1))
    refresh_all = mart_tables.refresh_all
    monkeypatch.setattr(mart_tables, "refresh_all", lambda con: (full.append(1), refresh_all(con))[1])
    rebuilt = tmp_path / "rebuilt.duckdb"
    result = rebuild(rebuilt, landing, max_reject_share=1.0)
    assert result.loads == 3 and stretches == [3]
    assert refreshes == [] and len(full) == 2  # the new draft's migration, then the end of the replay
    assert every_table(rebuilt) == every_table(wh)


def _landed_file_of(landing: Path, name: str) -> Path:
    record = next(r for r in read_manifest(landing) if r.get("original_name") == name)
    return landing / str(record["landed_path"])


def test_a_landed_file_changed_after_its_load_fails_the_rebuild_and_publishes_nothing(tmp_path: Path) -> None:
    wh, landing = _three_loads(tmp_path)
    before = every_table(wh)
    landed = _landed_file_of(landing, "country_c.csv")
    text = landed.read_text()
    landed.write_text(text.replace(text.splitlines()[1].split(",")[3], "1", 1))  # still a valid file: other numbers
    with pytest.raises(LandedFileChangedError, match=r"country_c\.csv: its landed file .* changed after it was landed"):
        rebuild(wh, landing, max_reject_share=1.0)
    assert every_table(wh) == before
    landed.unlink()
    with pytest.raises(LandedFileChangedError, match=r"country_c\.csv: its landed file .* is missing"):
        rebuild(wh, landing, max_reject_share=1.0)
    assert every_table(wh) == before
