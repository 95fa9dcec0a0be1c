"""Low-level file handling: the open segment being appended to, directory fsync, the writer lock."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from shrivenquant.persistence.journal.errors import JournalLockedError
from shrivenquant.persistence.journal.format import (
    LOCK_FILE_NAME,
    encode_segment_header,
    segment_name,
)

_sync_data = getattr(os, "fdatasync", os.fsync)


def fsync_directory(directory: Path) -> None:
    """Make file creations, renames and removals in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush one file's data to stable storage."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SegmentFile:
    """The segment file the writer appends to: an fd, its first seq and its size in bytes."""

    __slots__ = ("_fd", "first_seq", "path", "size")

    def __init__(self, path: Path, fd: int, first_seq: int, size: int) -> None:
        self.path = path
        self.first_seq = first_seq
        self.size = size
        self._fd = fd

    @classmethod
    def create(
        cls, directory: Path, first_seq: int, created_ns: int, *, durable: bool
    ) -> SegmentFile:
        """Create a new segment holding only its header; fsync it and the directory if durable."""
        path = directory / segment_name(first_seq)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        segment = cls(path, fd, first_seq, 0)
        try:
            segment.write(encode_segment_header(first_seq, created_ns))
            if durable:
                segment.sync()
                fsync_directory(directory)
        except BaseException:
            segment.close()
            raise
        return segment

    @classmethod
    def open_at(cls, path: Path, first_seq: int, size: int) -> SegmentFile:
        """Open an existing segment to append after its first ``size`` bytes."""
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        os.lseek(fd, size, os.SEEK_SET)
        return cls(path, fd, first_seq, size)

    def write(self, data: bytes) -> None:
        """Write all of ``data`` at the end of the segment."""
        written = os.write(self._fd, data)
        if written != len(data):
            view = memoryview(data)
            while written < len(data):
                written += os.write(self._fd, view[written:])
        self.size += len(data)

    def sync(self) -> None:
        """Force the segment's data (and size) to stable storage."""
        _sync_data(self._fd)

    def close(self) -> None:
        """Close the file descriptor; safe to call twice."""
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)


class DirectoryLock:
    """An exclusive `fcntl.flock` on a journal directory's lock file: one writer at a time."""

    __slots__ = ("_fd", "path")

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def acquire(cls, directory: Path) -> DirectoryLock:
        """Take the lock without waiting.

        Raises:
            JournalLockedError: if another writer (in this or another process) holds it.
        """
        path = directory / LOCK_FILE_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown holder"
            os.close(fd)
            raise JournalLockedError(
                f"journal {directory} is locked by another writer ({holder});"
                " only one writer may open a journal directory"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        lock = cls(path, fd)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}\n".encode("ascii"), 0)
        except BaseException:
            lock.release()
            raise
        return lock

    def release(self) -> None:
        """Release the lock; safe to call twice."""
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
