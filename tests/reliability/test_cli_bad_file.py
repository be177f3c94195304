"""Acceptance: a hand-made bad file through `entrepot ingest` reports rows loaded and quarantined,
and `entrepot sql` shows the quarantined rows with their reasons."""

from __future__ import annotations

import json

from tests.cli.test_cli import entrepot
from tests.reliability import tally
from tests.reliability.bad_files import HEADER, base_rows, write_csv


def test_bad_file_through_the_cli(tmp_path) -> None:
    rows = base_rows()  # 60 rows
    rows[10][HEADER.index("IFEB")] = "69x8.1"  # a corrupted value (line 12)
    rows[20][HEADER.index("CTY_CODE")] = "9999"  # an unknown country code (line 22)
    bad = write_csv(tmp_path / "country_handmade.csv", HEADER, rows)
    wh = str(tmp_path / "w.duckdb")

    done = entrepot("--warehouse", wh, "ingest", "census-country-totals", "--file", str(bad), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    counts = {}
    for line in done.stdout.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) == 2 and cells[1].replace(",", "").isdigit():
            counts[cells[0]] = int(cells[1].replace(",", ""))
    assert (counts["raw rows in"], counts["raw rows loaded"], counts["raw rows quarantined"]) == (60, 58, 2)

    query = "SELECT file_name, row_number, field, value, reason FROM meta.quarantine ORDER BY row_number"
    shown = entrepot("--warehouse", wh, "sql", query, "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == [
        {"file_name": "country_handmade.csv", "row_number": 12, "field": "IFEB", "value": "69x8.1",
         "reason": "IFEB: not a plain decimal number"},
        {"file_name": "country_handmade.csv", "row_number": 22, "field": "CTY_CODE", "value": "9999",
         "reason": "unknown census country code 9999"},
    ]
    tally.bad_files.add("cli/country_handmade.csv")
    tally.counts["rows lost"] += 60 - 58 - len(json.loads(shown.stdout))
