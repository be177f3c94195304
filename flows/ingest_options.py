"""The options of an ``entrepot ingest`` load, checked against its source's declaration before a load.

Light (no flow imported): the CLI checks a command line with it before any flow starts.
"""

from __future__ import annotations

import datetime as dt
import re

from flows.registry import Source

OPTIONS = ("force", "valid_from", "allow_removals", "agreement", "importer", "base_date")
"""Every ``entrepot ingest`` option besides --file (a declaration says which of them a source takes)."""
SCOPE = {
    "agreement": (r"[A-Z][A-Z0-9]*", "letters and digits, e.g. VKFTA"),
    "importer": (r"[A-Z]{3}", "an ISO3 code, e.g. KOR"),
    "base_date": (r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD"),
}
"""The options that scope a load (recorded with it, so a rebuild replays it alike) and their form."""


class IngestOptionError(ValueError):
    """An option the source does not take, or a missing or malformed one."""


TariffSourceError = IngestOptionError  # the name earlier versions raised


def _flag(option: str) -> str:
    return "--" + option.replace("_", "-")


def check_options(source: Source, given: dict[str, object]) -> dict[str, str]:
    """The scope a load of ``source`` is recorded with, from every option given (None or False when
    not given); an option it does not take, or a missing or malformed one, is refused."""
    given = {k: v for k, v in given.items() if v not in (None, False, "")}
    extra = [k for k in given if k not in source.options]
    if extra:
        raise IngestOptionError(f"{source.name}: {', '.join(map(_flag, extra))} does not apply to this source")
    missing = [k for k in source.required if k not in given]
    if missing:
        raise IngestOptionError(f"{source.name}: {', '.join(map(_flag, missing))} required")
    scope = {k: str(given[k]) for k in source.options if k in SCOPE and k in given}
    for option, text in scope.items():
        form, example = SCOPE[option]
        if not re.fullmatch(form, text):
            raise IngestOptionError(f"{source.name}: {_flag(option)} {text!r}: {example}")
    if "base_date" in scope:
        try:
            scope["base_date"] = dt.date.fromisoformat(scope["base_date"]).isoformat()
        except ValueError:
            raise IngestOptionError(f"{source.name}: --base-date {scope['base_date']!r}: YYYY-MM-DD") from None
    return scope
