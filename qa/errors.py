"""Errors that tell the user what went wrong and how to fix it.

Every error the library raises on purpose is a ``QAError``; the CLI prints its message
and exits non-zero instead of showing a traceback.
"""

from __future__ import annotations


class QAError(Exception):
    """Base class: a problem the user can act on; the message says how."""

    exit_code = 1


class UsageError(QAError):
    """A command or argument was used wrongly."""

    exit_code = 2


class InputError(QAError):
    """An input file (or one line of it) cannot be read as articles."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class ModelError(QAError):
    """A model cannot be provisioned or loaded."""


class StoreError(QAError):
    """Base class for problems with an index folder."""


class IndexNotFoundError(StoreError):
    """No index at the given folder."""


class IndexExistsError(StoreError):
    """Refusing to overwrite an existing index."""


class IndexLockedError(StoreError):
    """Another process is writing the index."""


class SchemaVersionError(StoreError):
    """The index was written by an incompatible version of the code."""


class ChecksumError(StoreError):
    """A file of the index does not match the checksum in its manifest."""


class CountMismatchError(StoreError):
    """The index's files disagree on how many articles, chunks or vectors there are."""


class EmbedderMismatchError(StoreError):
    """The query encoder is not the one that built the index."""
