"""The on-disk layout of journal segments and records.

A journal is a directory of segment files named by the sequence number of their first record,
zero-padded to 20 digits so that names sort in sequence order (``00000000000000000001.sqj``).

Segment header (32 bytes, little-endian)::

    magic     8s   b"SQJOURNL"
    version   u16  FORMAT_VERSION
    hdr_size  u16  size of this header in bytes (32)
    first_seq u64  sequence number of the segment's first record
    created   i64  creation time, ns since the Unix epoch
    crc       u32  zlib.crc32 of the 28 bytes before it

Record (16-byte header, then the payload)::

    crc       u32  zlib.crc32 of the next 12 header bytes and the payload
    length    u32  payload length in bytes
    seq       u64  sequence number: 1 for the first record, then +1 per record across segments
    payload   length bytes

The CRC leads the record so that it covers one contiguous span (length, seq, payload); a
reader checks a record with a single ``crc32`` call over that span.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

SEGMENT_MAGIC = b"SQJOURNL"
FORMAT_VERSION = 1
SEGMENT_SUFFIX = ".sqj"
SEQ_DIGITS = 20
LOCK_FILE_NAME = "LOCK"

SEGMENT_HEADER = struct.Struct("<8sHHQqI")
SEGMENT_HEADER_SIZE = SEGMENT_HEADER.size
_SEGMENT_HEADER_BODY = struct.Struct("<8sHHQq")

RECORD_HEADER = struct.Struct("<IIQ")
RECORD_HEADER_SIZE = RECORD_HEADER.size
RECORD_CRC = struct.Struct("<I")
RECORD_LEN_SEQ = struct.Struct("<IQ")
SEQ_FIELD = struct.Struct("<Q")
# Offset of the CRC-covered span inside a record: everything after the CRC field.
CRC_SPAN_START = RECORD_CRC.size

MAX_PAYLOAD_BYTES = 0xFFFF_FFFF
MAX_SEQ = 0xFFFF_FFFF_FFFF_FFFF

_SEGMENT_NAME = re.compile(rf"^(\d{{{SEQ_DIGITS}}}){re.escape(SEGMENT_SUFFIX)}$")

assert SEGMENT_HEADER_SIZE == 32
assert RECORD_HEADER_SIZE == 16


@dataclass(frozen=True, slots=True)
class SegmentHeader:
    """The decoded header of one segment file."""

    version: int
    first_seq: int
    created_ns: int


def segment_name(first_seq: int) -> str:
    """Return the file name of the segment whose first record has ``first_seq``."""
    return f"{first_seq:0{SEQ_DIGITS}d}{SEGMENT_SUFFIX}"


def parse_segment_name(name: str) -> int | None:
    """Return the first sequence number encoded in a segment file name, or None if it is not one."""
    match = _SEGMENT_NAME.match(name)
    return int(match.group(1)) if match else None


def encode_segment_header(first_seq: int, created_ns: int) -> bytes:
    """Return the 32-byte header of a new segment."""
    body = _SEGMENT_HEADER_BODY.pack(
        SEGMENT_MAGIC, FORMAT_VERSION, SEGMENT_HEADER_SIZE, first_seq, created_ns
    )
    return body + RECORD_CRC.pack(zlib.crc32(body))


def decode_segment_header(data: bytes | memoryview) -> SegmentHeader:
    """Decode and check a segment header.

    Raises:
        ValueError: if ``data`` is too short or the magic, version, size or CRC is wrong; the
            message says which. Callers turn it into a `JournalCorruptError` naming the file.
    """
    if len(data) < SEGMENT_HEADER_SIZE:
        raise ValueError(f"segment header needs {SEGMENT_HEADER_SIZE} bytes, file has {len(data)}")
    magic, version, size, first_seq, created_ns, crc = SEGMENT_HEADER.unpack_from(data, 0)
    if magic != SEGMENT_MAGIC:
        raise ValueError(f"bad segment magic {bytes(magic)!r}, expected {SEGMENT_MAGIC!r}")
    actual_crc = zlib.crc32(data[: _SEGMENT_HEADER_BODY.size])
    if crc != actual_crc:
        raise ValueError(
            f"segment header CRC mismatch (stored {crc:#010x}, computed {actual_crc:#010x})"
        )
    if version != FORMAT_VERSION:
        raise ValueError(
            f"unsupported journal format version {version} (this build reads {FORMAT_VERSION})"
        )
    if size != SEGMENT_HEADER_SIZE:
        raise ValueError(f"segment header size {size}, expected {SEGMENT_HEADER_SIZE}")
    if first_seq < 1:
        raise ValueError(f"segment first sequence number {first_seq} < 1")
    return SegmentHeader(version=version, first_seq=first_seq, created_ns=created_ns)


def encode_record(seq: int, payload: bytes) -> bytes:
    """Return one framed record (header and payload); the writer inlines the same steps.

    Raises:
        ValueError: if the payload is longer than `MAX_PAYLOAD_BYTES` or ``seq`` is out of range.
    """
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD_BYTES}")
    if not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"seq {seq} out of range 1..{MAX_SEQ}")
    len_seq = RECORD_LEN_SEQ.pack(len(payload), seq)
    return RECORD_CRC.pack(zlib.crc32(payload, zlib.crc32(len_seq))) + len_seq + payload
