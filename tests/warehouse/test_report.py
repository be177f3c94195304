"""`entrepot report`: a self-contained HTML report whose charts draw in headless Chromium."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from flows.cli import main
from tests import demo_warehouse
from tests.chromium import CHROMIUM_FLAGS


def render(chromium: str, page: Path, profile: Path) -> str:
    """The page's DOM after load, as headless Chromium sees it."""
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The report of a warehouse without tariffs, and of the same warehouse with a few tariff rates."""
    root = tmp_path_factory.mktemp("report")
    wh = root / "wh.duckdb"
    demo_warehouse.build(wh, root / "landing")
    assert main(["--warehouse", str(wh), "report", "--out", str(root / "plain.html")]) == 0
    demo_warehouse.add_tariffs(wh)
    assert main(["--warehouse", str(wh), "report", "--out", str(root / "tariffs.html")]) == 0
    return {"plain": root / "plain.html", "tariffs": root / "tariffs.html"}


def test_report_is_self_contained(reports) -> None:
    for path in reports.values():
        html = path.read_text()
        assert not re.search(r"https?://", html), "the report must hold no URL (it opens offline)"
        assert "<link" not in html and "src=" not in html
    plain = reports["plain"].read_text()
    assert "No tariff schedule is loaded" in plain
    assert "KORUS in force 2012-03-15" in plain and "KORUS amended 2019-01-01" in plain
    assert "Outside the years shown: KORUS signed 2007-06-30" in plain  # census_api holds 2024-2025 only


def test_charts_draw_in_headless_chromium(chromium: str, reports, tmp_path: Path) -> None:
    for name, expected in (("plain", 4), ("tariffs", 5)):  # 2 balance + 2 products (+ 1 tariffs)
        dom = render(chromium, reports[name], tmp_path / f"profile-{name}")
        boxes = re.findall(r'<svg class="chart"[^>]*data-bbox="(\d+)x(\d+)"', dom)
        assert len(boxes) == expected, dom[:2000]
        assert all(int(w) > 100 and int(h) > 50 for w, h in boxes), boxes
        assert f'data-charts-drawn="{expected}"' in dom
        assert f"[charts drawn: {expected}/{expected}]" in dom
        assert len(re.findall(r'class="milestone"', dom)) == 3  # KORUS marked on the 2006-2020 series
    assert "USA: average ad valorem rate by HS section" in dom and "XI Textiles" in dom
