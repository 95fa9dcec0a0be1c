"""Finding segment files and walking their records, with the rules that tell torn from corrupt.

A *torn tail* is what a crash in the middle of a write leaves behind, and it can only be at the
end of the last segment: a record header cut short, a length that runs past the end of the file,
or a record that fails its CRC with nothing but zero bytes (or nothing at all) after it. The
writer truncates a torn tail on open; readers stop before it. Any other bad byte is corruption
and raises `JournalCorruptError`: a record never gets skipped silently.

Segments are read in chunks of `READ_CHUNK` bytes rather than whole: the chunk being parsed stays
in the CPU cache, which makes replay markedly faster than reading a 64 MiB file in one go.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from zlib import crc32

from shrivenquant.persistence.journal.errors import JournalCorruptError
from shrivenquant.persistence.journal.format import (
    CRC_SPAN_START,
    RECORD_HEADER,
    RECORD_HEADER_SIZE,
    SEGMENT_HEADER_SIZE,
    SEGMENT_SUFFIX,
    SEQ_FIELD,
    SegmentHeader,
    decode_segment_header,
    parse_segment_name,
)

READ_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class SegmentRef:
    """A segment file and the first sequence number its name promises."""

    path: Path
    first_seq: int


@dataclass(frozen=True, slots=True)
class TailDamage:
    """An incomplete record at the end of the last segment: where, how many bytes, why."""

    offset: int
    dropped_bytes: int
    reason: str


def list_segments(directory: Path) -> list[SegmentRef]:
    """Return the segment files of a journal directory in sequence order.

    Raises:
        JournalCorruptError: if a ``.sqj`` file's name is not a segment name.
    """
    refs: list[SegmentRef] = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if not entry.name.endswith(SEGMENT_SUFFIX):
                continue
            first_seq = parse_segment_name(entry.name)
            path = directory / entry.name
            if first_seq is None or first_seq < 1:
                raise JournalCorruptError(path, 0, "file name is not a segment name")
            refs.append(SegmentRef(path, first_seq))
    refs.sort(key=lambda ref: ref.first_seq)
    return refs


def read_segment_header(ref: SegmentRef, file: BinaryIO, *, is_last: bool) -> SegmentHeader | None:
    """Read and check the header at the start of ``file``.

    Returns None when the last segment was torn while being created: shorter than a header, or
    nothing but zero bytes.

    Raises:
        JournalCorruptError: for a bad header, or a short one in any segment but the last.
    """
    head = file.read(SEGMENT_HEADER_SIZE)
    if is_last and len(head) < SEGMENT_HEADER_SIZE:
        return None
    if is_last and head.count(0) == len(head) and _rest_all_zero(file):
        return None
    try:
        header = decode_segment_header(head)
    except ValueError as exc:
        raise JournalCorruptError(ref.path, 0, str(exc)) from None
    if header.first_seq != ref.first_seq:
        raise JournalCorruptError(
            ref.path,
            0,
            f"header says first seq {header.first_seq} but the file name says {ref.first_seq}",
        )
    return header


class SegmentWalker:
    """Walks the records of one open segment file, positioned just after its header.

    Attributes:
        next_seq: the sequence number after the last record walked so far.
        end_offset: file offset just past the last record walked so far.
        damage: the torn tail found at the end of the last segment, if any.
    """

    __slots__ = ("_base", "_file", "_is_last", "_ref", "damage", "end_offset", "next_seq")

    def __init__(self, ref: SegmentRef, file: BinaryIO, first_seq: int, *, is_last: bool) -> None:
        self._ref = ref
        self._file = file
        self._is_last = is_last
        self._base = SEGMENT_HEADER_SIZE  # file offset of the current buffer's first byte
        self.next_seq = first_seq
        self.end_offset = SEGMENT_HEADER_SIZE
        self.damage: TailDamage | None = None

    def batches(self, from_seq: int, to_seq: int) -> Iterator[list[tuple[int, bytes]]]:
        """Yield the records ``from_seq..to_seq``, one list per chunk read.

        Records before ``from_seq`` are stepped over by their length and sequence number
        without a CRC check; every yielded record is CRC-checked. A torn tail of the last
        segment ends the walk and is left in `damage`.

        Raises:
            JournalCorruptError: for any bad record that is not a torn tail of the last segment.
        """
        unpack = RECORD_HEADER.unpack_from
        seq = self.next_seq
        data: bytes | None = self._file.read(READ_CHUNK)
        while data is not None:
            size = len(data)
            off = 0
            while seq < from_seq:
                try:
                    _crc, length, rec_seq = unpack(data, off)
                except struct.error:
                    break
                end = off + RECORD_HEADER_SIZE + length
                if end > size or rec_seq != seq:
                    break
                off = end
                seq += 1
            batch: list[tuple[int, bytes]] = []
            if seq >= from_seq:
                push = batch.append
                view = memoryview(data)
                while seq <= to_seq:
                    try:
                        crc, length, rec_seq = unpack(data, off)
                    except struct.error:
                        break
                    start = off + RECORD_HEADER_SIZE
                    end = start + length
                    if (
                        end > size
                        or rec_seq != seq
                        or crc32(view[off + CRC_SPAN_START : end]) != crc
                    ):
                        break
                    push((seq, data[start:end]))
                    off = end
                    seq += 1
                view.release()
            self.next_seq = seq
            self.end_offset = self._base + off
            if batch:
                yield batch
            if seq > to_seq:
                return
            data = self._refill(data, off, seq)

    def verify(self) -> None:
        """CRC-check every record to the end of the segment without copying payloads.

        Raises:
            JournalCorruptError: for any bad record that is not a torn tail of the last segment.
        """
        unpack = RECORD_HEADER.unpack_from
        seq = self.next_seq
        data: bytes | None = self._file.read(READ_CHUNK)
        while data is not None:
            size = len(data)
            off = 0
            view = memoryview(data)
            while True:
                try:
                    crc, length, rec_seq = unpack(data, off)
                except struct.error:
                    break
                end = off + RECORD_HEADER_SIZE + length
                if end > size or rec_seq != seq or crc32(view[off + CRC_SPAN_START : end]) != crc:
                    break
                off = end
                seq += 1
            view.release()
            self.next_seq = seq
            self.end_offset = self._base + off
            data = self._refill(data, off, seq)

    def _refill(self, data: bytes, off: int, seq: int) -> bytes | None:
        """Return the unparsed rest of ``data`` joined with more of the file.

        Returns None at a clean end of file, or after recording a torn tail in `damage`.
        """
        rest = len(data) - off
        file_offset = self._base + off
        need = RECORD_HEADER_SIZE
        if rest >= RECORD_HEADER_SIZE:
            need += RECORD_HEADER.unpack_from(data, off)[1]
            if need <= rest:  # a whole record is in the buffer, and it is bad
                self._fail(data[off:] + self._file.read(), file_offset, seq)
                return None
        remaining = os.fstat(self._file.fileno()).st_size - (self._base + len(data))
        if need - rest > remaining:  # cannot complete: read what is left and judge it
            self._fail(data[off:] + self._file.read(), file_offset, seq)
            return None
        more = self._file.read(max(READ_CHUNK, need - rest))
        self._base = file_offset
        if not more:
            if rest:
                self._fail(data[off:], file_offset, seq)
            return None
        return data[off:] + more

    def _fail(self, tail: bytes, file_offset: int, seq: int) -> None:
        if tail:
            self.damage = classify_failure(self._ref, tail, file_offset, seq, is_last=self._is_last)


def classify_failure(
    ref: SegmentRef, tail: bytes, file_offset: int, expected_seq: int, *, is_last: bool
) -> TailDamage:
    """Decide whether ``tail`` (the file from a bad record to its end) is a torn tail.

    Args:
        ref: the segment.
        tail: the bytes from the start of the bad record to the end of the file.
        file_offset: where ``tail`` starts in the file.
        expected_seq: the sequence number the bad record should have carried.
        is_last: whether this is the last segment (only it may have a torn tail).

    Raises:
        JournalCorruptError: unless the bytes are a torn tail of the last segment.
    """
    size = len(tail)
    torn: str | None = None
    corrupt: str | None = None
    if size < RECORD_HEADER_SIZE:
        torn = f"record header cut short ({size} of {RECORD_HEADER_SIZE} bytes)"
    elif tail.count(0) == size:
        torn = "zero-filled tail"
    else:
        crc, length, rec_seq = RECORD_HEADER.unpack_from(tail, 0)
        end = RECORD_HEADER_SIZE + length
        if end > size:
            torn = f"record length {length} runs past the end of the file"
            if _valid_record_after(tail, RECORD_HEADER_SIZE, expected_seq + 1):
                corrupt = f"{torn}, but a valid record seq {expected_seq + 1} follows"
        elif crc32(memoryview(tail)[CRC_SPAN_START:end]) == crc:
            if rec_seq < expected_seq:
                corrupt = f"sequence number {rec_seq} is not above the previous {expected_seq - 1}"
            else:
                corrupt = f"sequence gap: record has seq {rec_seq}, expected {expected_seq}"
        else:
            torn = f"CRC mismatch in record seq {rec_seq} ({length} payload bytes)"
            if tail.count(0, end) != size - end:
                corrupt = f"{torn}, followed by more data"
    if corrupt is None and torn is not None and is_last:
        return TailDamage(file_offset, size, torn)
    raise JournalCorruptError(ref.path, file_offset, corrupt or torn or "bad record")


def _rest_all_zero(file: BinaryIO) -> bool:
    while chunk := file.read(READ_CHUNK):
        if chunk.count(0) != len(chunk):
            return False
    return True


def _valid_record_after(tail: bytes, start: int, seq: int) -> bool:
    """True if a complete, CRC-valid record with ``seq`` starts at or after ``start``."""
    needle = SEQ_FIELD.pack(seq)
    seq_field_offset = RECORD_HEADER_SIZE - SEQ_FIELD.size
    size = len(tail)
    view = memoryview(tail)
    pos = tail.find(needle, start + seq_field_offset)
    while pos != -1:
        off = pos - seq_field_offset
        crc, length, _ = RECORD_HEADER.unpack_from(tail, off)
        end = off + RECORD_HEADER_SIZE + length
        if end <= size and crc32(view[off + CRC_SPAN_START : end]) == crc:
            return True
        pos = tail.find(needle, pos + 1)
    return False
