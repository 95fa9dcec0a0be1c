"""EventJournal: typed append and replay through a codec."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from shrivenquant.persistence.journal import (
    Codec,
    EventJournal,
    FsyncPolicy,
    JournalConfig,
    MsgspecCodec,
)


class Filled(msgspec.Struct, frozen=True, tag=True):
    order_id: str
    qty: str
    ts_event: int


class Canceled(msgspec.Struct, frozen=True, tag=True):
    order_id: str
    ts_event: int


Event = Filled | Canceled


class JsonDictCodec:
    """A codec that is not msgspec: anything with encode/decode fits the protocol."""

    def encode(self, obj: dict[str, int]) -> bytes:
        return json.dumps(obj, sort_keys=True).encode()

    def decode(self, data: bytes) -> dict[str, int]:
        decoded: dict[str, int] = json.loads(data)
        return decoded


def config(path: Path) -> JournalConfig:
    return JournalConfig(path=path, fsync_policy=FsyncPolicy.GROUP_COMMIT)


def test_append_and_replay_objects(tmp_path: Path) -> None:
    events: list[Event] = [
        Filled("O-1", "0.5", 10),
        Canceled("O-2", 11),
        Filled("O-3", "1.25", 12),
    ]
    with EventJournal.open(config(tmp_path), MsgspecCodec(Event)) as journal:
        assert journal.append(events[0]) == 1
        assert journal.append_many(events[1:]) == range(2, 4)
        # Replay sees records still buffered for the group commit.
        assert list(journal.replay()) == list(enumerate(events, start=1))
        assert list(journal.replay(3)) == [(3, events[2])]
        journal.sync()
        assert journal.durable_seq == journal.last_seq == 3


def test_reopen_continues_and_replays_everything(tmp_path: Path) -> None:
    codec: MsgspecCodec[Event] = MsgspecCodec(Event)
    with EventJournal.open(config(tmp_path), codec) as journal:
        journal.append(Filled("O-1", "1", 1))
    durable: list[int] = []
    with EventJournal.open(config(tmp_path), codec) as journal:
        journal.on_durable(durable.append)
        assert journal.last_seq == 1
        assert journal.append(Canceled("O-1", 2)) == 2
        journal.sync()
        assert [seq for seq, _ in journal.replay()] == [1, 2]
        assert isinstance(next(iter(journal.replay(2)))[1], Canceled)
    assert durable[-1] == 2


def test_any_codec_with_encode_and_decode_fits(tmp_path: Path) -> None:
    codec: Codec[dict[str, int]] = JsonDictCodec()
    with EventJournal.open(config(tmp_path), codec) as journal:
        journal.append({"a": 1})
        journal.append({"b": 2})
        assert list(journal.replay()) == [(1, {"a": 1}), (2, {"b": 2})]
        assert journal.writer.last_seq == 2


def test_decode_errors_propagate(tmp_path: Path) -> None:
    with EventJournal.open(config(tmp_path), MsgspecCodec(Filled)) as journal:
        journal.writer.append(msgspec.msgpack.encode({"not": "a filled event"}))
        with pytest.raises(msgspec.ValidationError):
            list(journal.replay())
