"""The real Census country totals file loaded through the plain pipeline steps (no Prefect)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flows.pipeline import load_processed, process_payload, read_crosswalk
from flows.registry import kind_by_name
from flows.sources.landing import land_file
from warehouse.connection import warehouse
from warehouse.migrate import migrate


def build(xlsx: Path, root: Path) -> Path:
    """A warehouse under ``root`` holding ``xlsx``; returns its path."""
    path = root / "wh.duckdb"
    with warehouse(path) as con:
        migrate(con)
        payload = land_file(root / "landing", source="census_country_totals", path=xlsx)
        processed = process_payload(payload, kind_by_name("census-country-totals"), root / "landing", read_crosswalk(con))
        load_processed(con, [processed], run_id="real-country-totals", flow_name="test",
                       started_at=dt.datetime.now(dt.UTC), max_reject_share=0.0)
    return path
