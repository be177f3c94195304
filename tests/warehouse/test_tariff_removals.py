"""A short tariff edition is not a schedule change: refused when it would close too many lines in force."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.helpers import snapshot
from tests.sources.test_usitc_hts import conformed, write_csv
from transforms import usitc_hts as hts
from warehouse.loader import LANDED_SCHEMA, QUARANTINE_SCHEMA
from warehouse.migrate import migrate
from warehouse.tariff_loader import TariffBatch, TooManyRemovalsError, load_tariffs

TARIFF_TABLES = [
    "core.dim_tariff_line", "core.fact_tariff_rate", "core.dim_tariff_edition", "core.dim_tariff_program",
    "meta.runs", "meta.quarantine", "meta.landed_files",
]


def edition_rows(headings: int = 10, subs: int = 9) -> list[list[str]]:
    """A generated HTS edition: ``headings`` headings of ``subs`` eight-digit lines each."""
    rows = []
    for h in range(1, headings + 1):
        rows.append([f"01{h:02d}", "0", f"Heading {h}:", "", "", "", "", "", ""])
        for s in range(1, subs + 1):
            rows.append([f"01{h:02d}.{s:02d}.00", "1", f"Line {h}.{s}", '["kg"]', f"{s}%", "Free (KR)", "20%", "", ""])
    return rows


def _batch(path: Path, valid_from: dt.date, run: str, share: float | None) -> TariffBatch:
    lines, rates, _ = conformed(path)
    return TariffBatch(
        run_id=run, flow_name="test", source=hts.SOURCE, importer_id="USA", valid_from=valid_from,
        edition=path.name, file_hash=run.ljust(64, "0"), started_at=dt.datetime.now(dt.UTC), lines=lines, rates=rates,
        quarantine=pl.DataFrame(schema=QUARANTINE_SCHEMA), landed=pl.DataFrame(schema=LANDED_SCHEMA),
        rows_in=lines.height, rows_quarantined=0, max_removed_share=share,
    )


def _load(wh: Path, batch: TariffBatch):
    with duckdb.connect(str(wh)) as con:
        migrate(con)
        return load_tariffs(con, batch)


def test_first_edition_is_never_refused(tmp_path: Path) -> None:
    result = _load(tmp_path / "w.duckdb", _batch(write_csv(tmp_path / "a.csv", edition_rows()), dt.date(2024, 1, 1),
                                                  "r1", share=0.0))
    assert result.lines_opened == 100


def test_a_short_edition_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    rows = edition_rows()
    _load(wh, _batch(write_csv(tmp_path / "hts_2024.csv", rows), dt.date(2024, 1, 1), "r1", share=0.02))
    before = snapshot(wh, TARIFF_TABLES)
    half = write_csv(tmp_path / "hts_2025_short.csv", rows[:50])
    with pytest.raises(TooManyRemovalsError) as refused:
        _load(wh, _batch(half, dt.date(2025, 1, 1), "r2", share=0.02))
    message = str(refused.value)
    assert message.startswith("hts_2025_short.csv: this edition would close 50 of the 100 usitc_hts lines in force")
    assert "(50.0%, more than the 2.0% allowed" in message and "--allow-removals" in message
    assert "\n" not in message
    assert snapshot(wh, TARIFF_TABLES) == before

    allowed = _load(wh, _batch(half, dt.date(2025, 1, 1), "r3", share=None))
    assert allowed.lines_closed == 50


def test_removals_up_to_the_share_load(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    rows = edition_rows()
    _load(wh, _batch(write_csv(tmp_path / "a.csv", rows), dt.date(2024, 1, 1), "r1", share=0.02))
    two_fewer = [r for r in rows if r[0] not in {"0101.01.00", "0102.01.00"}]
    changed = [[*r[:4], "9%", *r[5:]] if r[0].endswith(".02.00") else r for r in two_fewer]  # 10 changed lines
    result = _load(wh, _batch(write_csv(tmp_path / "b.csv", changed), dt.date(2025, 1, 1), "r2", share=0.02))
    assert result.lines_closed == 2 and result.rates_opened == 10
    three_fewer = [r for r in changed if r[0] not in {"0103.01.00", "0104.01.00", "0105.01.00"}]
    with pytest.raises(TooManyRemovalsError, match="would close 3 of the 98"):
        _load(wh, _batch(write_csv(tmp_path / "c.csv", three_fewer), dt.date(2026, 1, 1), "r3", share=0.02))


def test_the_share_is_a_setting(env: Path, monkeypatch) -> None:
    from flows.settings import load_settings

    assert load_settings().tariff_max_removed_share == 0.02
    monkeypatch.setenv("ENTREPOT_TARIFF_MAX_REMOVED_SHARE", "0.6")
    assert load_settings().tariff_max_removed_share == 0.6


@pytest.mark.prefect
def test_cli_refuses_a_short_edition_unless_allowed(env: Path, prefect_server, capsys, monkeypatch) -> None:
    from flows.cli import main

    rows = edition_rows()
    first = write_csv(env / "hts_2024.csv", rows)
    assert main(["ingest", "usitc-hts", "--file", str(first), "--valid-from", "2024-01-01"]) == 0
    capsys.readouterr()
    before = snapshot(env / "wh.duckdb", TARIFF_TABLES)
    short = write_csv(env / "hts_2025_first_half.csv", rows[:50])
    args = ["ingest", "usitc-hts", "--file", str(short), "--valid-from", "2025-01-01"]
    assert main(args) == 2
    last = capsys.readouterr().err.splitlines()[-1]  # before it: Prefect's log of the failed task
    assert last.startswith("entrepot: error: hts_2025_first_half.csv: this edition would close 50 of the 100 ")
    assert snapshot(env / "wh.duckdb", TARIFF_TABLES) == before

    monkeypatch.setenv("ENTREPOT_TARIFF_MAX_REMOVED_SHARE", "0.4")
    assert main(args) == 2
    assert "(50.0%, more than the 40.0% allowed" in capsys.readouterr().err
    assert snapshot(env / "wh.duckdb", TARIFF_TABLES) == before

    assert main([*args, "--allow-removals"]) == 0
    assert "lines opened 0, closed 50, unchanged 50" in capsys.readouterr().out
