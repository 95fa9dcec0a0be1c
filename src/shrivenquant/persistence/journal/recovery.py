"""Tail repair on open: truncate a torn last record, remove a segment torn while being created."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from shrivenquant.persistence.journal.errors import JournalCorruptError
from shrivenquant.persistence.journal.files import fsync_directory, fsync_file
from shrivenquant.persistence.journal.scan import (
    SegmentRef,
    SegmentWalker,
    list_segments,
    read_segment_header,
)
from shrivenquant.telemetry.logging import get_logger

_log = get_logger("journal")


@dataclass(frozen=True, slots=True)
class RecoveredTail:
    """Where appending resumes after recovery.

    Attributes:
        segment: the last segment, or None if the journal holds no segment.
        next_seq: sequence number of the next record to append.
        end_offset: size of the last segment after repair.
    """

    segment: SegmentRef | None
    next_seq: int
    end_offset: int


def recover_tail(directory: Path) -> RecoveredTail:
    """Check the last segment of a journal and repair a torn tail in place.

    Only the last segment is read in full; earlier segments are checked when the journal is
    replayed. Every repair is logged at WARNING with the segment, offset and bytes dropped.
    The caller must hold the directory lock.

    Raises:
        JournalCorruptError: if the last segment holds corruption rather than a torn tail, or
            the first segment does not start at sequence number 1.
    """
    refs = list_segments(directory)
    if refs and refs[0].first_seq != 1:
        raise JournalCorruptError(
            refs[0].path,
            0,
            f"journal starts at seq {refs[0].first_seq}; segments before it are missing",
        )
    # A segment exposed by removing a torn new one was fsynced before that one was created, so
    # it must be complete: check it as a middle segment.
    is_last = True
    while refs:
        ref = refs[-1]
        walker: SegmentWalker | None = None
        with ref.path.open("rb", buffering=0) as file:
            header = read_segment_header(ref, file, is_last=is_last)
            if header is not None:
                walker = SegmentWalker(ref, file, header.first_seq, is_last=is_last)
                walker.verify()
        if walker is None:
            _log.warning(
                "journal segment torn while being created; removing it",
                segment=str(ref.path),
                offset=0,
                bytes_dropped=ref.path.stat().st_size,
            )
            os.unlink(ref.path)
            fsync_directory(directory)
            refs.pop()
            is_last = False
            continue
        if walker.damage is not None:
            _log.warning(
                "journal tail torn; truncating to the last good record",
                segment=str(ref.path),
                offset=walker.damage.offset,
                bytes_dropped=walker.damage.dropped_bytes,
                reason=walker.damage.reason,
                last_good_seq=walker.next_seq - 1,
            )
            os.truncate(ref.path, walker.end_offset)
            fsync_file(ref.path)
        return RecoveredTail(ref, walker.next_seq, walker.end_offset)
    return RecoveredTail(None, 1, 0)
