"""Bad files: every row loads or is quarantined with its reason, or the file fails naming itself."""

from __future__ import annotations

import json

import duckdb
import pytest

from flows.sources.files import UnreadableFileError
from schemas.validation import PayloadSchemaError
from tests.helpers import snapshot
from tests.reliability import tally
from tests.reliability.bad_files import API_EXPORTS_CORPUS, COUNTRY_TOTALS_CORPUS, BadFile
from tests.reliability.bad_trade_files import (
    API_EXPORTS_MORE,
    API_IMPORTS_CORPUS,
    COMTRADE_CORPUS,
    DATAWEB_CORPUS,
    PORTHS_CORPUS,
)
from tests.reliability.loading import duplicate_count, ingest_plain
from warehouse.quality.gate import QualityGate

SOURCE = "census-country-totals"
CORPORA = {
    "census-country-totals": (COUNTRY_TOTALS_CORPUS, 26),  # 12 months and the year, imports and exports
    "census-api-exports": (API_EXPORTS_CORPUS + API_EXPORTS_MORE, 1),  # one export value a row
    "census-api-imports": (API_IMPORTS_CORPUS, 5),  # general, consumption, CIF, duty, dutiable
    "census-api-porths": (PORTHS_CORPUS, 2),  # air and containerised vessel
    "comtrade": (COMTRADE_CORPUS, 1),  # exports at FOB
    "usitc-dataweb": (DATAWEB_CORPUS, 3),  # 2020, 2021, 2022
}
"""Each file source's corpus and the facts one valid row gives."""
PREAMBLE = {"usitc-dataweb": 2}
"""Lines before the header that are not rows."""
FOOTERS = {"usitc-dataweb"}
"""Sources whose last row is a footer the transform checks, not a fact."""
FACT_KEY = "source, reporter_id, partner_id, product_id, period_id, flow_id"
_valid_values: dict[str, dict[tuple, object]] = {}


def valid_values(source: str, tmp_path) -> dict[tuple, object]:
    """Each fact's value as the source's valid file gives it (loaded once per session)."""
    if source not in _valid_values:
        good = CORPORA[source][0][0]
        wh = tmp_path / "valid.duckdb"
        ingest_plain(source, good.make(tmp_path / f"valid_{good.name}"), wh, tmp_path / "valid_landing")
        with duckdb.connect(str(wh), read_only=True) as con:
            rows = con.sql(f"SELECT {FACT_KEY}, value_usd, quantity FROM core.fact_trade").fetchall()
        _valid_values[source] = {r[:6]: r[6:] for r in rows}
    return _valid_values[source]
CASES = [(source, bad) for source, (corpus, _) in CORPORA.items() for bad in corpus]


def cases(expect: str) -> list:
    return [pytest.param(s, b, id=f"{s}/{b.name}") for s, b in CASES if b.expect == expect]


def data_rows(bad: BadFile, path, source: str = "") -> int:
    """Rows the file holds, counted independently of the loader (the generator's own count)."""
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        rows = [r for r in book["country"].iter_rows(values_only=True) if any(c is not None for c in r)]
        book.close()
        return len(rows) - 1
    text = path.read_bytes().decode("utf-8-sig")
    return max(len([line for line in text.splitlines() if line.strip(", ")]) - 1 - PREAMBLE.get(source, 0), 0)


@pytest.mark.parametrize(("source", "bad"), cases("load"))
def test_every_row_loads_or_is_quarantined(source: str, bad: BadFile, tmp_path) -> None:
    path = bad.make(tmp_path / bad.name)
    wh = tmp_path / "w.duckdb"
    gate = QualityGate(run_name=bad.name)
    result = ingest_plain(source, path, wh, tmp_path / "landing", checks=gate)

    rows = data_rows(bad, path, source)
    with duckdb.connect(str(wh), read_only=True) as con:
        facts = con.sql("SELECT count(*) FROM core.fact_trade").fetchall()[0][0]
        loaded = con.sql(f"SELECT {FACT_KEY}, value_usd, quantity FROM core.fact_trade").fetchall()
        quarantined = con.sql(
            "SELECT row_number, field, value, reason, raw_record FROM meta.quarantine ORDER BY ALL"
        ).fetchall()
    quarantined_rows = {q[0] for q in quarantined}
    cells_per_row = CORPORA[source][1]
    footer = int(source in FOOTERS and _last_row(path) not in quarantined_rows)
    loaded_rows = facts // cells_per_row + footer
    expected = valid_values(source, tmp_path)
    wrong = [r for r in loaded if expected.get(r[:6], "missing") != r[6:]]
    tally.bad_files.add(f"{source}/{bad.name}")
    tally.counts["rows lost"] += rows - loaded_rows - len(quarantined_rows)
    tally.counts["wrong values"] += len(wrong)
    tally.counts["duplicates"] += duplicate_count(wh)
    assert not wrong, f"loaded values that the valid file does not have: {wrong[:3]}"

    if facts or quarantined:  # the gate runs whenever a load changes something
        assert gate.report is not None and gate.report.success
    else:
        assert gate.report is None
    assert (result.rows_in, result.rows_quarantined) == (rows, bad.quarantined)
    assert rows == loaded_rows + len(quarantined_rows), "rows in = rows loaded + rows quarantined"
    assert facts == (rows - bad.quarantined - footer) * cells_per_row
    for _row, field, _value, reason, raw in quarantined:
        assert field and reason
        assert "__index" not in json.loads(raw)  # the raw row as the file had it, nothing added


def _last_row(path) -> int:
    """Line number of the file's last non-blank line (DataWeb's footer)."""
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    return max(i for i, line in enumerate(lines, start=1) if line.strip(", "))


@pytest.mark.parametrize(("source", "bad"), cases("error"))
def test_unreadable_file_fails_naming_it_and_changes_nothing(source: str, bad: BadFile, tmp_path) -> None:
    wh = tmp_path / "w.duckdb"
    good = CORPORA[source][0][0]  # each corpus starts with its valid file
    ingest_plain(source, good.make(tmp_path / good.name), wh, tmp_path / "landing")
    before = snapshot(wh)
    path = bad.make(tmp_path / bad.name)
    with pytest.raises((UnreadableFileError, PayloadSchemaError)) as err:
        ingest_plain(source, path, wh, tmp_path / "landing")
    tally.bad_files.add(f"{source}/{bad.name}")
    assert str(err.value).startswith(f"{bad.name}: ")
    assert bad.message in str(err.value)
    assert snapshot(wh) == before
    assert list((tmp_path / "landing").rglob(f"*{path.suffix}")), "the file itself stays in landing"


def test_duplicate_key_rows_are_both_quarantined_with_the_key(tmp_path) -> None:
    bad = next(b for b in COUNTRY_TOTALS_CORPUS if b.name == "duplicate_key.csv")
    wh = tmp_path / "w.duckdb"
    ingest_plain(SOURCE, bad.make(tmp_path / bad.name), wh, tmp_path / "landing")
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.sql("SELECT row_number, field, value, reason FROM meta.quarantine ORDER BY row_number").fetchall()
    assert [r[0] for r in rows] == [3, 62]  # the second data row and its copy at the end
    assert {r[1] for r in rows} == {"year, CTY_CODE"}
    assert rows[0][2] == rows[1][2] and rows[0][2].startswith("2021, ")
    assert rows[0][3].startswith("duplicate key (year, CTY_CODE)")


def test_quarantined_row_numbers_are_the_files_own_line_numbers(tmp_path) -> None:
    bad = next(b for b in COUNTRY_TOTALS_CORPUS if b.name == "blank_lines.csv")
    path = bad.make(tmp_path / bad.name)
    wh = tmp_path / "w.duckdb"
    ingest_plain(SOURCE, path, wh, tmp_path / "landing")
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.sql("SELECT row_number, field, value FROM meta.quarantine").fetchall()
    line = path.read_text().splitlines().index(next(t for t in path.read_text().splitlines() if "1O.5" in t)) + 1
    assert rows == [(line, "IOCT", "1O.5")] and line == 12
