"""The real USITC HTS 2024 basic edition (../shared/data, read in place; skipped when absent)."""

from __future__ import annotations

import csv
import datetime as dt
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.sources.usitc_hts import read_file
from schemas.raw.usitc_hts import UsitcHtsRaw
from schemas.validation import split_valid
from transforms import usitc_hts as hts
from warehouse.loader import LANDED_SCHEMA, QUARANTINE_SCHEMA
from warehouse.migrate import migrate
from warehouse.tariff_loader import TariffBatch, TooManyRemovalsError, load_tariffs

pytestmark = pytest.mark.realdata
EDITION = Path("tariffs/us_hts/hts_2024_basic_edition.csv")
CHANGES = {"0101.29.00": "5%", "8703.23.01": "3%", "0201.10.50": "20%"}  # General column, edited copy


def _load(con: duckdb.DuckDBPyConnection, path: Path, valid_from: dt.date, run_id: str, share: float | None = None):
    started = time.perf_counter()
    raw = read_file(path)
    validated = split_valid(raw, UsitcHtsRaw, path.name)
    lines, rates, rejects = hts.conform(validated.valid)
    batch = TariffBatch(
        run_id=run_id, flow_name="test", source=hts.SOURCE, importer_id="USA", valid_from=valid_from,
        edition=path.name, file_hash="f" * 64, started_at=dt.datetime.now(dt.UTC), lines=lines, rates=rates,
        quarantine=pl.DataFrame(schema=QUARANTINE_SCHEMA), landed=pl.DataFrame(schema=LANDED_SCHEMA),
        rows_in=raw.height, rows_quarantined=validated.rejects.height + rejects.height, max_removed_share=share,
    )
    result = load_tariffs(con, batch)
    return raw, validated, result, time.perf_counter() - started


@pytest.fixture(scope="module")
def loaded(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("hts") / "wh.duckdb"))
    migrate(con)
    first = _load(con, shared_data / EDITION, dt.date(2024, 1, 1), "real-2024")
    yield con, first
    con.close()


def test_every_row_loads_in_a_few_seconds(loaded) -> None:
    con, (raw, validated, result, seconds) = loaded
    print(f"\nreal HTS 2024 edition: {raw.height} rows read, validated, parsed and merged in {seconds:.1f} s")
    assert raw.height == 35_744
    assert validated.rejects.height == 0 and result.rows_quarantined == 0
    assert result.lines_opened == 35_744
    assert con.sql("SELECT count(*) FROM core.dim_tariff_line").fetchall() == [(35_744,)]
    levels = dict(con.sql("SELECT level, count(*) FROM core.dim_tariff_line GROUP BY level").fetchall())
    assert (levels[8], levels[10], levels[0]) == (7_020, 19_671, 6_001)
    kr = con.sql("SELECT count(DISTINCT tariff_line) FROM core.fact_tariff_rate WHERE program_code = 'KR'")
    assert kr.fetchall()[0][0] >= 7_000
    assert seconds < 20


def test_unparsed_texts_are_few_kept_and_listed(loaded) -> None:
    con, (*_, result, _) = loaded
    texts = con.sql(
        """SELECT rate_type, rate_text, count(*) FROM core.fact_tariff_rate WHERE parse_status = 'unparsed'
           GROUP BY ALL ORDER BY 3 DESC, 2"""
    ).fetchall()
    print(f"\nunparsed rate texts: {len(texts)} distinct, {result.unparsed_rates} rate rows")
    for rate_type, text, n in texts:
        print(f"  {n:>3} x [{rate_type}] {text}")
    assert result.unparsed_rates == sum(n for *_, n in texts)
    assert len(texts) <= 20
    empty = con.sql("SELECT count(*) FROM core.fact_tariff_rate WHERE trim(rate_text) = ''").fetchall()
    assert empty == [(0,)]


@pytest.mark.parametrize(
    ("line", "rate_type", "program", "pct"),
    [
        ("87032301", "mfn", None, 2.5),
        ("87032301", "preferential", "KR", 0.0),
        ("02011050", "mfn", None, 26.4),
        ("02011050", "preferential", "KR", 3.5),
    ],
)
def test_spot_checks_through_the_mart(loaded, line: str, rate_type: str, program: str | None, pct: float) -> None:
    con, _ = loaded
    rows = con.sql(
        """SELECT ad_valorem_pct, rate_text, importer_iso3 FROM marts.tariff_schedule
           WHERE tariff_line = $line AND rate_type = $type AND program IS NOT DISTINCT FROM $program
             AND valid_from <= DATE '2024-06-30' AND (valid_to IS NULL OR valid_to > DATE '2024-06-30')""",
        params={"line": line, "type": rate_type, "program": program},
    ).fetchall()
    assert len(rows) == 1
    assert rows[0][0] == pytest.approx(pct) and rows[0][2] == "USA"
    if pct == 0:
        assert rows[0][1] == "Free"


def _edited_copy(source: Path, target: Path) -> None:
    with open(source, encoding="utf-8-sig", newline="") as src, open(target, "w", encoding="utf-8", newline="") as out:
        reader, writer = csv.reader(src), csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(next(reader))
        for row in reader:
            if row[0] in CHANGES:
                row[4] = CHANGES[row[0]]
            writer.writerow(row)


def test_two_editions_as_of_a_date_between_them(loaded, shared_data: Path, tmp_path: Path) -> None:
    con, _ = loaded
    query = """SELECT tariff_line, rate_type, program, ad_valorem_pct, specific_amount, rate_text
               FROM marts.tariff_schedule WHERE importer_iso3 = 'USA'
                 AND valid_from <= $d AND (valid_to IS NULL OR valid_to > $d) ORDER BY ALL"""
    between = dt.date(2024, 6, 30)
    before = con.sql(query, params={"d": between}).fetchall()
    edited = tmp_path / "hts_2024_revision.csv"
    _edited_copy(shared_data / EDITION, edited)
    *_, result, _ = _load(con, edited, dt.date(2024, 7, 1), "real-2024-rev")
    assert (result.rates_opened, result.rates_closed) == (3, 3)
    assert con.sql(query, params={"d": between}).fetchall() == before
    after = {(r[0], r[1], r[2]): r[5] for r in con.sql(query, params={"d": dt.date(2024, 7, 1)}).fetchall()}
    assert after[("87032301", "mfn", None)] == "3%"
    assert after[("02011050", "preferential", "KR")] == "3.5%"


def test_indicators_on_the_real_edition_are_plausible(loaded) -> None:
    """No trade facts loaded here: simple averages and line shares only (specific lines lack an AVE)."""
    con, _ = loaded
    rows = {
        r[0]: r[1:]
        for r in con.sql(
            """SELECT coalesce(program, rate_type), simple_avg_pct, duty_free_lines_pct, tariff_lines, lines_without_ave
               FROM marts.tariff_indicators WHERE year = 2024 AND aggregation = 'total'
                 AND (program IS NULL OR program = 'KR')"""
        ).fetchall()
    }
    print(f"\nUS 2024 indicators (simple avg %, duty-free lines %, lines, lines without AVE): {rows}")
    mfn_avg, mfn_free, lines, _ = rows["mfn"]
    assert 3.0 < mfn_avg < 4.0  # the WTO's US tariff profile gives about 3.3% (it includes AVEs)
    assert 30 < mfn_free < 45 and lines > 11_000
    assert rows["KR"][0] < 0.5 and rows["KR"][1] > 95


def test_the_first_half_of_the_edition_is_refused(loaded, shared_data: Path, tmp_path: Path) -> None:
    """Loaded as a new edition, the first half of the file (17,872 of its 35,744 rows) would close every
    line of its second half: refused, nothing written."""
    con, _ = loaded
    tables = ["core.dim_tariff_line", "core.fact_tariff_rate", "core.dim_tariff_edition", "meta.runs"]
    before = {t: con.sql(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    half = tmp_path / "hts_2025_first_half.csv"
    with open(shared_data / EDITION, encoding="utf-8-sig", newline="") as src:
        rows = list(csv.reader(src))
    with open(half, "w", encoding="utf-8", newline="") as out:
        csv.writer(out, quoting=csv.QUOTE_ALL).writerows(rows[: 1 + (len(rows) - 1) // 2])
    refusal = r"^hts_2025_first_half.csv: this edition would close 17,872 of the 35,744 usitc_hts lines in force"
    with pytest.raises(TooManyRemovalsError, match=refusal):
        _load(con, half, dt.date(2025, 1, 1), "real-2025-half", share=0.02)
    assert {t: con.sql(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables} == before
