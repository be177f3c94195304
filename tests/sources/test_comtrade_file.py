"""Comtrade CSV downloads: reading (Latin-1, trailing commas), validation and conforming."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.pipeline import read_crosswalk
from flows.sources.census_country_totals import UnreadableFileError
from flows.sources.comtrade import read_file
from schemas.raw.comtrade import ComtradeRaw
from schemas.validation import split_valid
from transforms.comtrade import conform
from warehouse.migrate import migrate

HEADER = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,"
    "flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,classificationCode,cmdCode,cmdDesc,customsCode,"
    "motCode,qtyUnitCode,qtyUnitAbbr,qty,cifvalue,fobvalue,primaryValue"
)


def line(
    partner: str = "410",
    desc: str = "Rep. of Korea",
    flow: str = "M",
    cif: str = "120",
    fob: str = "115",
    primary: str = "120",
    *,
    freq: str = "A",
    period: str = "2022",
    cmd: str = "TOTAL",
    cls: str = "H6",
    partner2: str = "0",
    qty_unit: str = "N/A",
    qty: str = "0",
) -> str:
    fields = [
        "C",
        freq,
        "20220101",
        "2022",
        "52",
        period,
        "842",
        "USA",
        "USA",
        flow,
        "x",
        partner,
        "",
        desc,
        partner2,
        cls,
        cmd,
        "All Commodities",
        "C00",
        "0",
        "-1",
        qty_unit,
        qty,
        cif,
        fob,
        primary,
    ]
    return ",".join(f'"{f}"' if f else "" for f in fields) + ","


@pytest.fixture(scope="module")
def crosswalk() -> pl.DataFrame:
    with duckdb.connect() as con:
        migrate(con)
        return read_crosswalk(con)


def write(tmp_path: Path, lines: list[str], encoding: str = "latin-1") -> Path:
    path = tmp_path / "comtrade.csv"
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode(encoding))
    return path


def conformed(path: Path, crosswalk: pl.DataFrame):
    raw = read_file(path)
    validated = split_valid(raw, ComtradeRaw, path.name)
    return raw, validated, conform(validated.valid, crosswalk=crosswalk, file_hash="a" * 64)


def test_latin1_file_with_trailing_commas_reads(tmp_path: Path) -> None:
    path = write(tmp_path, [line(), line("384", "Côte d'Ivoire")])
    raw = read_file(path)
    assert raw.height == 2
    assert raw["partnerDesc"].to_list() == ["Rep. of Korea", "Côte d'Ivoire"]
    assert raw["primaryValue"].to_list() == ["120", "120"]
    assert raw["source_row"].to_list() == [2, 3]


def test_ragged_line_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, [line(), line() + '"extra"'])
    with pytest.raises(UnreadableFileError, match=r"comtrade.csv: line 3 has 27 fields, the header has 26"):
        read_file(path)


def test_each_valuation_basis_is_its_own_flow(tmp_path: Path, crosswalk) -> None:
    path = write(
        tmp_path,
        [
            line("410", flow="M", cif="120", fob="115", primary="120"),
            line("410", flow="X", cif="", fob="71", primary="71"),
            line("0", "World", flow="M", cif="3372", fob="", primary="3372"),
            line("156", "China", flow="X", cif="", fob="", primary="", cmd="8703", cls="H5"),
        ],
    )
    _, validated, result = conformed(path, crosswalk)
    assert validated.rejects.height == 0
    rows = sorted(
        result.facts.select(
            "partner_id", "product_id", "period_id", "flow_id", "value_usd", "value_status"
        ).iter_rows()
    )
    assert rows == [
        ("CHN", "HS2017:8703", "2022", "X_FOB", None, "suppressed"),
        ("KOR", "TOTAL", "2022", "M_CIF", 120.0, "reported"),
        ("KOR", "TOTAL", "2022", "M_FOB", 115.0, "reported"),
        ("KOR", "TOTAL", "2022", "X_FOB", 71.0, "reported"),
        ("WORLD", "TOTAL", "2022", "M_CIF", 3372.0, "reported"),
    ]
    assert set(result.facts["reporter_id"]) == {"USA"}
    assert "HS2017:8703" in result.products["product_id"].to_list()


def test_monthly_periods(tmp_path: Path, crosswalk) -> None:
    path = write(tmp_path, [line(freq="M", period="202203")])
    _, _, result = conformed(path, crosswalk)
    assert set(result.facts["period_id"]) == {"2022-03"}


def test_breakdowns_unknown_codes_and_other_flows_are_quarantined(tmp_path: Path, crosswalk) -> None:
    path = write(
        tmp_path,
        [
            line("410"),
            line("410", partner2="156"),  # a second-partner breakdown would double count
            line("999", "Atlantis"),
            line("410", flow="RX"),
            line("410", cif="-5"),
        ],
    )
    raw, validated, result = conformed(path, crosswalk)
    rejects = pl.concat([validated.rejects, result.rejects], how="vertical_relaxed")
    by_row = {r["row_number"]: r for r in rejects.iter_rows(named=True)}
    assert sorted(by_row) == [3, 4, 5, 6]
    assert by_row[3]["field"] == "partner2Code"
    assert by_row[4]["reason"] == "unknown comtrade country code 999"
    assert "flowCode RX is not loaded" in by_row[5]["reason"]
    assert by_row[6]["field"] == "cifvalue"
    loaded_rows = raw.height - rejects["row_number"].n_unique()
    assert loaded_rows == 1 and result.facts.height == 2


def test_records_colliding_after_code_mapping_are_quarantined(tmp_path: Path, crosswalk) -> None:
    # 457 (Sarawak) and 459 (Peninsula Malaysia) both resolve to MYS
    path = write(tmp_path, [line("457", "Sarawak"), line("459", "Peninsula Malaysia")])
    _, _, result = conformed(path, crosswalk)
    assert result.rejects["row_number"].to_list() == [2, 3]  # both: neither is guessed to be MYS
    assert result.facts.height == 0


def test_real_download_loads_every_row(shared_data: Path, crosswalk) -> None:
    path = shared_data / "comtrade" / "bilateral" / "comtrade_plus_2022_USA_CHN_DEU_by_partner_TOTAL.csv"
    raw, validated, result = conformed(path, crosswalk)
    assert raw.height == 1352 and validated.rejects.height == 0 and result.rejects.height == 0
    assert "Côte d'Ivoire" in raw["partnerDesc"].to_list()
    kor = result.facts.filter((pl.col("reporter_id") == "USA") & (pl.col("partner_id") == "KOR"))
    values = dict(zip(kor["flow_id"], kor["value_usd"], strict=True))
    assert values == {"M_CIF": 120_859_256_396, "M_FOB": 115_325_529_001, "X_FOB": 71_469_488_662}


def test_reference_areas_all_resolve_with_composites_as_aggregates(shared_data: Path) -> None:
    import json

    with duckdb.connect() as con:
        migrate(con)
        known = dict(
            con.sql(
                """SELECT k.code, d.is_aggregate FROM core.dim_country_code AS k
                   JOIN core.dim_country AS d USING (country_id) WHERE k.scheme = 'comtrade'"""
            ).fetchall()
        )
    folder = shared_data / "comtrade" / "reference"
    for name in ("comtrade_partnerAreas.json", "comtrade_reporterAreas.json"):
        areas = [a for a in json.loads((folder / name).read_bytes())["results"] if a["id"] != "all"]
        assert [a["id"] for a in areas if a["id"] not in known] == [], name
    partners = json.loads((folder / "comtrade_partnerAreas.json").read_bytes())["results"]
    composite = {a["id"] for a in partners if a["id"] != "all" and known[a["id"]]}
    assert {"0", "899", "837", "838", "839", "492"} <= composite
    assert not known["410"] and not known["842"]
