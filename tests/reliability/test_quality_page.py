"""The project's own quality page: written after every gated run, passed or failed, self-contained
(nothing fetched), rendered by headless Chromium; ``entrepot status`` shows the last gate."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.cli import main
from tests.reliability.bad_files import HEADER, base_rows, write_csv
from tests.reliability.loading import ingest_plain
from tests.reliability.test_quality_gates import CORRUPTIONS, SOURCE, next_year_file
from warehouse.quality.checkpoint import _expected, _value
from warehouse.quality.gate import QualityGate
from warehouse.quality.history import HISTORY, PAGE, load_runs, record_run
from warehouse.quality.report import CRITICAL, WARNING, CheckReport, Outcome, QualityGateError
from warehouse.quality.suites import SUITES

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed with apt-get when missing; skipped only if that is impossible,
    and never under CI=true, where a missing browser fails the test."""
    def unavailable(why: str) -> None:
        (pytest.fail if os.environ.get("CI", "").lower() == "true" else pytest.skip)(why)

    found = shutil.which("chromium")
    if found:
        return found
    if shutil.which("apt-get") is None:
        unavailable("chromium is not installed and there is no apt-get to install it")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            unavailable(f"could not install chromium ({' '.join(command)}): {done.stderr[-500:]}")
    found = shutil.which("chromium")
    if not found:
        unavailable("apt-get installed chromium but it is not on PATH")
    return str(found)


def chromium_run(chromium: str, profile: Path, *args: str) -> str:
    done = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def gated(tmp_path_factory) -> dict:
    """A warehouse loaded through a passing gate, then a load refused by a failing one (a negative
    quantity is critical, a chapter that disagrees with its total a warning)."""
    root = tmp_path_factory.mktemp("quality-page")
    wh, docs = root / "w.duckdb", root / "data_docs"
    ingest_plain(SOURCE, write_csv(root / "country.csv", HEADER, base_rows()), wh, root / "landing",
                 checks=QualityGate(run_name="run-passing", docs_dir=docs))
    passing = (docs / PAGE).read_text(encoding="utf-8")
    with duckdb.connect(str(wh)) as con:
        con.execute(CORRUPTIONS["value_ranges"] + CORRUPTIONS["chapter_reconciliation"])
    with pytest.raises(QualityGateError) as raised:
        ingest_plain(SOURCE, next_year_file(root), wh, root / "landing", migrate_first=False,
                     checks=QualityGate(run_name="run-failing", docs_dir=docs))
    return {"wh": wh, "docs": docs, "passing": passing, "failing": (docs / PAGE).read_text(encoding="utf-8"),
            "error": str(raised.value)}


def test_a_passing_gate_writes_the_page_with_every_suite_and_expectation(gated) -> None:
    page = gated["passing"]
    assert "Latest run: passed" in page and "run-passing" in page and "All 13 expectations passed." in page
    for suite in SUITES:
        assert suite.name in page
        for expectation in suite.expectations():
            assert expectation.expectation_type in page
    assert "≤ 100,000,000,000,000" in page and "in {reported, partial, suppressed}" in page  # expected
    assert "all 9 rows pass" in page  # observed: the nine foreign-key relations, no orphan


def test_a_failing_gate_puts_the_latest_failures_first_and_keeps_the_history(gated) -> None:
    page, docs = gated["failing"], gated["docs"]
    latest, _, rest = page.partition("<h2>Runs</h2>")
    assert "Latest run: failed" in latest and "run-failing" in latest
    assert "1 critical failed, 1 warning" in latest
    assert "expect_column_values_to_be_between" in latest and "min_quantity" in latest and "≥ 0" in latest
    assert "rows fail: -5, -5" in latest  # observed values
    assert "chapter_reconciliation" in latest and "warning" in latest
    assert rest.index("run-failing") < rest.index("run-passing")  # newest first
    assert f"quality page: {docs / PAGE}" in gated["error"]
    runs = load_runs(docs)
    assert [(r.run_name, r.success) for r in runs] == [("run-failing", False), ("run-passing", True)]
    assert [o.expectation for o in runs[0].critical_failures] == ["expect_column_values_to_be_between"]


def test_the_page_fetches_nothing(gated) -> None:
    for page in (gated["passing"], gated["failing"]):
        assert not EXTERNAL.search(page), EXTERNAL.search(page)
        assert "<script" not in page.lower() and "<link" not in page.lower()
        assert 'href="index.html"' in page  # GX's Data Docs beside it, by a relative link
    assert EXTERNAL.search('<img src="https://cdn.example/x.png">') and EXTERNAL.search("url(//fonts.example)")


def test_the_page_renders_in_headless_chromium(gated, chromium, tmp_path) -> None:
    page = gated["docs"] / PAGE
    dom = chromium_run(chromium, tmp_path / "profile-dom", "--dump-dom", page.as_uri())
    assert "Latest run: failed" in dom
    for suite in SUITES:
        assert f"<h3>{suite.name} " in dom
        for expectation in suite.expectations():
            assert f'<code class="name">{expectation.expectation_type}</code>' in dom
    shot = tmp_path / "quality.png"
    chromium_run(chromium, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1200,1600",
                 page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_status_shows_the_last_gate_and_links_to_the_pages(gated, capsys) -> None:
    assert main(["--warehouse", str(gated["wh"]), "status"]) == 0
    out = capsys.readouterr().out
    assert "last quality gate: failed (run run-failing" in out
    row = next(line for line in out.splitlines() if "value_ranges" in line)
    assert re.search(r"value_ranges\s*│\s*6\s*│\s*1\s*│\s*expect_column_values_to_be_between\(min_quantity\)", row)
    assert "(difference_usd) (warning)" in out
    assert f"quality page: {(gated['docs'] / PAGE).as_uri()}" in out
    assert f"GX Data Docs: {(gated['docs'] / 'index.html').as_uri()}" in out


def test_status_before_any_gated_run(tmp_path, capsys) -> None:
    wh = tmp_path / "w.duckdb"
    from warehouse.connection import warehouse
    from warehouse.migrate import migrate

    with warehouse(wh) as con:
        migrate(con)
    assert main(["--warehouse", str(wh), "status"]) == 0
    out = capsys.readouterr().out
    assert "(no gated run yet)" in out and f"quality page: {tmp_path / 'data_docs' / PAGE} (not built yet)" in out


def _report(number: int, success: bool) -> CheckReport:
    outcome = Outcome("s", "expect_x", "c", CRITICAL if number % 2 else WARNING, success, observed="1 of 2 rows fail")
    return CheckReport(run_name=f"nightly-{number}", outcomes=[outcome],
                       run_time=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=number))


def test_history_is_bounded_and_newest_first(tmp_path, caplog) -> None:
    for number in range(5):
        record_run(tmp_path, _report(number, success=number != 3), keep=3)
    lines = (tmp_path / HISTORY).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["run"] for line in lines] == ["nightly-2", "nightly-3", "nightly-4"]
    assert [r.run_name for r in load_runs(tmp_path)] == ["nightly-4", "nightly-3", "nightly-2"]
    page = (tmp_path / PAGE).read_text(encoding="utf-8")
    assert "nightly-1" not in page and page.index("nightly-4") < page.index("nightly-3") < page.index("nightly-2")
    with (tmp_path / HISTORY).open("a", encoding="utf-8") as history:
        history.write("{not json\n")
    assert [r.run_name for r in load_runs(tmp_path)] == ["nightly-4", "nightly-3", "nightly-2"]  # left out, and said so
    assert f"{tmp_path / HISTORY} line 4 is not a gate result" in caplog.text


def test_names_and_values_on_the_page_are_escaped(tmp_path) -> None:
    report = CheckReport(run_name="<b>run</b>", outcomes=[Outcome("s<", "expect_<x>", None, CRITICAL, False,
                                                                   detail="1 rows, e.g. ['<script>']")])
    page = (record_run(tmp_path, report)).read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;run&lt;/b&gt;" in page


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_integers_read_back_as_themselves(number: int) -> None:
    assert int(_value(number).replace(",", "")) == number
    assert int(_value(float(number)).replace(",", "")) == number


def test_expected_in_words() -> None:
    assert _expected("expect_column_values_to_be_between", {"column": "x", "min_value": 0, "max_value": 0}) == "= 0"
    assert _expected("expect_column_values_to_be_between", {"min_value": 1, "max_value": 5}) == "between 1 and 5"
    assert _expected("expect_column_values_to_be_between", {"max_value": 2027}) == "≤ 2027"
    assert _expected("expect_column_pair_values_to_be_equal", {"column_A": "a", "column_B": "b"}) == "a = b"
    assert _expected("expect_column_pair_values_a_to_be_greater_than_b",
                     {"column_A": "a", "column_B": "b", "or_equal": False}) == "a > b"
    assert _expected("expect_column_values_to_be_in_set", {"value_set": [False]}) == "in {False}"
