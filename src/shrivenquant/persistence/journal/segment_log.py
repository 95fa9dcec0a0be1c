"""The file side of the writer: the segment being appended to, rollover, fsync and counters."""

from __future__ import annotations

import time
from pathlib import Path

from shrivenquant.persistence.journal.files import SegmentFile
from shrivenquant.persistence.journal.format import SEGMENT_HEADER_SIZE
from shrivenquant.persistence.journal.recovery import recover_tail
from shrivenquant.persistence.journal.stats import JournalMetrics


class SegmentLog:
    """Writes batches of framed records to the journal's segment files.

    Not thread-safe: the writer serialises every call with its I/O lock. Opening recovers the
    tail of the journal first, so numbering continues after the last good record.

    Attributes:
        written_seq: sequence number of the last record written to a file.
        durable_seq: highest sequence number known to be fsynced.
        written_bytes: framed bytes written since opening.
        writes, fsyncs, segments_created: counters since opening.
    """

    __slots__ = (
        "_directory",
        "_durable_creates",
        "_metrics",
        "_segment",
        "durable_seq",
        "fsyncs",
        "segment_max_bytes",
        "segments_created",
        "writes",
        "written_bytes",
        "written_seq",
    )

    def __init__(
        self,
        directory: Path,
        *,
        segment_max_bytes: int,
        durable_creates: bool,
        metrics: JournalMetrics | None,
    ) -> None:
        """Recover ``directory``'s tail and open its last segment (or create the first one).

        Args:
            directory: the journal directory; the caller holds its lock.
            segment_max_bytes: size at which `roll` is due.
            durable_creates: fsync new segments and the directory when they are created.
            metrics: where to count writes and fsyncs, if anywhere.
        """
        self._directory = directory
        self._durable_creates = durable_creates
        self._metrics = metrics
        self.segment_max_bytes = segment_max_bytes
        self.writes = 0
        self.fsyncs = 0
        self.segments_created = 0
        self.written_bytes = 0
        tail = recover_tail(directory)
        if tail.segment is None:
            self._segment = self._create(1)
        else:
            self._segment = SegmentFile.open_at(
                tail.segment.path, tail.segment.first_seq, tail.end_offset
            )
            if tail.end_offset > SEGMENT_HEADER_SIZE:
                # Records of an earlier run may sit only in the page cache: fsync them once so
                # that `durable_seq` starts true.
                try:
                    self._segment.sync()
                except BaseException:
                    self._segment.close()
                    raise
        self.written_seq = self.durable_seq = tail.next_seq - 1

    @property
    def segment_first_seq(self) -> int:
        """First sequence number of the segment being appended to."""
        return self._segment.first_seq

    @property
    def segment_room(self) -> int:
        """Bytes the current segment can take before it reaches its maximum size."""
        return self.segment_max_bytes - self._segment.size

    def write(self, pending: list[bytes]) -> None:
        """Write and remove the records at the front of ``pending`` (appends may continue)."""
        count = len(pending)
        if not count:
            return
        batch = pending[:count]
        del pending[:count]
        data = b"".join(batch)
        self._segment.write(data)
        self.written_bytes += len(data)
        self.written_seq += count
        self.writes += 1
        if self._metrics is not None:
            self._metrics.written(count, len(data))

    def sync(self) -> None:
        """fsync the current segment if it holds records not yet known durable."""
        if self.written_seq <= self.durable_seq:
            return
        started = time.perf_counter_ns()
        self._segment.sync()
        self.durable_seq = self.written_seq
        self.fsyncs += 1
        if self._metrics is not None:
            self._metrics.synced(time.perf_counter_ns() - started, self.durable_seq)

    def roll(self, next_seq: int) -> None:
        """Finish the current segment and start a new one whose first record is ``next_seq``.

        The finished segment is fsynced under every policy, so the existence of a later segment
        proves every earlier one complete; recovery relies on that.
        """
        self.sync()
        self._segment.close()
        self._segment = self._create(next_seq)

    def close(self) -> None:
        """Close the current segment; safe to call twice."""
        self._segment.close()

    def _create(self, first_seq: int) -> SegmentFile:
        segment = SegmentFile.create(
            self._directory, first_seq, time.time_ns(), durable=self._durable_creates
        )
        self.segments_created += 1
        return segment
