"""USITC DataWeb query exports: the layout (preamble, header, year columns, Total: footer) and faults."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.pipeline import read_crosswalk
from flows.sources.census_country_totals import UnreadableFileError
from flows.sources.usitc_dataweb import read_file
from schemas.raw.usitc_dataweb import DataWebRaw
from schemas.validation import PayloadSchemaError, split_valid
from transforms.usitc_dataweb import conform
from warehouse.migrate import migrate

ROWS = [
    'FAS Value,85,"ELECTRICAL MACHINERY",South Korea,1000.00,2000.00,0.00',
    'FAS Value,85,"ELECTRICAL MACHINERY",Canada,500.00,700.00,0.00',
    'FAS Value,61,"APPAREL, KNITTED",South Korea,10.00,20.00,0.00',
    'FAS Value,61,"APPAREL, KNITTED",Montserrat ,1.00,0.00,0.00',
]


def export_file(
    tmp_path: Path,
    rows: list[str] = ROWS,
    *,
    count: int | None = None,
    footer: str | None = None,
    flow: str = "Total Exports",
) -> Path:
    footer = footer or 'Total: ,,,,"1,511","2,720",0'
    lines = [
        f"{flow}|Annual Data,,,,,,",
        f"Data Row Count,{len(rows) if count is None else count},,,,,",
        "Data Type,HTS Number,Description,Country,2020,2021,2022",
        *rows,
        footer,
    ]
    path = tmp_path / "DataWeb-Query-Export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def crosswalk() -> pl.DataFrame:
    with duckdb.connect() as con:
        migrate(con)
        return read_crosswalk(con)


def run(path: Path, crosswalk: pl.DataFrame):
    raw = read_file(path)
    validated = split_valid(raw, DataWebRaw, path.name)
    result = conform(validated.valid, crosswalk=crosswalk, file_hash="b" * 64)
    return raw, pl.concat([validated.rejects, result.rejects], how="vertical_relaxed"), result


def test_layout_becomes_one_fact_per_row_and_year(tmp_path: Path, crosswalk) -> None:
    raw, rejects, result = run(export_file(tmp_path), crosswalk)
    assert raw.height == 5 and rejects.height == 0
    facts = {
        (r["partner_id"], r["product_id"], r["period_id"]): r["value_usd"]
        for r in result.facts.iter_rows(named=True)
    }
    assert facts[("KOR", "HS2017:85", "2020")] == 1000.0
    assert facts[("KOR", "HS2017:61", "2021")] == 20.0
    assert facts[("MSR", "HS2017:61", "2021")] == 0.0  # a zero in a published year is a reported zero
    assert set(result.facts["flow_id"]) == {"X_FAS"} and set(result.facts["reporter_id"]) == {"USA"}
    # 2022 is 0 everywhere, footer included: not published yet, so no facts and counted as skipped
    assert "2022" not in set(result.facts["period_id"])
    assert result.rows_skipped == 4
    assert result.notes == (
        "2020: publisher total 1,511, rows 1,511, loaded 1,511",
        "2021: publisher total 2,720, rows 2,720, loaded 2,720",
    )


def test_footer_mismatch_quarantines_the_footer(tmp_path: Path, crosswalk) -> None:
    path = export_file(tmp_path, footer='Total: ,,,,"1,512","2,720",0')
    _raw, rejects, result = run(path, crosswalk)
    assert rejects.select("row_number", "field").rows() == [(8, "2020")]
    assert "footer for 2020 is 1512.0 but the file's data rows sum to 1511.00" in rejects["reason"][0]
    assert result.facts.filter(pl.col("period_id") == "2020")["value_usd"].sum() == 1511


def test_unknown_country_is_quarantined_and_reported_against_the_total(tmp_path: Path, crosswalk) -> None:
    rows = [*ROWS[:3], 'FAS Value,61,"APPAREL, KNITTED",Atlantis,1.00,0.00,0.00']
    raw, rejects, result = run(export_file(tmp_path, rows), crosswalk)
    assert rejects.select("row_number", "field", "value").rows() == [(7, "Country", "Atlantis")]
    assert result.notes[0] == "2020: publisher total 1,511, rows 1,511, loaded 1,510"
    assert raw.height == 5 and result.facts.height == 3 * 2


def test_charges_are_not_import_values(tmp_path: Path, crosswalk) -> None:
    rows = [r.replace("FAS Value", "General Import Charges") for r in ROWS]
    _, rejects, result = run(export_file(tmp_path, rows, flow="General Imports"), crosswalk)
    assert rejects.height == 0 and set(result.facts["flow_id"]) == {"M_GEN_CHARGES"}


def test_a_repeated_row_is_quarantined_with_the_row_it_repeats(tmp_path: Path, crosswalk) -> None:
    rows = [*ROWS, ROWS[0].replace("South Korea", '"Korea, South"')]  # both names resolve to KOR
    _, rejects, result = run(export_file(tmp_path, rows, footer='Total: ,,,,"2,511","4,720",0'), crosswalk)
    assert rejects.select("row_number", "field").rows() == [(4, "Country"), (8, "Country")]
    assert rejects["reason"].str.starts_with("duplicate key").all()
    assert result.facts.height == 3 * 2


def test_unknown_measure_is_quarantined(tmp_path: Path, crosswalk) -> None:
    rows = [r.replace("FAS Value", "First Unit of Quantity") for r in ROWS]
    _, rejects, result = run(export_file(tmp_path, rows), crosswalk)
    assert rejects.height == 4 and set(rejects["field"]) == {"Data Type"}
    assert result.facts.height == 0


def test_truncated_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="3 data rows but the preamble promises 4"):
        read_file(export_file(tmp_path, ROWS[:3], count=4))


def test_other_layouts_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "monthly.csv"
    path.write_text(
        "Total Exports|Monthly Data\nData Row Count,0\nData Type,HTS Number,Description,Country,Jan\n"
    )
    with pytest.raises(UnreadableFileError, match="Annual Data"):
        read_file(path)
    path.write_text("Country,Value\nKorea,1\n")
    with pytest.raises(UnreadableFileError, match="no header row"):
        read_file(path)


def test_bad_number_is_quarantined_with_its_field(tmp_path: Path, crosswalk) -> None:
    rows = [ROWS[0].replace("1000.00", "n/a"), *ROWS[1:]]
    _, rejects, _ = run(export_file(tmp_path, rows), crosswalk)
    assert rejects.select("row_number", "field", "value").rows()[0] == (4, "2020", "n/a")


def test_missing_year_columns_is_a_schema_error(crosswalk) -> None:
    frame = pl.DataFrame(
        {
            "Trade Flow": ["Total Exports"],
            "Data Type": ["FAS Value"],
            "HTS Number": ["85"],
            "Description": ["x"],
            "Country": ["Canada"],
            "source_row": [4],
        }
    )
    with pytest.raises(PayloadSchemaError, match=r"f\.csv"):
        split_valid(frame, DataWebRaw, "f.csv")
