"""Errors that mean "your input or environment is wrong", printed as one clear line by the CLI."""

from __future__ import annotations

from flows.registry import UnknownSourceError
from flows.sources.files import UnreadableFileError
from flows.sources.http import UpstreamError
from flows.sql import SqlError, WriteRefusedError
from schemas.validation import PayloadSchemaError
from warehouse.errors import WarehouseBusyError, WarehouseDiskFullError, WarehouseMissingError
from warehouse.loader import TooManyRejectsError
from warehouse.migrate import MigrationError
from warehouse.quality.report import QualityGateError

USER_ERRORS: tuple[type[BaseException], ...] = (
    FileNotFoundError,
    MigrationError,
    PayloadSchemaError,
    QualityGateError,
    SqlError,
    TooManyRejectsError,
    UnknownSourceError,
    UnreadableFileError,
    UpstreamError,
    WarehouseBusyError,
    WarehouseDiskFullError,
    WarehouseMissingError,
    WriteRefusedError,
    ValueError,
)
