"""USITC HTS: readers (CSV, JSON), hierarchy and rates, SCD-2 loading, flow and CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.sources.usitc_hts import UnreadableHtsFileError, read_file
from schemas.raw.usitc_hts import UsitcHtsRaw
from schemas.validation import split_valid
from transforms import usitc_hts as hts
from warehouse.loader import LANDED_SCHEMA, QUARANTINE_SCHEMA
from warehouse.migrate import migrate
from warehouse.tariff_loader import OutOfOrderEditionError, TariffBatch, load_tariffs

HEADER = [
    "HTS Number", "Indent", "Description", "Unit of Quantity", "General Rate of Duty",
    "Special Rate of Duty", "Column 2 Rate of Duty", "Quota Quantity", "Additional Duties",
]
ROWS = [
    ["0101", "0", "Live horses:", "", "", "", "", "", ""],
    ["", "1", "Horses:", "", "", "", "", "", ""],
    ["0101.21.00", "2", "Purebred breeding animals", "", "Free", "", "Free", "", ""],
    ["0101.21.00.10", "3", "Males", '["No."]', "", "", "", "", ""],
    ["0101.29.00", "2", "Other", "", "6.8%", "Free (A+,AU, KR)", "20%", "", ""],
    ["0101.30.00.00", "1", "Asses", '["No.","kg"]', "1¢/kg", "Free (AU) 3.5% (KR)", "5.5¢/kg", "", ""],
]


def write_csv(path: Path, rows: list[list[str]] = ROWS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def conformed(path: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    validated = split_valid(read_file(path), UsitcHtsRaw, path.name)
    assert validated.rejects.height == 0
    return hts.conform(validated.valid)


def test_hierarchy_keeps_unnumbered_headings_as_parents(tmp_path: Path) -> None:
    lines, _, _ = conformed(write_csv(tmp_path / "e.csv"))
    parents = dict(zip(lines["line_key"], lines["parent_key"], strict=True))
    assert parents == {
        "0101": None, "0101/h1": "0101", "01012100": "0101/h1", "0101210010": "01012100",
        "01012900": "0101/h1", "0101300000": "0101",
    }
    row = lines.row(by_predicate=pl.col("line_key") == "0101300000", named=True)
    assert row["units"] == "No., kg" and row["level"] == 10 and not row["is_heading"]
    assert row["description_path"] == "Live horses: > Asses"
    heading = lines.row(by_predicate=pl.col("line_key") == "0101/h1", named=True)
    assert heading["is_heading"] and heading["tariff_line"] is None and heading["level"] == 0


def test_rates_one_row_per_type_and_program(tmp_path: Path) -> None:
    _, rates, _ = conformed(write_csv(tmp_path / "e.csv"))
    got = {(r["tariff_line"], r["rate_type"], r["program_code"]): r for r in rates.iter_rows(named=True)}
    assert set(got) == {
        ("01012100", "mfn", None), ("01012100", "column2", None),
        ("01012900", "mfn", None), ("01012900", "column2", None),
        ("01012900", "preferential", "A+"), ("01012900", "preferential", "AU"), ("01012900", "preferential", "KR"),
        ("0101300000", "mfn", None), ("0101300000", "column2", None),
        ("0101300000", "preferential", "AU"), ("0101300000", "preferential", "KR"),
    }
    asses_kr = got[("0101300000", "preferential", "KR")]
    assert (asses_kr["ad_valorem_pct"], asses_kr["rate_text"], asses_kr["parse_status"]) == (3.5, "3.5%", "parsed")
    asses = got[("0101300000", "mfn", None)]
    assert (asses["specific_amount"], asses["specific_currency"], asses["specific_unit"]) == (0.01, "USD", "kg")


def test_json_export_gives_the_same_rows_and_footnotes(tmp_path: Path) -> None:
    keys = ["htsno", "indent", "description", "units", "general", "special", "other", "quotaQuantity",
            "additionalDuties"]
    items = []
    for row in ROWS:
        item = dict(zip(keys, row, strict=True))
        item["units"] = json.loads(item["units"]) if item["units"] else []
        item["footnotes"] = []
        items.append(item)
    items[4]["footnotes"] = [{"columns": ["general"], "value": "See 9903.88.15.", "type": "endnote", "marker": "1"}]
    path = tmp_path / "e.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    lines_json, rates_json, _ = conformed(path)
    lines_csv, rates_csv, _ = conformed(write_csv(tmp_path / "e.csv"))
    assert rates_json.equals(rates_csv)
    assert lines_json.drop("footnotes").equals(lines_csv.drop("footnotes"))
    note = lines_json.row(by_predicate=pl.col("line_key") == "01012900", named=True)["footnotes"]
    assert json.loads(note)[0]["value"] == "See 9903.88.15."


def test_bad_files_name_file_row_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('"HTS Number","Indent","Description"\n"0101","0","x"\n', encoding="utf-8")
    with pytest.raises(UnreadableHtsFileError, match=r"bad\.csv: missing column"):
        read_file(bad)
    ragged = write_csv(tmp_path / "ragged.csv")
    ragged.write_text(ragged.read_text() + '"0102","0"\n', encoding="utf-8")
    with pytest.raises(UnreadableHtsFileError, match=r"ragged\.csv: row 8 has 2 fields"):
        read_file(ragged)
    rows = [*ROWS, ["0102.XX", "x", "Bad", "", "1%", "", "", "", ""]]
    validated = split_valid(read_file(write_csv(tmp_path / "rows.csv", rows)), UsitcHtsRaw, "rows.csv")
    assert validated.valid.height == len(ROWS)
    assert set(validated.rejects.select("row_number", "field").iter_rows()) == {(8, "hts_number"), (8, "indent")}


def _batch(path: Path, valid_from: dt.date, run: str) -> TariffBatch:
    lines, rates, _rejects = conformed(path)
    return TariffBatch(
        run_id=run, flow_name="test", source=hts.SOURCE, importer_id="USA", valid_from=valid_from,
        edition=path.name, file_hash="0" * 64, started_at=dt.datetime.now(dt.UTC), lines=lines, rates=rates,
        quarantine=pl.DataFrame(schema=QUARANTINE_SCHEMA), landed=pl.DataFrame(schema=LANDED_SCHEMA), rows_in=lines.height, rows_quarantined=0,
    )


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    migrate(connection)
    yield connection
    connection.close()


def _as_of(con: duckdb.DuckDBPyConnection, day: str) -> set[tuple]:
    return set(
        con.sql(
            f"""SELECT tariff_line, rate_type, program, rate_text FROM marts.tariff_schedule
                WHERE valid_from <= DATE '{day}' AND (valid_to IS NULL OR valid_to > DATE '{day}')"""
        ).fetchall()
    )


def test_editions_as_slowly_changing_history(con, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "2024.csv")
    changed = [list(r) for r in ROWS if r[0] != "0101.21.00.10"]
    changed[3][4] = "5%"  # 0101.29.00 general 6.8% -> 5%
    second = write_csv(tmp_path / "2025.csv", changed)

    r1 = load_tariffs(con, _batch(first, dt.date(2024, 1, 1), "r1"))
    assert (r1.rates_opened, r1.lines_opened) == (11, 6)
    before = _as_of(con, "2024-06-30")
    again = load_tariffs(con, _batch(first, dt.date(2024, 1, 1), "r2"))
    assert (again.rates_opened, again.rates_closed, again.lines_opened, again.lines_closed) == (0, 0, 0, 0)

    r3 = load_tariffs(con, _batch(second, dt.date(2025, 1, 1), "r3"))
    assert (r3.rates_opened, r3.rates_closed, r3.rates_unchanged) == (1, 1, 10)
    assert (r3.lines_opened, r3.lines_closed) == (0, 1)
    assert _as_of(con, "2024-06-30") == before
    assert ("01012900", "mfn", None, "6.8%") in before
    assert ("01012900", "mfn", None, "5%") in _as_of(con, "2025-01-01")
    assert con.sql("SELECT valid_to FROM core.dim_tariff_line WHERE line_key = '0101210010'").fetchall() == [
        (dt.date(2025, 1, 1),)
    ]
    unchanged = con.sql(
        "SELECT valid_from, valid_to FROM core.fact_tariff_rate WHERE tariff_line = '01012100' AND rate_type = 'mfn'"
    ).fetchall()
    assert unchanged == [(dt.date(2024, 1, 1), None)]
    assert con.sql("SELECT count(*) FROM meta.runs").fetchall() == [(3,)]

    with pytest.raises(OutOfOrderEditionError, match="before the newest"):
        load_tariffs(con, _batch(first, dt.date(2024, 6, 1), "r4"))
    assert con.sql("SELECT count(*) FROM meta.runs").fetchall() == [(3,)]


def test_corrected_reload_of_the_same_date_replaces_in_place(con, tmp_path: Path) -> None:
    load_tariffs(con, _batch(write_csv(tmp_path / "a.csv"), dt.date(2024, 1, 1), "r1"))
    fixed = [list(r) for r in ROWS]
    fixed[4][4] = "6.9%"
    result = load_tariffs(con, _batch(write_csv(tmp_path / "b.csv", fixed), dt.date(2024, 1, 1), "r2"))
    assert (result.rates_opened, result.rates_closed) == (1, 1)
    rows = con.sql("SELECT rate_text, valid_to FROM core.fact_tariff_rate WHERE tariff_line = '01012900' "
                   "AND rate_type = 'mfn'").fetchall()
    assert rows == [("6.9%", None)]


def test_failed_run_leaves_the_warehouse_unchanged(con, tmp_path: Path) -> None:
    load_tariffs(con, _batch(write_csv(tmp_path / "a.csv"), dt.date(2024, 1, 1), "r1"))
    before = con.sql("SELECT * FROM core.fact_tariff_rate ORDER BY ALL").fetchall()
    batch = _batch(write_csv(tmp_path / "b.csv"), dt.date(2025, 1, 1), "r2")
    batch.rates = pl.concat([batch.rates, batch.rates.head(1)])
    with pytest.raises(ValueError, match="repeat within one edition"):
        load_tariffs(con, batch)
    assert con.sql("SELECT * FROM core.fact_tariff_rate ORDER BY ALL").fetchall() == before
    assert con.sql("SELECT count(*) FROM meta.runs").fetchall() == [(1,)]


@pytest.mark.prefect
def test_cli_ingest_usitc_hts(env: Path, prefect_server, capsys, monkeypatch) -> None:
    from flows.cli import main

    rows = [*ROWS, ["0102.XX", "0", "Bad number", "", "1%", "", "", "", ""]]
    path = write_csv(env / "hts.csv", rows)
    args = ["ingest", "usitc-hts", "--file", str(path)]
    assert main(args) == 2
    assert "--valid-from" in capsys.readouterr().err
    assert main([*args, "--valid-from", "2024-01-01"]) == 2  # 1 of 7 rows bad: over the 5% default
    assert "nothing was loaded" in capsys.readouterr().err
    monkeypatch.setenv("ENTREPOT_QUARANTINE_MAX_SHARE", "0.5")
    assert main([*args, "--valid-from", "2024-01-01"]) == 0
    out = capsys.readouterr().out
    assert "quarantined 1" in out and "unparsed rate texts: 0 distinct" in out
    con = duckdb.connect(str(env / "wh.duckdb"), read_only=True)
    try:
        assert con.sql("SELECT row_number, field, file_name FROM meta.quarantine").fetchall() == [
            (8, "hts_number", "hts.csv")
        ]
        assert con.sql("SELECT rows_in, rows_quarantined FROM meta.runs").fetchall() == [(7, 1)]
        assert con.sql("SELECT count(*) FROM meta.landed_files WHERE source = 'usitc_hts'").fetchall() == [(1,)]
    finally:
        con.close()


def test_conformed_rows_are_checked_against_the_core_model(con, tmp_path: Path) -> None:
    batch = _batch(write_csv(tmp_path / "a.csv"), dt.date(2024, 1, 1), "r1")
    batch.rates = batch.rates.with_columns(pl.lit("KR").alias("program_code"))
    with pytest.raises(ValueError, match=r"core\.fact_tariff_rate break its model"):
        load_tariffs(con, batch)
    assert con.sql("SELECT count(*) FROM core.fact_tariff_rate").fetchall() == [(0,)]


@pytest.mark.prefect
def test_editions_replay_from_the_landing_directory(env: Path, prefect_server) -> None:
    import shutil

    from flows.ingest import ingest
    from flows.rebuild import rebuild

    changed = [list(r) for r in ROWS]
    changed[4][4] = "5%"
    ingest("usitc-hts", str(write_csv(env / "a.csv")), valid_from=dt.date(2024, 1, 1))
    ingest("usitc-hts", str(write_csv(env / "b.csv", changed)), valid_from=dt.date(2025, 1, 1))
    shutil.copyfile(env / "wh.duckdb", env / "rebuilt.duckdb")
    result = rebuild(env / "rebuilt.duckdb", env / "landing", max_reject_share=0.05)
    assert result.loads == 2
    query = "SELECT * FROM core.fact_tariff_rate ORDER BY ALL"
    tables = []
    for name in ("wh.duckdb", "rebuilt.duckdb"):
        con = duckdb.connect(str(env / name), read_only=True)
        try:
            tables.append(con.sql(query).fetchall())
        finally:
            con.close()
    assert tables[0] == tables[1] and len(tables[0]) == 12
