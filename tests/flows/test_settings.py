"""Settings: defaults, ENTREPOT_ environment variables, entrepot.toml, explicit overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from flows.settings import load_settings


def test_defaults(env) -> None:
    s = load_settings()
    assert s.upstream == "demo"
    assert [(p.reporter, p.partner) for p in s.pairs] == [("USA", "KOR")]
    assert s.revision_window_years == 1 and s.census_api.hs_level == "HS2"
    assert s.census_api.base_url == "https://api.census.gov/data"


def test_environment_and_toml_and_override(env, monkeypatch) -> None:
    (env / "entrepot.toml").write_text(
        'warehouse = "from_toml.duckdb"\nrevision_window_years = 3\n'
        '[[pairs]]\nreporter = "USA"\npartner = "JPN"\n[census_api]\nhs_level = "HS4"\n'
    )
    monkeypatch.delenv("ENTREPOT_WAREHOUSE")
    s = load_settings()
    assert s.warehouse == Path("from_toml.duckdb") and s.revision_window_years == 3
    assert s.pairs[0].partner == "JPN" and s.census_api.hs_level == "HS4"
    monkeypatch.setenv("ENTREPOT_CENSUS_API__API_KEY", "k123")
    monkeypatch.setenv("ENTREPOT_REVISION_WINDOW_YEARS", "2")
    s = load_settings()
    assert s.revision_window_years == 2 and s.census_api.api_key.get_secret_value() == "k123"
    assert "k123" not in repr(s)
    assert load_settings(warehouse="cli.duckdb").warehouse == Path("cli.duckdb")


def test_config_file_named_by_environment(env, monkeypatch, tmp_path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('upstream = "live"\n')
    monkeypatch.setenv("ENTREPOT_CONFIG", str(other))
    assert load_settings().upstream == "live"


def test_bad_values_are_refused(env, monkeypatch) -> None:
    monkeypatch.setenv("ENTREPOT_CENSUS_API__START_MONTH", "2024-13")
    with pytest.raises(ValidationError):
        load_settings()
