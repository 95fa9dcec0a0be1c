"""A typed face on the journal: append and replay objects through any codec."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

import msgspec

from shrivenquant.persistence.journal.config import JournalConfig
from shrivenquant.persistence.journal.reader import JournalReader
from shrivenquant.persistence.journal.writer import DurableListener, JournalWriter
from shrivenquant.telemetry.metrics import MetricsRegistry

T = TypeVar("T")


class Codec(Protocol[T]):
    """Turns objects into bytes and back; the model's message codec fits this shape."""

    def encode(self, obj: T) -> bytes:
        """Return the bytes of ``obj``."""
        ...

    def decode(self, data: bytes) -> T:
        """Return the object encoded in ``data``."""
        ...


class MsgspecCodec(Generic[T]):
    """A `Codec` that stores objects of one type as MessagePack via msgspec."""

    def __init__(self, type_: type[T] | Any) -> None:
        """Encode and decode objects of ``type_`` (a Struct, a Union of Structs, ...)."""
        self._encoder = msgspec.msgpack.Encoder()
        self._decoder: msgspec.msgpack.Decoder[T] = msgspec.msgpack.Decoder(type_)
        self.encode = self._encoder.encode
        self.decode = self._decoder.decode


class EventJournal(Generic[T]):
    """Appends objects to a journal and replays them, encoded by a `Codec`."""

    def __init__(self, writer: JournalWriter, codec: Codec[T]) -> None:
        """Wrap an open writer; the journal owns it from now on."""
        self._writer = writer
        self._codec = codec
        self._encode = codec.encode
        self._append = writer.append

    @classmethod
    def open(
        cls, config: JournalConfig, codec: Codec[T], metrics: MetricsRegistry | None = None
    ) -> EventJournal[T]:
        """Open (and recover) the journal in ``config.path``."""
        return cls(JournalWriter.open(config, metrics), codec)

    @property
    def writer(self) -> JournalWriter:
        """The underlying byte-level writer."""
        return self._writer

    @property
    def last_seq(self) -> int:
        """Sequence number of the last appended object."""
        return self._writer.last_seq

    @property
    def durable_seq(self) -> int:
        """Highest sequence number known to be fsynced."""
        return self._writer.durable_seq

    def append(self, obj: T) -> int:
        """Encode ``obj``, append it and return its sequence number."""
        return self._append(self._encode(obj))

    def append_many(self, objs: Iterable[T]) -> range:
        """Append objects in order; return the range of their sequence numbers."""
        encode = self._encode
        return self._writer.append_many(encode(obj) for obj in objs)

    def replay(self, from_seq: int = 1) -> Iterator[tuple[int, T]]:
        """Yield ``(seq, obj)`` for every record from ``from_seq`` up to `last_seq`.

        Buffered records are written first, so the replay sees everything appended so far.
        """
        self._writer.flush()
        decode = self._codec.decode
        reader = JournalReader(self._writer.config.path)
        for batch in reader.replay_batches(from_seq, self._writer.last_seq):
            for seq, payload in batch:
                yield seq, decode(payload)

    def on_durable(self, listener: DurableListener) -> None:
        """Call ``listener(seq)`` when records up to ``seq`` become durable."""
        self._writer.on_durable(listener)

    def flush(self) -> None:
        """Write buffered records without fsync."""
        self._writer.flush()

    def sync(self) -> None:
        """Write buffered records and fsync them."""
        self._writer.sync()

    def close(self) -> None:
        """Close the writer (safe to call twice)."""
        self._writer.close()

    def __enter__(self) -> EventJournal[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
