"""Shared pieces of file-based sources."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

MAX_FIELD_CHARS = 64 * 1024 * 1024
"""Longest CSV field read (the csv module's default of 128 KiB would crash on a huge field)."""


class UnreadableFileError(ValueError):
    """A file cannot be read as its source's format at all (encoding, delimiter, empty, ragged).

    ``problem`` says what is wrong; the message names the file as the user knows it.
    """

    def __init__(self, file_name: str, problem: str) -> None:
        self.file_name = file_name
        self.problem = problem
        super().__init__(f"{file_name}: {problem}")

    def renamed(self, file_name: str) -> UnreadableFileError:
        """The same error naming the file as the user gave it (not its landed hash name)."""
        return UnreadableFileError(file_name, self.problem)


def csv_rows(path: Path) -> Iterator[list[str]]:
    """The rows of a UTF-8 CSV file (a BOM is dropped); unreadable text is an :class:`UnreadableFileError`."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(path.name, f"not UTF-8 text (byte {exc.start})") from None
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as exc:
        raise UnreadableFileError(path.name, f"line {reader.line_num} is not valid CSV ({exc})") from None
