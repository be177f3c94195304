"""Errors that mean "your input or environment is wrong", printed as one clear line by the CLI.

Named by module, not imported: an error can only have been raised by a module already imported, so
the CLI looks the classes up in ``sys.modules`` when something failed, and a command that never
loads pandera (``entrepot sql``) never pays for importing it here.
"""

from __future__ import annotations

import sys

USER_ERROR_CLASSES: dict[str, tuple[str, ...]] = {
    "flows.registry": ("UnknownSourceError",),
    "flows.sources.files": ("UnreadableFileError",),
    "flows.sources.http": ("UpstreamError",),
    "flows.sql": ("SqlError", "WriteRefusedError"),
    "schemas.validation": ("PayloadSchemaError",),
    "warehouse.errors": ("WarehouseBusyError", "WarehouseDiskFullError", "WarehouseMissingError"),
    "warehouse.loader": ("TooManyRejectsError",),
    "warehouse.migrate": ("MigrationError",),
    "warehouse.quality.report": ("QualityGateError",),
}
"""Errors that are not ValueError or FileNotFoundError (which always are the user's)."""


def user_errors() -> tuple[type[BaseException], ...]:
    """The user-error classes of the modules imported so far."""
    found: list[type[BaseException]] = [FileNotFoundError, ValueError]
    for module, names in USER_ERROR_CLASSES.items():
        if module in sys.modules:
            found += [getattr(sys.modules[module], name) for name in names]
    return tuple(found)


def is_user_error(exc: BaseException) -> bool:
    return isinstance(exc, user_errors())
