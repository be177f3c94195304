"""The run's progress output: plain lines off a terminal, bars in one, silence without a display."""

from __future__ import annotations

import io

from flows import progress


def _run(terminal: bool) -> str:
    out = io.StringIO()
    with progress.display(out, terminal=terminal):
        progress.bar("census_api 2024-01..2025-12", total=2)
        progress.step("census_api 2024: landed 24 payloads, reused 0 from landing")
        progress.advance("census_api 2024-01..2025-12")
        progress.advance("census_api 2024-01..2025-12")
    return out.getvalue()


def test_plain_lines_when_not_a_terminal() -> None:
    assert _run(terminal=False) == "census_api 2024: landed 24 payloads, reused 0 from landing\n"


def test_bars_and_lines_in_a_terminal() -> None:
    shown = _run(terminal=True)
    assert "census_api 2024: landed 24 payloads" in shown
    assert "census_api 2024-01..2025-12" in shown and "2/2" in shown


def test_nothing_without_a_display(capsys) -> None:
    progress.step("census_api 2024: landed")
    progress.advance("anything")
    assert capsys.readouterr().out == ""


def test_payload_labels() -> None:
    census = "timeseries/intltrade/exports/hs?get=CTY_CODE,ALL_VAL_MO&time=2026-03&COMM_LVL=HS10"
    assert progress.payload_label("census_api", census) == "census_api export 2026-03"
    assert progress.payload_label("usitc_hts", "file:abcd") == "usitc_hts file:abcd"
