"""Recovery: a torn tail is cut back to the last good record, anything else is corruption."""

from __future__ import annotations

import os
import struct
import tempfile
import zlib
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from shrivenquant.core.errors import ErrorKind, classify
from shrivenquant.persistence.journal import (
    FsyncPolicy,
    JournalConfig,
    JournalCorruptError,
    JournalReader,
    JournalWriter,
)
from shrivenquant.persistence.journal import files as journal_files
from shrivenquant.persistence.journal.format import (
    RECORD_HEADER,
    RECORD_HEADER_SIZE,
    SEGMENT_HEADER_SIZE,
    encode_record,
    encode_segment_header,
    parse_segment_name,
    segment_name,
)


@contextmanager
def no_fsync() -> Iterator[None]:
    """Skip real fsyncs (milliseconds each on CI disks); these tests check logic, not the disk."""
    with (
        mock.patch.object(journal_files, "_sync_data", return_value=None),
        mock.patch.object(os, "fsync", return_value=None),
    ):
        yield


@pytest.fixture(autouse=True)
def _no_fsync() -> Iterator[None]:
    with no_fsync():
        yield


def config_for(path: Path, segment_max_bytes: int = 64 * 1024 * 1024) -> JournalConfig:
    return JournalConfig(
        path=path, fsync_policy=FsyncPolicy.NEVER, segment_max_bytes=segment_max_bytes
    )


def write_journal(path: Path, payloads: list[bytes], segment_max_bytes: int = 1 << 26) -> None:
    with JournalWriter.open(config_for(path, segment_max_bytes)) as writer:
        writer.append_many(payloads)


def segment_files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.suffix == ".sqj")


def record_ends(raw: bytes) -> list[int]:
    """Byte offsets just past each record of a well-formed segment."""
    ends = []
    off = SEGMENT_HEADER_SIZE
    while off < len(raw):
        length = RECORD_HEADER.unpack_from(raw, off)[1]
        off += RECORD_HEADER_SIZE + length
        ends.append(off)
    return ends


def record_starts(raw: bytes) -> list[int]:
    return [SEGMENT_HEADER_SIZE, *record_ends(raw)[:-1]]


def replayed(path: Path, from_seq: int = 1) -> list[tuple[int, bytes]]:
    return list(JournalReader(path).replay(from_seq))


def warnings_of(logs: list[MutableMapping[str, Any]]) -> list[MutableMapping[str, Any]]:
    return [entry for entry in logs if entry["log_level"] == "warning"]


def flip_byte(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x5A
    path.write_bytes(bytes(raw))


# -- properties ----------------------------------------------------------------------------

payload_lists = st.lists(st.binary(max_size=48), max_size=30)


@settings(max_examples=300, deadline=None)
@given(payloads=payload_lists, segment_max=st.integers(64, 400), data=st.data())
def test_cut_at_any_byte_recovers_every_complete_record_and_nothing_else(
    payloads: list[bytes], segment_max: int, data: st.DataObject
) -> None:
    with no_fsync(), tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "journal"
        write_journal(path, payloads, segment_max)
        last = segment_files(path)[-1]
        raw = last.read_bytes()
        cut = data.draw(st.integers(0, len(raw)), label="cut")
        os.truncate(last, cut)

        last_first_seq = parse_segment_name(last.name)
        assert last_first_seq is not None
        kept_in_last = 0 if cut < SEGMENT_HEADER_SIZE else sum(e <= cut for e in record_ends(raw))
        kept = last_first_seq - 1 + kept_in_last
        expected = list(enumerate(payloads, start=1))[:kept]

        with capture_logs() as logs, JournalWriter.open(config_for(path, segment_max)) as writer:
            assert writer.last_seq == kept
            assert replayed(path) == expected
            assert writer.append(b"after the cut") == kept + 1
            assert writer.append(b"") == kept + 2
        assert replayed(path) == [*expected, (kept + 1, b"after the cut"), (kept + 2, b"")]

        boundaries = {SEGMENT_HEADER_SIZE, *record_ends(raw)}
        warned = warnings_of(logs)
        if cut in boundaries:
            assert warned == []
        else:
            assert len(warned) == 1
            assert warned[0]["segment"] == str(last)
            if cut >= SEGMENT_HEADER_SIZE:
                good_end = max(b for b in boundaries if b <= cut)
                assert warned[0]["offset"] == good_end
                assert warned[0]["bytes_dropped"] == cut - good_end


@settings(max_examples=200, deadline=None)
@given(payloads=payload_lists, segment_max=st.integers(64, 400), data=st.data())
def test_zero_filled_tail_is_torn(
    payloads: list[bytes], segment_max: int, data: st.DataObject
) -> None:
    with no_fsync(), tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "journal"
        write_journal(path, payloads, segment_max)
        last = segment_files(path)[-1]
        raw = last.read_bytes()
        start = data.draw(st.integers(SEGMENT_HEADER_SIZE, len(raw)), label="zero from")
        extra = data.draw(st.integers(0, 64), label="extra zeros")
        damaged = raw[:start] + bytes(len(raw) - start + extra)
        last.write_bytes(damaged)

        last_first_seq = parse_segment_name(last.name)
        assert last_first_seq is not None
        # A record survives if zeroing left its bytes as they were (its tail may already be 0).
        unchanged = [e for e in record_ends(raw) if damaged[:e] == raw[:e]]
        kept = last_first_seq - 1 + len(unchanged)
        with capture_logs() as logs, JournalWriter.open(config_for(path, segment_max)) as writer:
            assert writer.last_seq == kept
            writer.append(b"next")
        assert replayed(path) == [*list(enumerate(payloads, start=1))[:kept], (kept + 1, b"next")]
        assert (warnings_of(logs) != []) == (damaged != raw[: len(damaged)] or extra > 0)


# -- torn tails ----------------------------------------------------------------------------


def test_bad_crc_in_the_final_record_is_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"one", b"two", b"three"])
    segment = segment_files(path)[0]
    raw = segment.read_bytes()
    last_start = record_starts(raw)[-1]
    flip_byte(segment, len(raw) - 1)

    with capture_logs() as logs:
        assert replayed(path) == [(1, b"one"), (2, b"two")]
    assert warnings_of(logs)[0]["event"].startswith("journal ends in a torn tail")

    with capture_logs() as logs, JournalWriter.open(config_for(path)) as writer:
        assert writer.last_seq == 2
    (warning,) = warnings_of(logs)
    assert warning["event"] == "journal tail torn; truncating to the last good record"
    assert warning["segment"] == str(segment)
    assert warning["offset"] == last_start
    assert warning["bytes_dropped"] == len(raw) - last_start
    assert "CRC mismatch" in warning["reason"]
    assert segment.stat().st_size == last_start


def test_segment_torn_while_being_created_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"a" * 50] * 6, segment_max_bytes=128)
    files = segment_files(path)
    next_name = segment_name(7)
    (path / next_name).write_bytes(bytes(4096))  # created, size set, header never written
    with capture_logs() as logs, JournalWriter.open(config_for(path, 128)) as writer:
        assert writer.last_seq == 6
        assert writer.append(b"seventh") == 7
    assert warnings_of(logs)[0]["event"] == "journal segment torn while being created; removing it"
    assert segment_files(path)[: len(files)] == files
    assert replayed(path)[-1] == (7, b"seventh")


def test_torn_tail_past_the_first_read_chunk(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    payloads = [os.urandom(1000) for _ in range(400)]
    write_journal(path, payloads)
    segment = segment_files(path)[0]
    raw = segment.read_bytes()
    os.truncate(segment, len(raw) - 10)
    with capture_logs() as logs, JournalWriter.open(config_for(path)) as writer:
        assert writer.last_seq == 399
    assert warnings_of(logs)[0]["offset"] == record_starts(raw)[-1]
    assert replayed(path) == list(enumerate(payloads[:399], start=1))


# -- corruption ----------------------------------------------------------------------------


def assert_corrupt(error: JournalCorruptError, segment: Path, offset: int) -> None:
    assert error.segment == segment
    assert error.offset == offset
    assert str(segment) in str(error)
    assert f"byte offset {offset}" in str(error)
    assert classify(error) is ErrorKind.INVALID_INPUT


def test_flipped_payload_byte_in_a_middle_record_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"first", b"second", b"third", b"fourth"])
    segment = segment_files(path)[0]
    start = record_starts(segment.read_bytes())[1]
    flip_byte(segment, start + RECORD_HEADER_SIZE + 2)

    with pytest.raises(JournalCorruptError, match=r"CRC mismatch.*followed by more data") as info:
        replayed(path)
    assert_corrupt(info.value, segment, start)
    with pytest.raises(JournalCorruptError) as info:
        JournalWriter.open(config_for(path))
    assert_corrupt(info.value, segment, start)


def test_corrupt_record_in_an_earlier_segment_is_found_on_replay(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"x" * 40] * 12, segment_max_bytes=200)
    first = segment_files(path)[0]
    start = record_starts(first.read_bytes())[-1]  # the final record of a finished segment
    flip_byte(first, start + RECORD_HEADER_SIZE)
    with pytest.raises(JournalCorruptError) as info:
        replayed(path)
    assert_corrupt(info.value, first, start)


def test_truncated_earlier_segment_is_corrupt_not_torn(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"x" * 40] * 12, segment_max_bytes=200)
    first = segment_files(path)[0]
    size = first.stat().st_size
    os.truncate(first, size - 5)
    with pytest.raises(JournalCorruptError, match="runs past the end") as info:
        replayed(path)
    assert_corrupt(info.value, first, record_starts(first.read_bytes())[-1])


@pytest.mark.parametrize(
    ("offset", "message"),
    [(0, "bad segment magic"), (14, "segment header CRC mismatch")],
)
def test_damaged_header_of_a_middle_segment_is_corrupt(
    tmp_path: Path, offset: int, message: str
) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"x" * 40] * 12, segment_max_bytes=200)
    middle = segment_files(path)[1]
    flip_byte(middle, offset)
    with pytest.raises(JournalCorruptError, match=message) as info:
        replayed(path)
    assert_corrupt(info.value, middle, 0)


def test_damaged_header_of_the_last_segment_fails_open(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"a", b"b"])
    segment = segment_files(path)[0]
    flip_byte(segment, 3)
    with pytest.raises(JournalCorruptError, match="bad segment magic") as info:
        JournalWriter.open(config_for(path))
    assert_corrupt(info.value, segment, 0)


def test_unsupported_format_version_is_named(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    path.mkdir()
    header = bytearray(encode_segment_header(1, 0))
    struct.pack_into("<H", header, 8, 99)
    body = bytes(header[:28])
    header[28:] = struct.pack("<I", zlib.crc32(body))
    (path / segment_name(1)).write_bytes(bytes(header))
    with pytest.raises(JournalCorruptError, match="unsupported journal format version 99"):
        replayed(path)


def handmade_segment(path: Path, first_seq: int, seqs: list[int]) -> Path:
    path.mkdir(exist_ok=True)
    segment = path / segment_name(first_seq)
    records = b"".join(encode_record(seq, b"payload-%d" % seq) for seq in seqs)
    segment.write_bytes(encode_segment_header(first_seq, 0) + records)
    return segment


@pytest.mark.parametrize(
    ("seqs", "bad_index", "message"),
    [
        ([1, 2, 4, 5], 2, "sequence gap: record has seq 4, expected 3"),
        ([1, 2, 2, 3], 2, "sequence number 2 is not above the previous 2"),
        ([1, 2, 3, 5], 3, "sequence gap: record has seq 5, expected 4"),
    ],
)
def test_sequence_gaps_and_repeats_are_corrupt(
    tmp_path: Path, seqs: list[int], bad_index: int, message: str
) -> None:
    path = tmp_path / "journal"
    segment = handmade_segment(path, 1, seqs)
    offset = record_starts(segment.read_bytes())[bad_index]
    with pytest.raises(JournalCorruptError, match=message) as info:
        replayed(path)
    assert_corrupt(info.value, segment, offset)
    with pytest.raises(JournalCorruptError, match=message):
        JournalWriter.open(config_for(path))


def test_missing_middle_segment_is_a_sequence_gap(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"x" * 40] * 12, segment_max_bytes=200)
    files = segment_files(path)
    files[1].unlink()
    with pytest.raises(JournalCorruptError, match="sequence gap: segment starts at") as info:
        replayed(path)
    assert_corrupt(info.value, files[2], 0)


def test_missing_first_segment_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"x" * 40] * 12, segment_max_bytes=200)
    segment_files(path)[0].unlink()
    with pytest.raises(JournalCorruptError, match="segments before it are missing"):
        replayed(path)
    with pytest.raises(JournalCorruptError, match="segments before it are missing"):
        JournalWriter.open(config_for(path))


def test_length_past_eof_followed_by_valid_records_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"alpha", b"beta", b"gamma", b"delta"])
    segment = segment_files(path)[0]
    raw = bytearray(segment.read_bytes())
    start = record_starts(bytes(raw))[1]
    struct.pack_into("<I", raw, start + 4, 1_000_000)  # a length far past the end of the file
    segment.write_bytes(bytes(raw))
    with pytest.raises(JournalCorruptError, match="but a valid record seq 3 follows") as info:
        JournalWriter.open(config_for(path))
    assert_corrupt(info.value, segment, start)


def test_corruption_past_the_first_read_chunk_names_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [os.urandom(1000) for _ in range(400)])
    segment = segment_files(path)[0]
    start = record_starts(segment.read_bytes())[300]
    flip_byte(segment, start + RECORD_HEADER_SIZE + 500)
    with pytest.raises(JournalCorruptError) as info:
        replayed(path)
    assert_corrupt(info.value, segment, start)
    assert [seq for seq, _ in JournalReader(path).replay(1, 300)] == list(range(1, 301))


def test_file_name_must_match_header(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"a"])
    segment = segment_files(path)[0]
    renamed = path / segment_name(5)
    segment.rename(renamed)
    with pytest.raises(JournalCorruptError, match="segments before it are missing"):
        replayed(path)
    handmade_segment(path, 1, [1, 2, 3, 4])
    with pytest.raises(JournalCorruptError, match="file name says 5") as info:
        replayed(path)
    assert_corrupt(info.value, renamed, 0)


def test_stray_segment_like_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    write_journal(path, [b"a"])
    (path / "notes.sqj").write_text("not a segment")
    with pytest.raises(JournalCorruptError, match="not a segment name"):
        replayed(path)
