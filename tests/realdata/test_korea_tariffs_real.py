"""The three real Korean tariff files load through their commands; one query answers Korea's tariff
on textiles, apparel and electronics by year (../shared/data, read in place; skipped when absent)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.realdata
KOREA = Path("tariffs/korea")
QUERY = (REPO / "README.md").read_text(encoding="utf-8").split("-- Korea's average tariff")[1]
QUERY = QUERY.split("\n", 1)[1].split(";")[0]


def _entrepot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ENTREPOT_WAREHOUSE": str(tmp_path / "w.duckdb"), "ENTREPOT_LANDING_DIR": str(tmp_path / "landing"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], env=env, capture_output=True, text=True, timeout=900)


def test_real_korean_files_load_and_answer(tmp_path, shared_data):
    kcs = _entrepot(tmp_path, "ingest", "kcs-tariff", "--file", str(shared_data / KOREA / "kcstariff_wto_c_ita_2017_2019.csv"))
    assert kcs.returncode == 0, kcs.stderr[-2000:]
    annex = _entrepot(tmp_path, "ingest", "fta-annex", "--file", str(shared_data / KOREA / "vkfta_korea_schedule_hs2012.csv"),
                      "--agreement", "VKFTA", "--importer", "KOR", "--base-date", "2012-01-01")
    assert annex.returncode == 0, annex.stderr[-2000:]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        vk = con.sql("SELECT count(*), count(DISTINCT tariff_line) FROM core.fact_tariff_rate "
                     "WHERE source = 'fta_annex_vkfta' AND rate_type = 'mfn'").fetchall()[0]
        assert vk == (1130, 1063)  # every sub-item kept
        rows = con.sql(QUERY).fetchall()
    got = {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in rows}
    # the 344 ITA codes of ch 85 in 2017 (KCSTARIFF WTO C); VKFTA base rates (~2012) for textiles
    assert got[("electronics", 2017, "mfn", "kcs_tariff")][1] == 344
    assert got[("textiles", 2012, "mfn", "fta_annex_vkfta")][1] == 61
    assert abs(got[("apparel", 2012, "mfn", "fta_annex_vkfta")][0] - 12.58) < 0.01


def test_real_korus_general_notes_load_beside_the_reviewed_rules(tmp_path, shared_data):
    notes = _entrepot(tmp_path, "ingest", "staging-notes", "--file",
                      str(shared_data / KOREA / "korus_korea_general_notes_staging_partial.csv"),
                      "--agreement", "KORUS", "--importer", "KOR")
    assert notes.returncode == 0, notes.stderr[-2000:]
    assert "24 rows in, 0 quarantined, 24 texts written" in notes.stdout
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        rows = {r[0]: r[1:] for r in con.sql(
            """SELECT category, stages, note_years, comparison, disagrees FROM marts.fta_staging_rules
               WHERE agreement_id = 'KORUS' AND importer_id = 'KOR'""").fetchall()}
        truncated = con.sql("SELECT status FROM core.fta_staging_note WHERE category = 'O'").fetchall()[0][0]
    assert len(rows) == 24
    assert {c: r[1] for c, r in rows.items() if r[1] is not None} == {"L": 9, "M": 12, "N": 15, "O": 18}
    assert {c for c, r in rows.items() if r[2] == "agree"} == {"L", "M", "N", "O"}
    assert not any(r[3] for r in rows.values())
    assert truncated.startswith("TRUNCATED")
