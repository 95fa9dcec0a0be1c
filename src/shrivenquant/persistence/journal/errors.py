"""Errors raised by the event journal."""

from __future__ import annotations

from pathlib import Path

from shrivenquant.core.errors import ErrorKind, ShrivenQuantError


class JournalError(ShrivenQuantError):
    """The journal cannot do what was asked; the message says why."""

    kind = ErrorKind.BUG


class JournalCorruptError(JournalError):
    """A journal file holds bytes that are not a valid record where one must be.

    Recovery only repairs a torn tail (an incomplete last record of the last segment). Anything
    else is corruption: the files must be restored or repaired by an operator before trading
    state can be trusted again, so the caller should stop, not retry.

    Attributes:
        segment: the segment file holding the bad bytes.
        offset: byte offset in that file where the bad record or header starts.
    """

    kind = ErrorKind.INVALID_INPUT

    def __init__(self, segment: Path, offset: int, reason: str) -> None:
        super().__init__(f"journal corrupt in segment {segment} at byte offset {offset}: {reason}")
        self.segment = segment
        self.offset = offset
        self.reason = reason


class JournalLockedError(JournalError):
    """Another writer holds the journal directory's lock."""

    kind = ErrorKind.INVALID_INPUT


class JournalClosedError(JournalError):
    """The writer was used after `close()`: a defect in the caller."""

    kind = ErrorKind.BUG


class JournalWriterFailedError(JournalError):
    """An earlier write or fsync failed; the writer refuses further work.

    After a failed fsync the page cache can no longer be trusted, so the only safe way on is to
    reopen the journal, which re-runs recovery (retry by reopening, not by appending again).
    """

    kind = ErrorKind.RETRYABLE
