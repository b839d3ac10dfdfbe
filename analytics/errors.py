"""Errors the engine raises when a file cannot be read at all.

Every message is one line: the file, what is wrong, what to do. Messages never carry cell
values (they may be personal data), only file, sheet and column names.
"""

from __future__ import annotations


class LoadError(Exception):
    """A file cannot be read at all (corrupt, encrypted, wrong format, no header)."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(" ".join(message.split()))
        self.file = file


class NoHeaderError(LoadError):
    """No header row with an applicant_id column: the user must map columns by hand."""

    def __init__(self, message: str, *, file: str | None = None, columns_found=()) -> None:
        super().__init__(message, file=file)
        self.columns_found: list[str] = list(columns_found)


class UnsafeSetupError(RuntimeError):
    """The XML stack is not hardened (defusedxml missing): refuse to start."""
