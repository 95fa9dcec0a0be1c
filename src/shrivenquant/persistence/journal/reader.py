"""Replaying a journal: every record from a sequence number on, CRC-checked, in order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from shrivenquant.persistence.journal.errors import JournalCorruptError
from shrivenquant.persistence.journal.format import MAX_SEQ
from shrivenquant.persistence.journal.scan import (
    SegmentRef,
    SegmentWalker,
    list_segments,
    read_segment_header,
)
from shrivenquant.telemetry.logging import get_logger

_log = get_logger("journal")


class JournalReader:
    """Reads the records of a journal directory; never modifies it.

    A reader may run while a writer is open; it sees what was written to the files when it
    reads them. A torn tail of the last segment ends the replay with a warning (the writer
    truncates it on its next open); any other damage raises `JournalCorruptError`.
    """

    def __init__(self, path: Path | str) -> None:
        """Read the journal in directory ``path``."""
        self._directory = Path(path)

    @property
    def path(self) -> Path:
        """The journal directory."""
        return self._directory

    def segments(self) -> list[SegmentRef]:
        """Return the segment files in sequence order.

        Raises:
            FileNotFoundError: if the journal directory does not exist.
        """
        if not self._directory.is_dir():
            raise FileNotFoundError(f"journal directory {self._directory} does not exist")
        return list_segments(self._directory)

    def replay(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[tuple[int, bytes]]:
        """Yield ``(seq, payload)`` for every record from ``from_seq`` to ``to_seq`` inclusive.

        Raises:
            ValueError: if ``from_seq`` < 1 or ``to_seq`` < ``from_seq`` - 1.
            JournalCorruptError: for any damage other than a torn tail.
        """
        for batch in self.replay_batches(from_seq, to_seq):
            yield from batch

    def replay_batches(
        self, from_seq: int = 1, to_seq: int | None = None
    ) -> Iterator[list[tuple[int, bytes]]]:
        """Like `replay`, but yield lists of records (one per chunk read; faster to consume).

        Whole segments that end before ``from_seq`` are skipped after a header check.
        """
        last = MAX_SEQ if to_seq is None else to_seq
        if from_seq < 1:
            raise ValueError(f"from_seq: must be >= 1, got {from_seq}")
        if last < from_seq - 1:
            raise ValueError(f"to_seq: must be >= from_seq - 1 ({from_seq - 1}), got {to_seq}")
        if last < from_seq:
            return
        refs = self.segments()
        if refs and refs[0].first_seq != 1:
            raise JournalCorruptError(
                refs[0].path,
                0,
                f"journal starts at seq {refs[0].first_seq}; segments before it are missing",
            )
        expected: int | None = None
        for index, ref in enumerate(refs):
            if ref.first_seq > last:
                return
            if expected is not None and ref.first_seq != expected:
                raise JournalCorruptError(
                    ref.path,
                    0,
                    f"sequence gap: segment starts at seq {ref.first_seq}, expected {expected}",
                )
            is_last = index == len(refs) - 1
            skip = not is_last and refs[index + 1].first_seq <= from_seq
            with ref.path.open("rb", buffering=0) as file:
                header = read_segment_header(ref, file, is_last=is_last)
                if header is None:
                    return
                if skip:
                    expected = None
                    continue
                walker = SegmentWalker(ref, file, header.first_seq, is_last=is_last)
                yield from walker.batches(from_seq, last)
            if walker.damage is not None:
                _log.warning(
                    "journal ends in a torn tail; replay stops at the last good record",
                    segment=str(ref.path),
                    offset=walker.damage.offset,
                    bytes=walker.damage.dropped_bytes,
                    reason=walker.damage.reason,
                    last_good_seq=walker.next_seq - 1,
                )
                return
            expected = walker.next_seq
