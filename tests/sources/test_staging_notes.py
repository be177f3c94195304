"""``entrepot ingest staging-notes``: an FTA schedule's staging texts load as a reference table beside
the reviewed rules (never over them), bad rows are quarantined with their reason, the load is
journaled and a rebuild reproduces it row for row."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.sources.korea_tariff import read_staging_notes
from schemas.raw.korea_tariff import StagingNoteRaw
from schemas.validation import split_valid
from tests.helpers import every_table, snapshot
from tests.reliability import tally
from transforms.staging_notes import NOTE_SCHEMA, conform
from warehouse.migrate import migrate

HEADER = "category,description,years,first_cut_date_rule,duty_free_rule,status,source_url,source_note\n"
ROWS = [
    'L,"removed in nine equal annual stages",9,on entry into force,"duty-free, year nine",quoted,https://x.test/gn,mirror',
    'M,"removed in 10 equal annual stages",10,on entry into force,,quoted,https://x.test/gn,mirror',
    "P,,,,,not captured,,",
    ",a text without its category,5,,,quoted,,",
    "Q,,nine,,,quoted,,",
]


def write_notes(path: Path, rows: list[str] = ROWS) -> Path:
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_row_without_category_or_with_years_not_an_integer_is_quarantined(tmp_path: Path) -> None:
    raw = read_staging_notes(write_notes(tmp_path / "notes.csv"))
    checked = split_valid(raw, StagingNoteRaw, "notes.csv")
    assert checked.valid.get_column("category").to_list() == ["L", "M", "P"]
    rejects = {(r, f): reason for r, f, reason in checked.rejects.select("row_number", "field", "reason").iter_rows()}
    assert set(rejects) == {(5, "category"), (6, "years")}
    assert "not_nullable" in rejects[(5, "category")] and "str_matches" in rejects[(6, "years")]
    notes = conform(checked.valid, "KORUS", "KOR")
    assert notes.schema == pl.Schema(NOTE_SCHEMA)
    assert notes.get_column("years").to_list() == [9, 10, None]


def test_the_view_flags_a_note_whose_years_differ_from_the_reviewed_rule(tmp_path: Path) -> None:
    raw = read_staging_notes(write_notes(tmp_path / "notes.csv", ROWS[:3]))
    notes = conform(split_valid(raw, StagingNoteRaw, "notes.csv").valid, "KORUS", "KOR")
    with duckdb.connect() as con:
        migrate(con)
        con.register("notes", notes.to_arrow())
        con.execute("INSERT INTO core.fta_staging_note SELECT *, 'h', 'r' FROM notes")
        rows = {r[0]: r[1:] for r in con.sql(
            """SELECT category, stages, note_years, comparison, disagrees FROM marts.fta_staging_rules
               WHERE agreement_id = 'KORUS' AND category IN ('L', 'M', 'P', 'A')""").fetchall()}
        reviewed_m = con.sql("SELECT stages FROM core.dim_staging_category WHERE agreement_id = 'KORUS' "
                             "AND category = 'M'").fetchall()
    assert rows["L"] == (9, 9, "agree", False)
    assert rows["M"] == (12, 10, "years differ", True)  # the note says 10, the reviewed rule 12
    assert rows["P"] == (None, None, "note without years", False)
    assert rows["A"] == (None, None, "no note loaded", False)
    assert reviewed_m == [(12,)]  # the reviewed rule is never overridden


@pytest.mark.prefect
def test_staging_notes_load_quarantine_rerun_and_rebuild_equal(
    env: Path, prefect_server, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.cli import main

    wh = env / "wh.duckdb"
    notes = write_notes(env / "korus_general_notes.csv")
    args = ["ingest", "staging-notes", "--file", str(notes), "--agreement", "KORUS", "--importer", "KOR"]
    assert main(args) == 2  # 2 of 5 rows bad: over the default 5% threshold, refused (and never replayed)
    assert "korus_general_notes.csv: 2 of 5 rows failed validation" in capsys.readouterr().err
    monkeypatch.setenv("ENTREPOT_QUARANTINE_MAX_SHARE", "0.5")
    assert main(args) == 0
    assert main(args) == 0  # again: replaced, never duplicated
    assert "5 rows in, 2 quarantined, 3 texts written (3 replaced)" in capsys.readouterr().out
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM core.fta_staging_note").fetchall() == [(3,)]
        quarantined = con.sql("SELECT DISTINCT file_name, row_number, field FROM meta.quarantine ORDER BY 2").fetchall()
    assert quarantined == [("korus_general_notes.csv", 5, "category"), ("korus_general_notes.csv", 6, "years")]

    before = snapshot(wh)
    unreadable = env / "no_category_column.csv"
    unreadable.write_text("name,years,status\nL,9,quoted\n", encoding="utf-8")
    assert main([*args[:3], str(unreadable), *args[4:]]) == 2
    assert "no_category_column.csv" in capsys.readouterr().err
    assert snapshot(wh) == before  # a refused file changes nothing
    assert main([*args[:4], "--agreement", "KORUS"]) == 2  # no --importer
    tally.bad_files.add("staging notes without a category column")

    live = every_table(wh)
    assert main(["rebuild"]) == 0
    rebuilt = every_table(wh)
    assert [t for t in live if rebuilt.get(t) != live[t]] == []
    assert live["core.fta_staging_note"]
