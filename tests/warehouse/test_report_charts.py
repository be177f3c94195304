"""The report's charts read well: no two labels overlap, nothing is cut, the legend shows what is drawn.

Label boxes are computed from each SVG text's position, anchor and length (an upper bound of the
glyph width), and, in headless Chromium, measured by the page itself (data-overlaps); a screenshot
of the real 1985-2024 country totals is written too, for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from warehouse.report.charts import Milestone, bar_pairs_chart, text_width, year_chart

FONT = {"chart-title": 13, "milestone-label": 10}
TEXT = re.compile(r'<text x="([\d.]+)" y="([\d.]+)"(?: text-anchor="(\w+)")? class="([\w -]+)">([^<]*)</text>')
CHROMIUM = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def label_boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """(text, left, top, right, bottom) of every label of an SVG chart."""
    boxes = []
    for x, y, anchor, cls, text in TEXT.findall(svg):
        size = FONT.get(cls.split()[0], 11)
        width = text_width(text, size)
        left = float(x) - {"middle": width / 2, "end": width}.get(anchor, 0)
        boxes.append((text, left, float(y) - size * 0.8, left + width, float(y) + size * 0.2))
    return boxes


def overlaps(svg: str) -> list[tuple[str, str]]:
    boxes = label_boxes(svg)
    return [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]


def forty_years() -> str:
    years = list(range(1985, 2025))
    milestones = [Milestone(dt.date(2007, 6, 30), "KORUS signed"), Milestone(dt.date(2012, 3, 15), "KORUS in force"),
                  Milestone(dt.date(2019, 1, 1), "KORUS amended")]
    return year_chart("USA–KOR", years, [5.0 + y - 1985 for y in years], [8.0 + 2 * (y - 1985) for y in years],
                      milestones)


def test_forty_year_labels_do_not_overlap() -> None:
    svg = forty_years()
    assert overlaps(svg) == []
    shown = re.findall(r'class="tick year">(\d{4})<', svg)
    assert shown[0] == "1985" and "2020" in shown and len(shown) >= 8


def test_the_legend_shows_the_balance_colours() -> None:
    svg = forty_years()
    legend = re.findall(r'class="tick legend">([^<]+)<', svg)
    assert legend == ["exports", "imports", "balance (exports − imports)", "deficit"]  # never a surplus here
    assert 'fill="#d62728"/>' in svg  # the deficit dot's colour, in the legend


def test_long_names_are_written_in_full_and_no_legend_without_bars() -> None:
    title = ("XVI Machinery and mechanical appliances; electrical equipment; parts thereof; sound recorders "
             "and reproducers, television image and sound recorders and reproducers, and parts and accessories")
    svg = bar_pairs_chart("imports 2024", [title, "87 Vehicles other than railway"], [3.0, 2.0], [None, None],
                          ("2024", "2023"), "billion USD", ["new", "new"])
    written = " ".join(t for t, *_ in label_boxes(svg) if t not in ("new", "2024", "3.0", "2.0"))
    assert title in written.replace("  ", " ")
    assert re.findall(r'class="tick legend">([^<]+)<', svg) == ["2024"]  # 2023 has no bars: not listed
    assert overlaps(svg) == []


@pytest.mark.realdata
def test_real_forty_years_in_headless_chromium(shared_data: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("chromium is not installed")
    from tests.warehouse.real_country_totals import build
    from warehouse.report import write_report

    wh = build(shared_data / "census_trade" / "country_totals" / "census_country_nsa_1985_2024jun.xlsx", tmp_path)
    page = write_report(wh, tmp_path / "report.html", [("USA", "KOR")])
    assert overlaps(page.read_text()) == []
    run = [chromium, *CHROMIUM, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*run, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert re.findall(r'data-overlaps="(\d+)"', dom) == ["0"], re.findall(r'data-overlap-pairs="([^"]*)"', dom)
    shot = tmp_path / "report.png"
    subprocess.run([*run, f"--screenshot={shot}", "--window-size=1000,900", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
