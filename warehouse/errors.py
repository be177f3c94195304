"""Errors of the warehouse layer that mean "your environment or input is wrong" (shown as one line)."""

from __future__ import annotations


class WarehouseBusyError(RuntimeError):
    """Another process holds the warehouse's writer lock (or a foreign program holds the file)."""


class WarehouseMissingError(FileNotFoundError):
    """A read-only open was asked for a warehouse file that does not exist."""


class WarehouseDiskFullError(OSError):
    """The disk filled up while writing: nothing was published."""
