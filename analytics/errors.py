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


# What a NoHeaderError's message ends with (the command line's words); the app says
# `NoHeaderError.in_app(its own words)` instead.
MAP_HINT = "map the columns with a mapping file (--mapping) or in the app's mapping screen"


class NoHeaderError(LoadError):
    """No header row with an applicant_id column: the user must map columns by hand."""

    def __init__(self, message: str, *, file: str | None = None, columns_found=()) -> None:
        super().__init__(message, file=file)
        self.columns_found: list[str] = list(columns_found)

    def in_app(self, hint: str) -> str:
        """The message with `hint` (naming the app's own controls) in place of MAP_HINT."""
        text = str(self)
        return text.removesuffix(MAP_HINT).rstrip(": ") + ": " + hint if MAP_HINT in text else text


class UnsafeSetupError(RuntimeError):
    """The XML stack is not hardened (defusedxml missing): refuse to start."""
