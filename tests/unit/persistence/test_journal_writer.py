"""JournalWriter and JournalReader: append, replay, rollover, reopen, fsync policies, the lock."""

from __future__ import annotations

import array
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from shrivenquant.persistence.journal import (
    FsyncPolicy,
    JournalClosedError,
    JournalConfig,
    JournalLockedError,
    JournalReader,
    JournalWriter,
    JournalWriterFailedError,
)
from shrivenquant.persistence.journal import files as journal_files
from shrivenquant.persistence.journal.format import (
    RECORD_HEADER_SIZE,
    SEGMENT_HEADER_SIZE,
    parse_segment_name,
)
from shrivenquant.telemetry.metrics import MetricsRegistry


@pytest.fixture
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip real fsyncs (milliseconds each on CI disks); the tests check logic, not the disk."""
    monkeypatch.setattr(journal_files, "_sync_data", lambda fd: None)
    monkeypatch.setattr(os, "fsync", lambda fd: None)


def make_config(path: Path, policy: FsyncPolicy = FsyncPolicy.NEVER, **kw: object) -> JournalConfig:
    return JournalConfig(path=path, fsync_policy=policy, **kw)  # type: ignore[arg-type]


def payloads(n: int) -> list[bytes]:
    return [f"event-{i}".encode() * (i % 5) for i in range(1, n + 1)]


def replayed(path: Path, from_seq: int = 1, to_seq: int | None = None) -> list[tuple[int, bytes]]:
    return list(JournalReader(path).replay(from_seq, to_seq))


def segment_files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.suffix == ".sqj")


def wait_until(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.002)
    return condition()


@pytest.fixture
def journal_dir(tmp_path: Path) -> Path:
    return tmp_path / "journal"


# -- append and replay ---------------------------------------------------------------------


def test_append_returns_consecutive_seqs_and_replay_returns_them(
    journal_dir: Path, no_fsync: None
) -> None:
    data = [*payloads(25), b""]
    with JournalWriter.open(make_config(journal_dir)) as writer:
        assert writer.last_seq == 0
        seqs = [writer.append(p) for p in data]
        assert writer.last_seq == 26
    assert seqs == list(range(1, 27))
    assert replayed(journal_dir) == list(zip(seqs, data, strict=True))


def test_empty_journal_replays_nothing(journal_dir: Path, no_fsync: None) -> None:
    JournalWriter.open(make_config(journal_dir)).close()
    assert replayed(journal_dir) == []
    assert [p.name for p in segment_files(journal_dir)] == ["00000000000000000001.sqj"]


def test_rollover_spreads_records_over_segments_named_by_first_seq(
    journal_dir: Path, no_fsync: None
) -> None:
    data = [bytes([i % 256]) * 40 for i in range(30)]
    config = make_config(journal_dir, segment_max_bytes=200)
    with JournalWriter.open(config) as writer:
        writer.append_many(data)
        stats = writer.stats()
    files = segment_files(journal_dir)
    assert len(files) == stats.segments_created > 5
    first_seqs = [parse_segment_name(p.name) for p in files]
    assert first_seqs[0] == 1
    records_per_segment = (200 - SEGMENT_HEADER_SIZE) // (RECORD_HEADER_SIZE + 40)
    assert first_seqs == [1 + i * records_per_segment for i in range(len(files))]
    assert all(p.stat().st_size <= 200 for p in files)
    assert replayed(journal_dir) == list(enumerate(data, start=1))


def test_a_record_larger_than_a_segment_gets_a_segment_of_its_own(
    journal_dir: Path, no_fsync: None
) -> None:
    big = os.urandom(300_000)  # larger than the segment and than one read chunk
    data = [b"a", big, b"b", big, b"c"]
    with JournalWriter.open(make_config(journal_dir, segment_max_bytes=1024)) as writer:
        writer.append_many(data)
    names = [parse_segment_name(p.name) for p in segment_files(journal_dir)]
    assert names == [1, 2, 3, 4, 5]  # nothing fits beside a record over the maximum size
    assert replayed(journal_dir) == list(enumerate(data, start=1))


def test_records_straddling_read_chunks_replay_intact(journal_dir: Path, no_fsync: None) -> None:
    data = [os.urandom(997 + i % 13) for i in range(700)]  # ~700 KB in one segment
    with JournalWriter.open(make_config(journal_dir)) as writer:
        writer.append_many(data)
    assert replayed(journal_dir) == list(enumerate(data, start=1))
    assert replayed(journal_dir, from_seq=400) == list(enumerate(data, start=1))[399:]
    batches = list(JournalReader(journal_dir).replay_batches())
    assert len(batches) > 1  # one batch per chunk read
    assert [seq for batch in batches for seq, _ in batch] == list(range(1, 701))


@pytest.mark.parametrize("from_seq", [1, 2, 7, 13, 14, 29, 30, 31, 100])
def test_replay_from_seq_across_segments(journal_dir: Path, no_fsync: None, from_seq: int) -> None:
    data = payloads(30)
    with JournalWriter.open(make_config(journal_dir, segment_max_bytes=160)) as writer:
        writer.append_many(data)
    expected = list(enumerate(data, start=1))[from_seq - 1 :]
    assert replayed(journal_dir, from_seq) == expected


def test_replay_to_seq_stops_inclusive(journal_dir: Path, no_fsync: None) -> None:
    data = payloads(30)
    with JournalWriter.open(make_config(journal_dir, segment_max_bytes=160)) as writer:
        writer.append_many(data)
    assert replayed(journal_dir, 5, 17) == list(enumerate(data, start=1))[4:17]
    assert replayed(journal_dir, 5, 4) == []
    with pytest.raises(ValueError, match="to_seq"):
        replayed(journal_dir, 5, 3)
    with pytest.raises(ValueError, match="from_seq"):
        replayed(journal_dir, 0)


def test_replay_skips_whole_segments_before_from_seq(journal_dir: Path, no_fsync: None) -> None:
    data = [b"x" * 50 for _ in range(20)]
    with JournalWriter.open(make_config(journal_dir, segment_max_bytes=200)) as writer:
        writer.append_many(data)
    first = segment_files(journal_dir)[0]
    raw = bytearray(first.read_bytes())
    raw[SEGMENT_HEADER_SIZE + RECORD_HEADER_SIZE + 3] ^= 0xFF  # damage a payload of segment 1
    first.write_bytes(bytes(raw))
    later = parse_segment_name(segment_files(journal_dir)[2].name)
    assert later is not None
    # Segment 1 is never walked when replay starts past it, so its damage goes unseen here...
    assert replayed(journal_dir, later) == list(enumerate(data, start=1))[later - 1 :]
    # ...and is found by a full replay.
    with pytest.raises(Exception, match="CRC mismatch"):
        replayed(journal_dir)


def test_reader_of_a_missing_directory_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        replayed(tmp_path / "nope")


# -- reopen --------------------------------------------------------------------------------


def test_reopen_continues_numbering(journal_dir: Path, no_fsync: None) -> None:
    config = make_config(journal_dir, segment_max_bytes=128)
    with JournalWriter.open(config) as writer:
        writer.append_many(payloads(10))
    with JournalWriter.open(config) as writer:
        assert writer.last_seq == 10
        assert writer.durable_seq == 10
        assert writer.append(b"eleven") == 11
        assert writer.append_many([b"twelve", b"thirteen"]) == range(12, 14)
    assert [seq for seq, _ in replayed(journal_dir)] == list(range(1, 14))
    assert replayed(journal_dir, 11) == [(11, b"eleven"), (12, b"twelve"), (13, b"thirteen")]


def test_reopen_with_a_smaller_segment_size_rolls_at_once(
    journal_dir: Path, no_fsync: None
) -> None:
    with JournalWriter.open(make_config(journal_dir)) as writer:
        writer.append_many(payloads(10))
    with JournalWriter.open(make_config(journal_dir, segment_max_bytes=64)) as writer:
        writer.append(b"next")
    assert [parse_segment_name(p.name) for p in segment_files(journal_dir)] == [1, 11]
    assert replayed(journal_dir)[-1] == (11, b"next")


# -- fsync policies ------------------------------------------------------------------------


def test_every_record_writes_and_fsyncs_inside_append(journal_dir: Path) -> None:
    with JournalWriter.open(make_config(journal_dir, FsyncPolicy.EVERY_RECORD)) as writer:
        for i in range(1, 6):
            assert writer.append(b"r%d" % i) == i
            assert writer.durable_seq == i
            assert replayed(journal_dir)[-1] == (i, b"r%d" % i)
        assert writer.stats().fsyncs == 5
        writer.append_many([b"a", b"b", b"c"])
        assert writer.stats().fsyncs == 6  # one fsync for the whole batch
        assert writer.durable_seq == 8


def test_group_commit_makes_records_durable_without_being_asked(journal_dir: Path) -> None:
    durable: list[int] = []
    config = make_config(journal_dir, FsyncPolicy.GROUP_COMMIT, group_commit_interval_ms=2)
    with JournalWriter.open(config) as writer:
        writer.on_durable(durable.append)
        writer.append_many(payloads(100))
        assert wait_until(lambda: writer.durable_seq == 100)
        assert wait_until(lambda: durable[-1:] == [100])
        assert durable == sorted(durable)
        stats = writer.stats()
        assert stats.records_written == 100
        assert 1 <= stats.fsyncs <= 100
    assert len(replayed(journal_dir)) == 100


def test_group_commit_waits_for_the_interval_below_max_bytes(journal_dir: Path) -> None:
    config = make_config(journal_dir, FsyncPolicy.GROUP_COMMIT, group_commit_interval_ms=60_000)
    with JournalWriter.open(config) as writer:
        writer.append_many(payloads(10))
        time.sleep(0.05)
        assert writer.stats().records_written == 0
        assert writer.durable_seq == 0
        writer.sync()
        assert writer.durable_seq == 10
        assert writer.stats().records_written == 10


def test_group_commit_commits_early_once_max_bytes_are_pending(
    journal_dir: Path, no_fsync: None
) -> None:
    config = make_config(
        journal_dir,
        FsyncPolicy.GROUP_COMMIT,
        group_commit_interval_ms=60_000,
        group_commit_max_bytes=1000,
    )
    with JournalWriter.open(config) as writer:
        for _ in range(30):
            writer.append(b"z" * 100)  # 116 bytes framed: max bytes passed after 9 records
        assert wait_until(lambda: writer.durable_seq >= 9)
        assert writer.stats().records_written >= 9


def test_group_commit_applies_back_pressure_when_far_behind(
    journal_dir: Path, no_fsync: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_config(
        journal_dir,
        FsyncPolicy.GROUP_COMMIT,
        group_commit_interval_ms=60_000,
        group_commit_max_bytes=200,
    )
    with JournalWriter.open(config) as writer:
        monkeypatch.setattr(writer._flusher, "kick", lambda: None)  # a flusher that never wakes
        for _ in range(20):
            writer.append(b"q" * 84)  # 100 bytes framed
        assert writer.stats().records_written >= 12
        assert writer.durable_seq == 0


def test_never_writes_on_flush_but_does_not_fsync(journal_dir: Path, no_fsync: None) -> None:
    with JournalWriter.open(make_config(journal_dir, FsyncPolicy.NEVER)) as writer:
        writer.append_many(payloads(5))
        assert replayed(journal_dir) == []
        writer.flush()
        assert len(replayed(journal_dir)) == 5
        assert writer.durable_seq == 0
        assert writer.stats().fsyncs == 0
        writer.sync()
        assert writer.durable_seq == 5
        assert writer.stats().fsyncs == 1
        writer.append(b"six")
    assert replayed(journal_dir)[-1] == (6, b"six")


def test_never_writes_once_max_bytes_are_pending(journal_dir: Path, no_fsync: None) -> None:
    config = make_config(journal_dir, FsyncPolicy.NEVER, group_commit_max_bytes=500)
    with JournalWriter.open(config) as writer:
        for _ in range(9):
            writer.append(b"n" * 84)  # 100 bytes framed: a write at the fifth record
        assert writer.stats().records_written == 5
        assert writer.stats().writes == 1
        assert writer.stats().fsyncs == 0


def test_rollover_fsyncs_the_finished_segment_under_every_policy(
    journal_dir: Path, no_fsync: None
) -> None:
    config = make_config(journal_dir, FsyncPolicy.NEVER, segment_max_bytes=100)
    with JournalWriter.open(config) as writer:
        writer.append_many([b"x" * 40] * 4)
        assert writer.stats().fsyncs == 3
        assert writer.durable_seq == 3


# -- lock, close, errors -------------------------------------------------------------------


def test_second_writer_is_refused_until_the_first_closes(journal_dir: Path, no_fsync: None) -> None:
    config = make_config(journal_dir)
    first = JournalWriter.open(config)
    with pytest.raises(
        JournalLockedError, match=rf"locked by another writer \(pid {os.getpid()}\)"
    ):
        JournalWriter.open(config)
    first.append(b"one")
    first.close()
    with JournalWriter.open(config) as second:
        assert second.append(b"two") == 2


def test_writer_in_another_process_is_refused(journal_dir: Path, no_fsync: None) -> None:
    child = (
        "import sys\n"
        "from shrivenquant.persistence.journal import JournalConfig, JournalWriter\n"
        "from shrivenquant.persistence.journal import JournalLockedError\n"
        "try:\n"
        "    JournalWriter.open(JournalConfig(path=sys.argv[1]))\n"
        "except JournalLockedError as exc:\n"
        "    print(exc)\n"
        "    sys.exit(3)\n"
    )
    with JournalWriter.open(make_config(journal_dir)):
        result = subprocess.run(
            [sys.executable, "-c", child, str(journal_dir)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 3, result.stderr
    assert f"locked by another writer (pid {os.getpid()})" in result.stdout


def test_close_is_idempotent_and_use_after_close_fails(journal_dir: Path, no_fsync: None) -> None:
    writer = JournalWriter.open(make_config(journal_dir, FsyncPolicy.GROUP_COMMIT))
    writer.append(b"a")
    writer.close()
    writer.close()
    assert writer.closed
    assert writer.durable_seq == 1
    for action in (
        lambda: writer.append(b"b"),
        lambda: writer.append_many([b"b"]),
        writer.flush,
        writer.sync,
    ):
        with pytest.raises(JournalClosedError, match="is closed"):
            action()
    assert replayed(journal_dir) == [(1, b"a")]


def test_bad_payload_is_rejected_without_using_a_seq(journal_dir: Path, no_fsync: None) -> None:
    with JournalWriter.open(make_config(journal_dir)) as writer:
        with pytest.raises(ValueError, match="payload: expected bytes, got str"):
            writer.append("text")  # type: ignore[arg-type]
        assert writer.append(bytearray(b"ok")) == 1
        assert writer.append(memoryview(b"view")) == 2
        wide = array.array("i", [1, 2, 3])  # a memoryview of it has 3 items but 12 bytes
        assert writer.append(memoryview(wide)) == 3
        with pytest.raises(ValueError, match="payload: expected bytes, got int"):
            writer.append(7)  # type: ignore[arg-type]
    assert replayed(journal_dir) == [(1, b"ok"), (2, b"view"), (3, wide.tobytes())]


def test_write_failure_fails_the_writer_for_good(
    journal_dir: Path, no_fsync: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = JournalWriter.open(make_config(journal_dir, FsyncPolicy.EVERY_RECORD))
    writer.append(b"kept")

    def disk_full(self: object, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_files.SegmentFile, "write", disk_full)
    with pytest.raises(JournalWriterFailedError, match="No space left"):
        writer.append(b"lost")
    with pytest.raises(JournalWriterFailedError, match="must be reopened"):
        writer.append(b"lost too")
    writer.close()  # the failure was already reported: close only releases
    monkeypatch.undo()
    with JournalWriter.open(make_config(journal_dir)) as reopened:
        assert reopened.last_seq == 1


def test_flusher_failure_surfaces_on_the_next_call(
    journal_dir: Path, no_fsync: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_config(journal_dir, FsyncPolicy.GROUP_COMMIT, group_commit_interval_ms=1)
    writer = JournalWriter.open(config)

    def broken_sync(self: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(journal_files.SegmentFile, "sync", broken_sync)
    writer.append(b"a")
    assert wait_until(lambda: writer._error is not None)
    with pytest.raises(JournalWriterFailedError, match="Input/output error"):
        writer.append(b"b")
    writer.close()


def test_failure_not_yet_reported_is_raised_by_close(
    journal_dir: Path, no_fsync: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_config(journal_dir, FsyncPolicy.GROUP_COMMIT, group_commit_interval_ms=1)
    writer = JournalWriter.open(config)

    def broken_write(self: object, data: bytes) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(journal_files.SegmentFile, "write", broken_write)
    writer.append(b"a")
    assert wait_until(lambda: writer._error is not None)
    with pytest.raises(JournalWriterFailedError, match="were not written"):
        writer.close()
    writer.close()


def test_a_failing_listener_is_logged_and_others_still_run(
    journal_dir: Path, no_fsync: None
) -> None:
    seen: list[int] = []

    def broken(seq: int) -> None:
        raise RuntimeError("listener bug")

    with JournalWriter.open(make_config(journal_dir, FsyncPolicy.EVERY_RECORD)) as writer:
        writer.on_durable(broken)
        writer.on_durable(seen.append)
        writer.append(b"a")
        writer.append(b"b")
    assert seen == [1, 2]


def test_metrics_count_writes_bytes_and_fsyncs(journal_dir: Path, no_fsync: None) -> None:
    registry = MetricsRegistry()
    with JournalWriter.open(make_config(journal_dir), metrics=registry) as writer:
        writer.append_many([b"abc", b"defg"])
        writer.sync()
    labels = {"journal": journal_dir.name}
    assert registry.value("journal_records_written", labels) == 2
    assert registry.value("journal_bytes_written", labels) == 2 * RECORD_HEADER_SIZE + 7
    assert registry.value("journal_fsyncs", labels) == 1
    assert registry.value("journal_durable_seq", labels) == 2


def test_stats_snapshot(journal_dir: Path, no_fsync: None) -> None:
    with JournalWriter.open(make_config(journal_dir)) as writer:
        writer.append_many([b"12345", b""])
        stats = writer.stats()
        assert stats.records_appended == 2
        assert stats.bytes_appended == 2 * RECORD_HEADER_SIZE + 5
        assert stats.records_written == 0
        assert stats.last_seq == 2
        writer.flush()
        assert writer.stats().bytes_written == stats.bytes_appended
        assert writer.stats().writes == 1
