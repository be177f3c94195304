"""Shared pieces of file-based sources."""

from __future__ import annotations


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
