"""Whether the CLI starts its own Prefect server: only when the user configured no API URL."""

from __future__ import annotations

import pytest

from flows import prefect_server

URL = "http://127.0.0.1:4200/api"


@pytest.fixture
def bare(tmp_path, monkeypatch):
    """No Prefect setting anywhere: an empty working directory and PREFECT_HOME."""
    for name in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_nothing_configured(bare) -> None:
    assert prefect_server.configured_api_url() is None


def test_environment(bare, monkeypatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", URL)
    assert prefect_server.configured_api_url() == URL


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".env", f'PREFECT_API_URL="{URL}"\n'),
        ("prefect.toml", f'[api]\nurl = "{URL}"\n'),
        ("pyproject.toml", f'[tool.prefect.api]\nurl = "{URL}"\n'),
    ],
)
def test_settings_files_in_the_working_directory(bare, name, text) -> None:
    (bare / name).write_text(text, encoding="utf-8")
    assert prefect_server.configured_api_url() == URL


def test_active_profile(bare, monkeypatch) -> None:
    (bare / "home").mkdir()
    (bare / "home" / "profiles.toml").write_text(
        f'active = "work"\n[profiles.work]\nPREFECT_API_URL = "{URL}"\n[profiles.other]\n', encoding="utf-8"
    )
    assert prefect_server.configured_api_url() == URL
    monkeypatch.setenv("PREFECT_PROFILE", "other")
    assert prefect_server.configured_api_url() is None


def test_start_leaves_a_configured_url_alone(bare, monkeypatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", URL)
    monkeypatch.delitem(__import__("sys").modules, "prefect", raising=False)
    assert prefect_server.start() is None
    assert prefect_server._server is None
