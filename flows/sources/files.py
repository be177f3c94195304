"""Shared pieces of file-based sources."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
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


def utf8_text(raw: bytes, name: str) -> str:
    """UTF-8 text (a BOM dropped); other bytes are an :class:`UnreadableFileError` naming the byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UnreadableFileError(
            name, f"not UTF-8 text (byte {exc.start}, line {line}: 0x{raw[exc.start]:02x}; save the file as UTF-8)"
        ) from None


def text_rows(text: str, name: str) -> Iterator[list[str]]:
    """The CSV rows of ``text``; a stray quote or other broken CSV is an :class:`UnreadableFileError`."""
    for _, row in numbered_rows(text, name):
        yield row


def numbered_rows(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record ends, record) of the CSV ``text``; see :func:`text_rows`."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)  # an unclosed quote is an error, not a field
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        problem = f"line {reader.line_num} is not valid CSV ({exc}; a stray or unbalanced quote?)"
        if "unexpected end of data" in str(exc):
            problem = f"line {reader.line_num}: the file ends inside a quoted field (truncated, or a stray quote?)"
        raise UnreadableFileError(name, problem) from None


def csv_rows(path: Path) -> Iterator[list[str]]:
    """The rows of a UTF-8 CSV file (a BOM is dropped); unreadable text is an :class:`UnreadableFileError`."""
    path = Path(path)
    yield from text_rows(utf8_text(path.read_bytes(), path.name), path.name)


def check_header(name: str, header: Sequence[str]) -> None:
    """Refuse a header that repeats a column name: no copy is guessed to be the right one."""
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise UnreadableFileError(
                name, f"column {column!r} appears more than once in the header; refused, no copy is guessed"
            )
        seen.add(column)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    repeated = next((k for i, k in enumerate(keys) if k in keys[:i]), None)
    if repeated is not None:
        raise _RepeatedKey(repeated)
    return dict(pairs)


class _RepeatedKey(ValueError):
    pass


def json_document(raw: bytes, name: str, **options: object) -> object:
    """A JSON document whose objects never repeat a key (json would silently keep the last copy)."""
    try:
        return json.loads(utf8_text(raw, name), object_pairs_hook=_unique_keys, **options)
    except _RepeatedKey as exc:
        raise UnreadableFileError(name, f"key {exc.args[0]!r} appears more than once in an object; refused") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(name, f"not a complete JSON document ({exc}; truncated?)") from None
