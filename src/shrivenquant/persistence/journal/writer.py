"""The journal writer: appends framed records to segment files under a configurable fsync policy.

Threading: `append`, `append_many`, `flush`, `sync` and `close` belong to one thread (the
kernel's). Under `FsyncPolicy.GROUP_COMMIT` a background flusher drains the pending records,
writes them and fsyncs. The append path takes no lock: it only appends whole records to a list
that the drain consumes from the front (both are atomic list operations), so the per-record cost
stays a few hundred nanoseconds; measured, a lock on that path cost about a third more.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from zlib import crc32

from shrivenquant.persistence.journal.config import FsyncPolicy, JournalConfig
from shrivenquant.persistence.journal.errors import (
    JournalClosedError,
    JournalWriterFailedError,
)
from shrivenquant.persistence.journal.files import DirectoryLock
from shrivenquant.persistence.journal.flusher import GroupCommitFlusher
from shrivenquant.persistence.journal.format import (
    MAX_PAYLOAD_BYTES,
    RECORD_HEADER,
    RECORD_LEN_SEQ,
)
from shrivenquant.persistence.journal.listeners import DurableListener, DurableListeners
from shrivenquant.persistence.journal.segment_log import SegmentLog
from shrivenquant.persistence.journal.stats import JournalMetrics, JournalStats
from shrivenquant.telemetry.logging import get_logger
from shrivenquant.telemetry.metrics import MetricsRegistry

Payload = bytes | bytearray | memoryview
"""What `JournalWriter.append` accepts: any contiguous bytes-like object."""

_pack_len_seq = RECORD_LEN_SEQ.pack
_pack_header = RECORD_HEADER.pack
_RECORD_HEADER_SIZE = RECORD_HEADER.size
_log = get_logger("journal")

# Under group commit, pending bytes beyond this many multiples of group_commit_max_bytes make
# `append` write them itself: back-pressure when the disk cannot keep up with the flusher.
_BACKPRESSURE_FACTOR = 4


class JournalWriter:
    """Appends records to one journal directory; the only writer while it is open.

    Open with `JournalWriter.open`, which takes the directory lock, repairs a torn tail and
    continues numbering after the last good record.
    """

    def __init__(self, config: JournalConfig, metrics: MetricsRegistry | None = None) -> None:
        """Prefer `JournalWriter.open`; this constructor does the same work."""
        self._config = config
        self._policy = config.fsync_policy
        self._max_pending = config.group_commit_max_bytes
        self._directory = config.path
        self._directory.mkdir(parents=True, exist_ok=True)
        self._lock = DirectoryLock.acquire(self._directory)
        try:
            self._segments = SegmentLog(
                self._directory,
                segment_max_bytes=config.segment_max_bytes,
                durable_creates=self._policy is not FsyncPolicy.NEVER,
                metrics=JournalMetrics(metrics, self._directory.name) if metrics else None,
            )
        except BaseException:
            self._lock.release()
            raise
        self._io_lock = threading.Lock()
        self._chunks: list[bytes] = []
        self._push = self._chunks.append
        self._open_seq = self._last_seq = self._segments.written_seq
        self._listeners = DurableListeners(self._last_seq)
        self._error: BaseException | None = None
        self._error_reported = False
        self._closed = False
        self._deferred_commit = False
        # Bytes accepted by `append` since opening. Only the appending thread writes it; the
        # drain only writes `self._segments.written_bytes`. Their difference is what is pending.
        self._appended = 0
        self._roll_at = self._segments.segment_room
        self._check_at = -1
        self._rearm(kicked=False)
        self._flusher: GroupCommitFlusher | None = None
        if self._policy is FsyncPolicy.GROUP_COMMIT:
            self._flusher = GroupCommitFlusher(
                config.group_commit_interval_ms / 1000.0,
                self._flusher_tick,
                f"sq-journal-flusher-{self._directory.name}",
            )
            self._flusher.start()

    @classmethod
    def open(cls, config: JournalConfig, metrics: MetricsRegistry | None = None) -> JournalWriter:
        """Lock the directory, recover its tail and return a writer ready to append.

        Raises:
            JournalLockedError: if another writer holds the directory.
            JournalCorruptError: if the last segment is corrupt (not merely torn).
        """
        return cls(config, metrics)

    # -- properties ------------------------------------------------------------------------

    @property
    def config(self) -> JournalConfig:
        """The configuration this writer was opened with."""
        return self._config

    @property
    def last_seq(self) -> int:
        """Sequence number of the last appended record (0 for an empty journal)."""
        return self._last_seq

    @property
    def durable_seq(self) -> int:
        """Highest sequence number known to be fsynced."""
        return self._segments.durable_seq

    @property
    def closed(self) -> bool:
        """True once `close` has been called."""
        return self._closed

    def stats(self) -> JournalStats:
        """Return a snapshot of this writer's counters."""
        segments = self._segments
        return JournalStats(
            records_appended=self._last_seq - self._open_seq,
            bytes_appended=self._appended,
            records_written=segments.written_seq - self._open_seq,
            bytes_written=segments.written_bytes,
            writes=segments.writes,
            fsyncs=segments.fsyncs,
            segments_created=segments.segments_created,
            last_seq=self._last_seq,
            durable_seq=segments.durable_seq,
        )

    def on_durable(self, listener: DurableListener) -> None:
        """Call ``listener(seq)`` whenever records up to ``seq`` become durable.

        Listeners run on the thread that made the records durable (the flusher thread under
        group commit), so they must be quick and thread-safe; an error in one is logged.
        """
        self._listeners.add(listener)

    # -- appending -------------------------------------------------------------------------

    def append(self, payload: Payload) -> int:
        """Append one record and return its sequence number.

        Under `FsyncPolicy.EVERY_RECORD` the record is written and fsynced before this returns;
        otherwise it is buffered and made durable by the flusher, `flush` or `sync`.

        Raises:
            ValueError: if ``payload`` is not bytes-like or too long.
            JournalClosedError: after `close`.
            JournalWriterFailedError: if an earlier write or fsync failed.
        """
        seq = self._last_seq + 1
        if type(payload) is memoryview:  # its len() counts items, which may not be bytes
            payload = payload.tobytes()
        try:
            size = len(payload)
            crc = crc32(payload, crc32(_pack_len_seq(size, seq)))
            record = _pack_header(crc, size, seq) + payload
        except (struct.error, TypeError) as exc:
            raise _payload_error(payload, exc) from exc
        end = self._appended + size + _RECORD_HEADER_SIZE
        if end > self._check_at:
            return self._append_slow(record, seq, end)
        self._push(record)
        self._appended = end
        self._last_seq = seq
        return seq

    def append_many(self, payloads: Iterable[Payload]) -> range:
        """Append records in order and return the range of their sequence numbers.

        Under `FsyncPolicy.EVERY_RECORD` the whole batch is written and fsynced once, at the end.
        """
        first = self._last_seq + 1
        append = self.append
        if self._policy is not FsyncPolicy.EVERY_RECORD:
            for payload in payloads:
                append(payload)
            return range(first, self._last_seq + 1)
        self._deferred_commit = True
        try:
            for payload in payloads:
                append(payload)
        finally:
            self._deferred_commit = False
            if self._last_seq >= first and self._error is None:
                self._commit(fsync=True)
        return range(first, self._last_seq + 1)

    def flush(self) -> None:
        """Write every buffered record to the segment file, without fsync."""
        self._check_usable()
        with self._io_lock:
            self._io(self._segments.write, self._chunks)

    def sync(self) -> None:
        """Write every buffered record and fsync: on return `durable_seq == last_seq`."""
        self._check_usable()
        self._commit(fsync=True)

    def close(self) -> None:
        """Write (and, unless the policy is NEVER, fsync) what is buffered; release the lock.

        Safe to call twice. Raises `JournalWriterFailedError` if the writer had failed and the
        caller was not yet told, since buffered records were then lost.
        """
        if self._closed:
            return
        self._closed = True
        self._check_at = -1
        if self._flusher is not None:
            self._flusher.stop()
        try:
            if self._error is None:
                self._commit(fsync=self._policy is not FsyncPolicy.NEVER)
        finally:
            with self._io_lock:
                self._segments.close()
            self._lock.release()
        if self._error is not None and not self._error_reported:
            self._error_reported = True
            raise JournalWriterFailedError(
                f"journal {self._directory} failed before close; records after seq"
                f" {self._segments.written_seq} were not written: {self._error}"
            ) from self._error

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals -------------------------------------------------------------------------

    def _append_slow(self, record: bytes, seq: int, end: int) -> int:
        """Append path for everything but the common case: closed, failed, rollover, fsync."""
        self._check_usable()
        segments = self._segments
        if end > self._roll_at and self._last_seq >= segments.segment_first_seq:
            with self._io_lock:
                self._io(segments.write, self._chunks)
                self._io(segments.roll, seq)
                self._roll_at = self._appended + segments.segment_room
            self._listeners.notify(segments.durable_seq)
        self._push(record)
        self._appended = end
        self._last_seq = seq
        kicked = False
        if self._policy is FsyncPolicy.EVERY_RECORD:
            if not self._deferred_commit:
                self._commit(fsync=True)
        elif end - segments.written_bytes >= self._max_pending:
            kicked = True
            pending = end - segments.written_bytes
            if self._flusher is None or pending >= self._max_pending * _BACKPRESSURE_FACTOR:
                with self._io_lock:
                    self._io(segments.write, self._chunks)
            if self._flusher is not None:
                self._flusher.kick()
        self._rearm(kicked=kicked)
        return seq

    def _rearm(self, *, kicked: bool) -> None:
        """Set the byte count at which `append` next leaves its fast path."""
        if self._policy is FsyncPolicy.EVERY_RECORD or self._closed:
            self._check_at = -1
            return
        base = self._appended if kicked else self._segments.written_bytes
        self._check_at = min(self._roll_at, base + self._max_pending - 1)
        # The flusher sets `_error` and then `_check_at = -1`; re-reading `_error` after the
        # store above means a failure can never be overwritten by a stale threshold.
        if self._error is not None:
            self._check_at = -1

    def _check_usable(self) -> None:
        if self._error is not None:
            self._error_reported = True
            raise JournalWriterFailedError(
                f"journal {self._directory} failed earlier and must be reopened: {self._error}"
            ) from self._error
        if self._closed:
            raise JournalClosedError(f"journal {self._directory} is closed")

    def _commit(self, *, fsync: bool) -> None:
        with self._io_lock:
            self._io(self._segments.write, self._chunks)
            if fsync:
                self._io(self._segments.sync)
        self._listeners.notify(self._segments.durable_seq)

    def _io(self, action: Callable[..., None], *args: object) -> None:
        """Run a write/fsync step; an OSError fails the writer for good."""
        try:
            action(*args)
        except OSError as exc:
            self._fail(exc)
            self._error_reported = True
            raise JournalWriterFailedError(
                f"journal {self._directory}: write or fsync failed: {exc}"
            ) from exc

    def _fail(self, error: BaseException) -> None:
        self._error = error
        self._check_at = -1
        _log.error("journal writer failed", journal=str(self._directory), error=repr(error))

    def _flusher_tick(self) -> bool:
        segments = self._segments
        if segments.durable_seq >= self._last_seq:
            return True
        try:
            with self._io_lock:
                if self._closed:
                    return False
                segments.write(self._chunks)
                segments.sync()
        except Exception as exc:  # noqa: BLE001 - kept, and raised to the appending thread
            self._fail(exc)
            return False
        self._listeners.notify(segments.durable_seq)
        return True


def _payload_error(payload: object, exc: Exception) -> ValueError:
    if isinstance(exc, TypeError) or not isinstance(payload, bytes | bytearray | memoryview):
        return ValueError(f"payload: expected bytes, got {type(payload).__name__}")
    return ValueError(
        f"payload: {len(payload)} bytes exceeds the {MAX_PAYLOAD_BYTES}-byte record limit"
    )


__all__ = ["DurableListener", "JournalWriter", "Payload"]
