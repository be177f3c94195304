"""A rebuild equals the live warehouse, row for row, after a long sequence of live operations:
trade loads, revisions, a re-merge, refused files (too many bad rows, the quality gate), a Census
extract whose file name says nothing of its direction, tariff editions, a reference table, a
nightly run, Korea's tariff layers and an FTA annex (real files), and a load killed right after it
was published."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flows.cli import main
from tests.conftest import REPO
from tests.helpers import every_table
from tests.reliability.bad_files import HEADER, api_export_rows, base_rows, write_csv
from tests.reliability.test_kill_safety import files as revised_files
from tests.sources.test_usitc_hts import ROWS as HTS_ROWS
from tests.sources.test_usitc_hts import write_csv as write_hts
from warehouse.journal import Journal

pytestmark = [pytest.mark.prefect, pytest.mark.realdata]


def _scaled(rows: list[list[str]], column: str, factor: float) -> list[list[str]]:
    out = [list(r) for r in rows]
    for row in out:
        row[HEADER.index(column)] = f"{float(row[HEADER.index(column)]) * factor:.1f}"
    return out


def _killed_right_after_publish(file: Path, cwd: Path) -> int:
    """``entrepot ingest`` in a child that is SIGKILLed right after it published the warehouse and
    before the journal's commit line: the next writer must find the load committed."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from warehouse.journal import Journal
        Journal.commit = lambda self: os.kill(os.getpid(), signal.SIGKILL)
        from flows.cli import main
        main(["ingest", "census-country-totals", "--file", {str(file)!r}])
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PREFECT_HOME": str(cwd / ".prefect-child")}
    env.pop("PREFECT_API_URL", None)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        return child.wait(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # what it started (Prefect's server) goes with it


def test_rebuild_equals_the_live_warehouse_row_for_row(env: Path, prefect_server, shared_data: Path, capsys) -> None:
    wh, landing = env / "wh.duckdb", env / "landing"
    old, revised = revised_files(env)
    ingest = ["ingest", "census-country-totals", "--file"]
    assert main([*ingest, str(old)]) == 0
    assert main([*ingest, str(revised)]) == 0  # revisions, a new year, one quarantined row
    assert main([*ingest, str(revised)]) == 0  # the same content: nothing to do
    assert main([*ingest, str(revised), "--force"]) == 0  # re-merged: a run that changes nothing

    rows = base_rows()
    for row in rows[::5]:
        row[HEADER.index("IMAR")] = "n/a"
    assert main([*ingest, str(write_csv(env / "too_many_bad_rows.csv", HEADER, rows))]) == 2
    inflated = write_csv(env / "annual_not_its_months.csv", HEADER, _scaled(base_rows(), "IYR", 3.0))
    assert main([*ingest, str(inflated)]) == 2  # refused by the quality gate

    header, api_rows = api_export_rows()
    march = write_csv(env / "march_2024.csv", header, api_rows)  # exports, and the name does not say so
    assert main(["ingest", "census-api-exports", "--file", str(march)]) == 0

    hts_2024 = write_hts(env / "hts_2024.csv")
    changed = [list(r) for r in HTS_ROWS]
    changed[4][4] = "5.5%"
    hts_2025 = write_hts(env / "hts_2025.csv", changed)
    assert main(["ingest", "usitc-hts", "--file", str(hts_2024), "--valid-from", "2024-01-01"]) == 0
    assert main(["ingest", "usitc-hts", "--file", str(hts_2025), "--valid-from", "2025-01-01"]) == 0
    korea = shared_data / "tariffs" / "korea"
    assert main(["ingest", "kcs-tariff", "--file", str(korea / "kcstariff_wto_c_ita_2017_2019.csv")]) == 0
    assert main(["ingest", "fta-annex", "--file", str(korea / "vkfta_korea_schedule_hs2012.csv"), "--agreement", "VKFTA",
                 "--importer", "KOR", "--base-date", "2012-01-01"]) == 0
    conversion = env / "hs2022_to_hs2017_conversion.csv"
    conversion.write_text("hs2022,hs2017\n010121,010121\n010129,010129\n850710,850710\n")
    assert main(["ingest", "hs-concordance", "--file", str(conversion)]) == 0

    assert main(["run", "nightly", "--today", "2026-11-23"]) == 0
    new_year = write_csv(env / "country_2021_2022.csv", HEADER, _scaled(base_rows(), "IJAN", 1.0))
    assert _killed_right_after_publish(new_year, env) == -9
    assert Journal(landing).unresolved()  # published, but its commit line never written
    capsys.readouterr()

    live = every_table(wh)
    assert live["meta.runs"] and live["core.fact_tariff_rate"] and live["core.hs_concordance"]
    assert main(["rebuild"]) == 0
    assert "loads replayed" in capsys.readouterr().out
    rebuilt = every_table(wh)
    assert rebuilt.keys() == live.keys()
    different = [t for t in live if rebuilt[t] != live[t]]
    assert not different, {t: (len(live[t]), len(rebuilt[t])) for t in different}
    refused = {r["reason"][:40] for r in Journal(landing).refusals()}
    assert len(refused) == 2, refused
    assert main(["status"]) == 0
    shown = capsys.readouterr().out
    assert "refused loads" in shown and "annual_not_its_months.csv" in shown and "too_many_bad_rows.csv" in shown
