"""Bad tariff and HS reference files: every row is parsed or quarantined (both rows of a repeated key),
or the file fails with one line naming it and the warehouse is unchanged. The plain steps of each
ingest run (land, read, validate, conform: ``build_batch`` / ``reference_batch`` and the
classification's payload kind), no Prefect flow."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from flows.ingest_reference import reference_batch
from flows.ingest_tariffs import build_batch, tariff_source
from flows.pipeline import process_payload
from flows.registry import SOURCES, kind_by_name
from flows.runs import ensure_warehouse
from flows.settings import load_settings
from flows.sources.files import UnreadableFileError
from flows.sources.landing import land_file
from schemas.validation import PayloadSchemaError
from tests.helpers import snapshot
from tests.reliability import tally
from tests.reliability.bad_reference_files import REFERENCE_CORPUS, BadFile
from warehouse.connection import warehouse


def parse(source: str, path: Path, wh: Path, landing: Path) -> tuple[int, int, int]:
    """(rows in, rows quarantined, rows kept) from the source's own read-validate-conform step."""
    ensure_warehouse(wh, 30)
    now = dt.datetime.now(dt.UTC)
    if SOURCES[source].loader == "tariff":
        settings = load_settings(warehouse=wh, landing_dir=landing, quarantine_max_share=1.0)
        payload = land_file(landing, source=tariff_source(source).source, path=path)
        batch = build_batch.fn(source, payload, settings, dt.date(2024, 1, 1), str(uuid.uuid4()), now)
        return batch.rows_in, batch.rows_quarantined, batch.lines.height
    if source == "hs-concordance":
        payload = land_file(landing, source="hs_concordance", path=path)
        batch = reference_batch(SOURCES[source], payload, landing, {}, run_id="r", flow_name="test", max_reject_share=1.0)
        kept = batch.rows.filter(batch.rows["level"] == 6).height // 2  # both directions
        return batch.rows_in, batch.rows_quarantined, kept
    kind = kind_by_name(source)
    payload = land_file(landing, source=kind.source, path=path)
    with warehouse(wh) as con:
        from flows.pipeline import read_crosswalk

        processed = process_payload(payload, kind, landing, read_crosswalk(con))
    kept = processed.conformed.products.height + processed.conformed.rows_skipped
    return processed.rows_in, processed.rows_quarantined, kept


def file_rows(path: Path) -> int:
    """Records in the file, counted without the readers (JSON: entries; CSV: non-blank lines - header)."""
    import json

    text = path.read_bytes().decode("utf-8-sig")
    if path.suffix == ".json":
        data = json.loads(text)
        return len(data["results"] if isinstance(data, dict) else data)
    return len([line for line in text.splitlines() if line.strip(", ")]) - 1


def cases(expect: str) -> list:
    return [pytest.param(s, b, id=f"{s}/{b.name}") for s, b in REFERENCE_CORPUS if b.expect == expect]


@pytest.mark.parametrize(("source", "bad"), cases("load"))
def test_every_row_is_parsed_or_quarantined(source: str, bad: BadFile, tmp_path: Path) -> None:
    path = bad.make(tmp_path / bad.name)
    rows_in, quarantined, kept = parse(source, path, tmp_path / "w.duckdb", tmp_path / "landing")
    rows = file_rows(path)
    tally.bad_files.add(f"{source}/{bad.name}")
    tally.counts["rows lost"] += rows - kept - quarantined
    assert (rows_in, quarantined) == (rows, bad.quarantined)
    assert kept == rows - quarantined, "rows in = rows kept + rows quarantined"


@pytest.mark.parametrize(("source", "bad"), cases("error"))
def test_unreadable_file_fails_naming_it_and_changes_nothing(source: str, bad: BadFile, tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    ensure_warehouse(wh, 30)
    before = snapshot(wh)
    path = bad.make(tmp_path / bad.name)
    with pytest.raises((UnreadableFileError, PayloadSchemaError)) as err:
        parse(source, path, wh, tmp_path / "landing")
    tally.bad_files.add(f"{source}/{bad.name}")
    message = str(err.value)
    assert message.startswith(f"{bad.name}: ") and "\n" not in message
    assert bad.message in message
    assert snapshot(wh) == before
