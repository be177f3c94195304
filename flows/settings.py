"""One settings object for the whole project.

Read, highest priority first, from: explicit overrides (CLI options), environment variables
prefixed ``ENTREPOT_`` (nested with ``__``, e.g. ``ENTREPOT_CENSUS_API__API_KEY``), an optional
``entrepot.toml`` (in the working directory, or the file named by ``ENTREPOT_CONFIG``), defaults.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_ENV = "ENTREPOT_CONFIG"
DEFAULT_CONFIG_FILE = "entrepot.toml"


def _month(value: str | None) -> str | None:
    if value is not None:
        dt.datetime.strptime(value, "%Y-%m")
    return value


Month = Annotated[str | None, AfterValidator(_month)]
"""A month as YYYY-MM, or none."""


class UpstreamSettings(BaseModel):
    """How to reach one upstream API."""

    base_url: str
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=30.0, gt=0, description="httpx's timeout for each connect, read or write.")
    request_deadline_s: float = Field(
        default=600.0, gt=0,
        description="Total time one request attempt may take, body included (a per-read timeout never trips "
        "on a server that drips a byte a second); retried like a timeout.",
    )
    max_attempts: int = 5
    max_backoff_s: float = 60.0
    max_concurrency: int = Field(
        default=2, ge=1, description="Backfill tasks (source x year) running against this upstream at once."
    )
    api_key_block: str | None = Field(
        default=None, description="Name of a Prefect Secret block holding the API key (used when api_key is unset)."
    )

    def api_key_value(self) -> str | None:
        """The API key: from the setting (environment or entrepot.toml), else the Prefect Secret block."""
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        if self.api_key_block:
            from prefect.blocks.system import Secret

            return str(Secret.load(self.api_key_block).get())
        return None


class CensusApiSettings(UpstreamSettings):
    base_url: str = "https://api.census.gov/data"
    hs_level: Literal["HS2", "HS4", "HS6", "HS10"] = "HS2"
    start_month: Month = Field(
        default=None,
        description="Earliest month ever pulled (YYYY-MM); default: the revision window's start on an empty warehouse.",
    )


class ComtradeApiSettings(UpstreamSettings):
    """UN Comtrade API v1; without api_key the keyless preview (500 records a call) is used."""

    base_url: str = "https://comtradeapi.un.org"
    enabled: bool = Field(default=False, description="Pull Comtrade in the nightly flow (ENTREPOT_COMTRADE__ENABLED).")
    frequencies: list[Literal["A", "M"]] = Field(default_factory=lambda: ["A", "M"])
    cmd_codes: list[str] = Field(
        default_factory=lambda: ["TOTAL", "AG2"], description="Commodity codes: TOTAL, AG2 (every chapter), ..."
    )


class KcsTradeSettings(UpstreamSettings):
    """Korea Customs Service trade by country and item (data.go.kr ``nitemtrade``); the key is the
    portal's ``serviceKey`` (ENTREPOT_KCS_TRADE__API_KEY). Live runs without a key skip it."""

    base_url: str = "https://apis.data.go.kr/1220000/nitemtrade"
    enabled: bool = Field(default=True, description="Pull it in the nightly flow for pairs the Korean side reports.")
    hs_level: Literal["HS2", "HS4", "HS6", "HS10"] = Field(
        default="HS2", description="Length of the HS codes asked for (hsSgn); HS2 asks every chapter."
    )
    hs_codes: list[str] = Field(
        default_factory=list, description="HS codes to ask for at hs_level (empty: every chapter, HS2 only)."
    )
    num_of_rows: int = Field(default=1000, ge=1, le=10_000, description="Rows per page (numOfRows).")
    start_month: Month = Field(default=None, description="Earliest month ever pulled (YYYY-MM).")

    @model_validator(mode="after")
    def _codes(self) -> KcsTradeSettings:
        level = int(self.hs_level[2:])
        bad = [c for c in self.hs_codes if not (c.isdigit() and len(c) == level)]
        if bad:
            raise ValueError(f"kcs_trade.hs_codes must have {level} digits (hs_level {self.hs_level}), not {bad}")
        if level != 2 and not self.hs_codes:
            raise ValueError(f"kcs_trade.hs_level {self.hs_level} needs hs_codes (the codes to ask for)")
        return self


class CountryPair(BaseModel):
    """Two countries whose trade with each other we follow (ISO3 codes)."""

    reporter: str = "USA"
    partner: str = "KOR"


class Settings(BaseSettings):
    """Every setting of entrepot; see the README's Configuration section."""

    model_config = SettingsConfigDict(
        env_prefix="ENTREPOT_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    warehouse: Path = Path("data/entrepot.duckdb")
    landing_dir: Path = Path("data/landing")
    upstream: Literal["demo", "live"] = Field(
        default="demo",
        description="demo: serve generated payloads from a local HTTP server on 127.0.0.1; live: the real APIs.",
    )
    pairs: list[CountryPair] = Field(default_factory=lambda: [CountryPair()])
    revision_window_years: int = Field(
        default=1, ge=0, description="Re-pull this many past calendar years, plus the current one."
    )
    quarantine_max_share: float = Field(default=0.05, ge=0, le=1)
    tariff_max_removed_share: float = Field(
        default=0.02, ge=0, le=1,
        description="Refuse a tariff edition that would close more than this share of the lines in force "
        "(`entrepot ingest ... --allow-removals` loads it anyway).",
    )
    lock_timeout_s: float = 60.0
    census_api: CensusApiSettings = Field(default_factory=CensusApiSettings)
    comtrade: ComtradeApiSettings = Field(default_factory=ComtradeApiSettings)
    kcs_trade: KcsTradeSettings = Field(default_factory=KcsTradeSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get(CONFIG_ENV, DEFAULT_CONFIG_FILE))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))

    def reporters(self) -> set[str]:
        return {p.reporter for p in self.pairs}

    def revision_start(self, today: dt.date) -> str:
        """First month of the revision window (January of ``revision_window_years`` ago)."""
        return f"{today.year - self.revision_window_years}-01"


def load_settings(**overrides: object) -> Settings:
    """Settings from overrides, environment and entrepot.toml (None overrides are ignored)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
