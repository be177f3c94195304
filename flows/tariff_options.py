"""Options of the sources that take more than a file (fta-annex, staging-notes), checked before a load.

Light (no flow imported): the CLI checks a command line with it before any flow starts.
"""

from __future__ import annotations

import datetime as dt
import re

from flows.source_names import STAGING_NOTES

KCS_TARIFF = "kcs-tariff"
FTA_ANNEX = "fta-annex"


class TariffSourceError(ValueError):
    """Unknown tariff source or missing option (e.g. --valid-from)."""


def check_options(name: str, options: dict[str, str | None]) -> dict[str, str]:
    """The options a load of ``name`` is recorded with; a missing or malformed one is refused."""
    given = {k: str(v) for k, v in options.items() if v is not None}
    if name != FTA_ANNEX:
        if given:
            raise TariffSourceError(f"{name}: --{', --'.join(k.replace('_', '-') for k in given)} apply to fta-annex only")
        return {}
    missing = [k for k in ("agreement", "importer", "base_date") if not given.get(k)]
    if missing:
        raise TariffSourceError(f"fta-annex: --{', --'.join(k.replace('_', '-') for k in missing)} required")
    if not re.fullmatch(r"[A-Z][A-Z0-9]*", given["agreement"]):
        raise TariffSourceError(f"fta-annex: --agreement {given['agreement']!r}: letters and digits, e.g. VKFTA")
    if not re.fullmatch(r"[A-Z]{3}", given["importer"]):
        raise TariffSourceError(f"fta-annex: --importer {given['importer']!r}: an ISO3 code, e.g. KOR")
    try:
        given["base_date"] = dt.date.fromisoformat(given["base_date"]).isoformat()
    except ValueError:
        raise TariffSourceError(f"fta-annex: --base-date {given['base_date']!r}: YYYY-MM-DD") from None
    return {k: given[k] for k in ("agreement", "importer", "base_date")}


def check_scope(agreement: str | None, importer: str | None) -> dict[str, str]:
    """The --agreement and --importer of a load, refused when missing or malformed."""
    if not agreement or not importer:
        raise TariffSourceError(f"{STAGING_NOTES}: --agreement CODE and --importer ISO3 are required")
    if not re.fullmatch(r"[A-Z][A-Z0-9]*", agreement):
        raise TariffSourceError(f"{STAGING_NOTES}: --agreement {agreement!r}: letters and digits, e.g. KORUS")
    if not re.fullmatch(r"[A-Z]{3}", importer):
        raise TariffSourceError(f"{STAGING_NOTES}: --importer {importer!r}: an ISO3 code, e.g. KOR")
    return {"agreement": agreement, "importer": importer}
